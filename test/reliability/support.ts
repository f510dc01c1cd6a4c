/**
 * Helpers for the reliability tests: credentials shared by two sandboxes (a primary and a
 * backup host), a recording tracer, a log collector and an exit classifier.
 */
import { Cause, Context, DefaultServices, Effect, Exit, HashMap, Logger, LogLevel, Option, Tracer } from "effect"
import { keyOptions } from "../sandbox/support.js"
import { API_V3_KEY, MERCHANT_SERIAL, PUBLIC_KEY_ID } from "../support/constants.js"

export { docs, keyOptions } from "../sandbox/support.js"

/** Fixed ids, so two sandboxes built from these options accept and sign for the same client. */
export const sharedOptions = {
  ...keyOptions,
  merchantSerialNumber: MERCHANT_SERIAL,
  platformPublicKeyId: PUBLIC_KEY_ID,
  apiV3Key: API_V3_KEY
} as const

/** Every tagged error the pipeline may produce for our endpoints. */
export const TYPED_TAGS: ReadonlySet<string> = new Set([
  "ParamError",
  "InvalidRequest",
  "SignError",
  "NoAuth",
  "ResourceNotExists",
  "FrequencyLimited",
  "SystemError",
  "ServiceUnavailable",
  "UnknownApiError",
  "RequestValidationError",
  "TransportError",
  "ResponseVerificationError",
  "UnexpectedResponse"
])

export type Outcome =
  | { readonly _tag: "Success"; readonly value: unknown }
  | { readonly _tag: "Typed"; readonly error: { readonly _tag: string } & Record<string, unknown> }
  | { readonly _tag: "Untyped"; readonly cause: string }

/** Success, a typed failure (one `Fail` with a known tag), or anything else (a defect, an interruption, an unknown failure). */
export const outcomeOf = (exit: Exit.Exit<unknown, unknown>): Outcome => {
  if (Exit.isSuccess(exit)) return { _tag: "Success", value: exit.value }
  const failure = Cause.failureOption(exit.cause)
  if (
    Option.isSome(failure) && !Cause.isDie(exit.cause) && !Cause.isInterrupted(exit.cause) &&
    TYPED_TAGS.has((failure.value as { _tag?: string })?._tag ?? "")
  ) {
    return { _tag: "Typed", error: failure.value as { _tag: string } & Record<string, unknown> }
  }
  return { _tag: "Untyped", cause: Cause.pretty(exit.cause) }
}

/** A tracer that keeps every span (Effect's own spans, recorded), so attributes can be asserted. */
export const recordingTracer = () => {
  const native = Context.get(DefaultServices.liveServices, Tracer.Tracer)
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const span = native.span(name, parent, context, links, startTime, kind, options)
      spans.push(span)
      return span
    },
    context: (f, fiber) => native.context(f, fiber)
  })
  return { tracer, spans }
}

export interface LogLine {
  readonly level: string
  readonly message: string
  readonly annotations: Readonly<Record<string, unknown>>
}

/** Runs `self` with debug logging into an array. */
export const collectingLogs = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const lines: Array<LogLine> = []
    const logger = Logger.make(({ annotations, logLevel, message }) => {
      lines.push({
        level: logLevel.label,
        message: (Array.isArray(message) ? message : [message]).map(String).join(" "),
        annotations: Object.fromEntries(HashMap.toEntries(annotations))
      })
    })
    return self.pipe(
      Effect.exit,
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.Debug),
      Effect.map((exit) => ({ exit, lines }))
    )
  })
