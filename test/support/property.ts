/**
 * Runs a fast-check 4 property whose body is an Effect, inside the current test's runtime
 * (so the body sees the test's layer: the server, the client, the clock).
 */
import { Effect, Runtime } from "effect"
import * as fc from "fast-check"

export const property = <T, R>(
  arbitrary: fc.Arbitrary<T>,
  body: (value: T) => Effect.Effect<unknown, unknown, R>,
  parameters: fc.Parameters<[T]> = {}
): Effect.Effect<void, never, R> =>
  Effect.gen(function*() {
    const runtime = yield* Effect.runtime<R>()
    const run = Runtime.runPromise(runtime)
    yield* Effect.promise(() => fc.assert(fc.asyncProperty(arbitrary, (value) => run(body(value)).then(() => undefined)), parameters))
  })
