/** Spans only where someone sees them: no per-call span cost under Effect's built-in tracer. */
import { Context, DefaultServices, Effect, type Fiber, Tracer } from "effect"

/** Effect's built-in tracer: its spans go nowhere, so a span under it is pure cost. */
const nativeTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/** Whether a tracer other than Effect's built-in one is installed (OpenTelemetry, DevTools …). */
export const isTraced = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean => fiber.currentTracer !== nativeTracer

/** `Effect.withSpan`, only when a tracer is installed. */
export const withSpanWhenTraced = (name: string, attributes: Record<string, unknown>) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime<A, E, R>((fiber) =>
    isTraced(fiber) ? Effect.withSpan(self, name, { attributes, captureStackTrace: false }) : self
  )
