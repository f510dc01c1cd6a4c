/**
 * A client-side rate limit, per merchant and per endpoint, shared by every instance through
 * `@effect/experimental`'s `RateLimiter` and its store (`effect-wechatpay/rate-limit`; needs
 * `@effect/experimental`, an optional peer dependency):
 *
 *   in memory (one process)   RateLimit.layerMemory(options)
 *   in Redis (the fleet)      RateLimit.layer(options).pipe(
 *                               Layer.provide(RateLimiter.layer),
 *                               Layer.provide(RateLimiterRedis.layerStore({ host, port })))   // @effect/experimental/RateLimiter/Redis
 *
 * and under the client: `WechatPay.layer(…).pipe(Layer.provide(rateLimitLayer))`.
 *
 * Each request (retries included) takes one token from its merchant's bucket and from its
 * endpoint's, if one is configured: a token bucket of `limit` tokens refilled over `window`, so a
 * burst of up to `limit` may follow a quiet spell. Over the limit, the request waits for its token
 * as long as its call's deadline allows (`onExceeded: "wait"`, the default) or fails at once
 * (`"fail"`) with `FrequencyLimited` (`detail.limitedBy = "client"`, never retried), nothing sent.
 * A store that cannot answer (Redis down) lets the request go with a warning: WeChat Pay's own
 * 429 stays the backstop, and payments do not stop with the limiter.
 */
import * as RateLimiter from "@effect/experimental/RateLimiter"
import { Clock, Duration, Effect, Layer } from "effect"
import { type OutgoingRequest, RequestLimiter, type RequestLimiterService } from "../api/WechatPayClient.js"
import { FrequencyLimited } from "../errors/codes.js"

export interface Limit {
  /** Requests per `window`. */
  readonly limit: number
  /** Default 1 second. */
  readonly window?: Duration.DurationInput | undefined
}

export interface EndpointLimit extends Limit {
  readonly method: string
  /** The URL template as documented, e.g. `/v3/marketing/busifavor/coupons/{coupon_code}/send`. */
  readonly path: string
}

export interface Options {
  /** The merchant whose limits these are: part of every bucket's key. */
  readonly mchid: string
  /** Every request of the merchant. */
  readonly merchant?: Limit | undefined
  /** Endpoints with a limit of their own (WeChat Pay documents some, e.g. "单个商户的接口频率限制为100次/s"). */
  readonly endpoints?: ReadonlyArray<EndpointLimit> | undefined
  /** Default `"wait"`. */
  readonly onExceeded?: "wait" | "fail" | undefined
  /** Bucket key prefix. Default `effect-wechatpay:`. */
  readonly prefix?: string | undefined
}

interface Bucket {
  readonly key: string
  readonly limit: number
  readonly window: Duration.Duration
  readonly matches: (request: OutgoingRequest) => boolean
}

/** `{name}` placeholders match one path segment; the query string is ignored. */
const templatePattern = (path: string) =>
  new RegExp("^" + path.split(/\{[^}]+\}/).map((s) => s.replace(/[.*+?^$()|[\]\\]/g, "\\$&")).join("[^/?]+") + "(?:\\?|$)")

export const make = (options: Options): Effect.Effect<RequestLimiterService, never, RateLimiter.RateLimiter> =>
  Effect.gen(function*() {
    const limiter = yield* RateLimiter.RateLimiter
    const prefix = `${options.prefix ?? "effect-wechatpay:"}${options.mchid}`
    const waits = (options.onExceeded ?? "wait") === "wait"
    const buckets: Array<Bucket> = []
    if (options.merchant !== undefined) {
      buckets.push({ key: prefix, limit: options.merchant.limit, window: Duration.decode(options.merchant.window ?? "1 second"), matches: () => true })
    }
    for (const e of options.endpoints ?? []) {
      const method = e.method.toUpperCase()
      const pattern = templatePattern(e.path)
      buckets.push({
        key: `${prefix}:${method} ${e.path}`,
        limit: e.limit,
        window: Duration.decode(e.window ?? "1 second"),
        matches: (r) => r.method === method && pattern.test(r.url)
      })
    }

    const refused = (bucket: Bucket, retryAfter: Duration.Duration, why: string) =>
      new FrequencyLimited({
        status: 429,
        code: "FREQUENCY_LIMITED",
        message: `client-side rate limit ${bucket.limit} per ${Duration.format(bucket.window)} (${bucket.key}): ${why}; nothing was sent`,
        detail: { limitedBy: "client", key: bucket.key, retryAfterMillis: Duration.toMillis(retryAfter) }
      })

    /** One token from `bucket`, waiting for it while the deadline allows. */
    const takeFrom = (bucket: Bucket, deadlineAt: number): Effect.Effect<void, FrequencyLimited> =>
      limiter.consume({ algorithm: "token-bucket", onExceeded: "fail", key: bucket.key, limit: bucket.limit, window: bucket.window }).pipe(
        Effect.asVoid,
        Effect.catchAll((e): Effect.Effect<void, FrequencyLimited> => {
          if (e.reason === "StoreError") {
            return Effect.logWarning("effect-wechatpay: the rate limiter's store failed; sending without it").pipe(
              Effect.annotateLogs({ key: bucket.key, error: e.message })
            )
          }
          if (!waits) return Effect.fail(refused(bucket, e.retryAfter, "over the limit"))
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            now + Duration.toMillis(e.retryAfter) > deadlineAt
              ? Effect.fail(refused(bucket, e.retryAfter, "no token before the call's deadline"))
              : Effect.zipRight(Effect.sleep(e.retryAfter), takeFrom(bucket, deadlineAt)))
        })
      )

    return {
      take: (request, deadlineAt) => {
        const due = buckets.filter((b) => b.matches(request))
        return Effect.zipRight(Effect.forEach(due, (b) => takeFrom(b, deadlineAt), { discard: true }), Clock.currentTimeMillis)
      }
    }
  })

/** `RequestLimiter` over the `RateLimiter` in context. */
export const layer = (options: Options): Layer.Layer<RequestLimiter, never, RateLimiter.RateLimiter> => Layer.effect(RequestLimiter, make(options))

/** `RequestLimiter` in this process's memory (no fleet: one instance's own limit). */
export const layerMemory = (options: Options): Layer.Layer<RequestLimiter> =>
  layer(options).pipe(Layer.provide(RateLimiter.layer), Layer.provide(RateLimiter.layerStoreMemory))
