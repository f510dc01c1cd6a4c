/**
 * Which failures are worth another attempt, and the default schedule for them.
 * Retried: no answer (`TransportError`), `SystemError`, `ServiceUnavailable`, a 202, and
 * `FrequencyLimited` (with a longer back-off). Never: other 4xx, or an answer that failed verification.
 */
import { Duration, Effect, FiberRef, Option, Schedule } from "effect"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as Interval from "effect/ScheduleInterval"
import { isRetryableApiError } from "../errors/ApiError.js"
import { FrequencyLimited } from "../errors/codes.js"
import { TransportError, UnexpectedResponse } from "../errors/errors.js"

/**
 * Decided on classes: a code class says whether it is retryable (`SystemError`, `ServiceUnavailable`,
 * `FrequencyLimited`), except a refusal by the client's own `RequestLimiter`, which already waited
 * as long as it was allowed to.
 */
export const isRetryable = (e: unknown): boolean =>
  e instanceof TransportError
    ? e.reason !== "Deadline"
    : e instanceof UnexpectedResponse
    ? e.status === 202
    : isRetryableApiError(e) && !isLimitedByClient(e)

/** A `FrequencyLimited` made by a `RequestLimiter` (nothing was sent), not answered by WeChat Pay. */
export const isLimitedByClient = (e: unknown): boolean =>
  e instanceof FrequencyLimited && (e.detail as { readonly limitedBy?: unknown } | undefined)?.limitedBy === "client"

export interface DefaultRetryOptions {
  /** Retries after the first attempt. Default 3. */
  readonly times?: number
  /** First back-off. Default 200 ms, doubling each time, with ±50 % jitter. */
  readonly base?: Duration.DurationInput
  /** Back-off for a 429. Default 2 s, doubling. */
  readonly rateLimitedBase?: Duration.DurationInput
  /** Cap on any one back-off. Default 10 s. */
  readonly maxDelay?: Duration.DurationInput
}

/**
 * The default policy: exponential back-off with jitter, longer after a 429. Its input is the
 * failure, so the back-off can depend on it. Only retryable failures reach it (see `isRetryable`).
 */
export const defaultSchedule = (options: DefaultRetryOptions = {}): Schedule.Schedule<number, unknown> => {
  const times = options.times ?? 3
  const base = Duration.toMillis(options.base ?? "200 millis")
  const limited = Duration.toMillis(options.rateLimitedBase ?? "2 seconds")
  const max = Duration.toMillis(options.maxDelay ?? "10 seconds")
  return Schedule.makeWithState(0, (now, input: unknown, attempt: number) => {
    if (attempt >= times) return Effect.succeed([attempt, attempt, ScheduleDecision.done] as const)
    const start = input instanceof FrequencyLimited ? limited : base
    const jitter = 0.5 + Math.random()
    const delay = Math.min(max, start * 2 ** attempt * jitter)
    return Effect.succeed([attempt + 1, attempt + 1, ScheduleDecision.continueWith(Interval.after(now + delay))] as const)
  })
}

/** A per-call override of the layer's retry schedule: set with `withRetry` / `withoutRetry`. */
export const currentRetrySchedule = FiberRef.unsafeMake<Option.Option<Schedule.Schedule<unknown, unknown>>>(Option.none())

export const withRetry = (schedule: Schedule.Schedule<unknown, any>) => <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.locally(self, currentRetrySchedule, Option.some(schedule as Schedule.Schedule<unknown, unknown>))

export const withoutRetry = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.locally(self, currentRetrySchedule, Option.some(Schedule.stop as Schedule.Schedule<unknown, unknown>))
