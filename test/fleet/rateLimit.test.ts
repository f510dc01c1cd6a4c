/**
 * The client-side rate limit (`effect-wechatpay/rate-limit`) against the sandbox: refused calls
 * send nothing, waiting calls go out as tokens come back, endpoint limits apply to their endpoint
 * only, and two clients sharing a Redis store (a real redis-server) stay under one limit together.
 */
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as RateLimiterRedis from "@effect/experimental/RateLimiter/Redis"
import { describe, expect, it } from "@effect/vitest"
import { type Duration, Effect, Either, Layer } from "effect"
import * as WechatPay from "../../src/api/WechatPay.js"
import type { RequestLimiter } from "../../src/api/WechatPayClient.js"
import * as RateLimit from "../../src/fleet/RateLimit.js"
import { isRetryable } from "../../src/core/Retry.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { keyOptions } from "../sandbox/support.js"
import { noRedis, redisUrl } from "../support/redis.js"
import { MCHID } from "../support/constants.js"

/** One call to any path: "sent" when the sandbox answered it (whatever it said), or the limiter's refusal. */
const call = (path = "/v3/fleet/probe") =>
  Effect.map(Effect.either(WechatPay.request({ method: "GET", path })), (r) => {
    if (Either.isRight(r) || r.left._tag !== "FrequencyLimited") return "sent" as const
    expect((r.left.detail as { limitedBy: string }).limitedBy).toBe("client")
    expect(isRetryable(r.left)).toBe(false)
    return "refused" as const
  })

const sandboxWith = (limiter: Layer.Layer<RequestLimiter>, deadline: Duration.DurationInput = "5 seconds") =>
  Sandbox.layer({ ...keyOptions, client: { deadline } }).pipe(Layer.provide(limiter))

const sentCount = Effect.map(Effect.flatMap(Sandbox.Sandbox, (s) => s.requests), (r) => r.filter((x) => x.url.startsWith("/v3/fleet")).length)

describe("client-side rate limit", () => {
  it.live("fail: over the limit a call fails with FrequencyLimited at once, and nothing is sent", () =>
    Effect.gen(function*() {
      const results = yield* Effect.all(Array.from({ length: 8 }, () => call()), { concurrency: "unbounded" })
      expect(results.filter((r) => r === "sent")).toHaveLength(5)
      expect(results.filter((r) => r === "refused")).toHaveLength(3)
      expect(yield* sentCount).toBe(5)
    }).pipe(Effect.provide(sandboxWith(RateLimit.layerMemory({ mchid: MCHID, merchant: { limit: 5, window: "10 seconds" }, onExceeded: "fail" })))))

  it.live("wait: calls over the limit go out as tokens come back", () =>
    Effect.gen(function*() {
      const started = Date.now()
      const results = yield* Effect.all(Array.from({ length: 8 }, () => call()), { concurrency: "unbounded" })
      expect(results.every((r) => r === "sent")).toBe(true)
      // 4 at once, then one per 100 ms
      expect(Date.now() - started).toBeGreaterThanOrEqual(350)
      expect(yield* sentCount).toBe(8)
    }).pipe(Effect.provide(sandboxWith(RateLimit.layerMemory({ mchid: MCHID, merchant: { limit: 4, window: "400 millis" } })))))

  it.live("wait: a call whose deadline comes before its token fails without sending", () =>
    Effect.gen(function*() {
      const results = yield* Effect.all(Array.from({ length: 4 }, () => call()), { concurrency: "unbounded" })
      expect(results.filter((r) => r === "sent")).toHaveLength(2)
      expect(yield* sentCount).toBe(2)
    }).pipe(Effect.provide(sandboxWith(RateLimit.layerMemory({ mchid: MCHID, merchant: { limit: 2, window: "10 seconds" } }), "300 millis"))))

  it.live("an endpoint limit applies to its endpoint (any value of its placeholders) only", () =>
    Effect.gen(function*() {
      expect(yield* call("/v3/fleet/orders/a1")).toBe("sent")
      expect(yield* call("/v3/fleet/orders/b2")).toBe("refused")
      expect(yield* call("/v3/fleet/orders/b2/items")).toBe("sent")
      expect(yield* call("/v3/fleet/other")).toBe("sent")
    }).pipe(
      Effect.provide(sandboxWith(RateLimit.layerMemory({
        mchid: MCHID,
        endpoints: [{ method: "GET", path: "/v3/fleet/orders/{out_order_no}", limit: 1, window: "10 seconds" }],
        onExceeded: "fail"
      })))
    ))

  it.live("the documented limits: 5 per second on a brand membership endpoint, nothing on an undocumented one", () =>
    Effect.gen(function*() {
      const path = "/v3/brand/partner/card-member/membership-activities"
      expect(RateLimit.documentedLimits.find((l) => l.method === "GET" && l.path === path)).toMatchObject({ limit: 5, window: "1 second" })
      const limited = yield* Effect.all(Array.from({ length: 6 }, () => call(path)), { concurrency: "unbounded" })
      expect(limited.filter((r) => r === "refused")).toHaveLength(1)
      const free = yield* Effect.all(Array.from({ length: 6 }, () => call()), { concurrency: "unbounded" })
      expect(free.every((r) => r === "sent")).toBe(true)
    }).pipe(Effect.provide(sandboxWith(RateLimit.layerMemory({ mchid: MCHID, endpoints: RateLimit.documentedLimits, onExceeded: "fail" })))))
})

describe.skipIf(noRedis("the rate limit shared through Redis"))("client-side rate limit shared through Redis", () => {
  it.live("two instances stay under one limit together", () =>
    Effect.gen(function*() {
      const { port } = new URL(redisUrl)
      const shared = RateLimit.layer({ mchid: MCHID, merchant: { limit: 6, window: "10 seconds" }, onExceeded: "fail", prefix: `test-${process.pid}-${Date.now()}:` }).pipe(
        Layer.provide(RateLimiter.layer),
        Layer.provide(RateLimiterRedis.layerStore({ host: "127.0.0.1", port: Number(port), db: 2 }))
      )
      // each instance its own sandbox client and its own Redis connection
      const instance = Effect.provide(Effect.all(Array.from({ length: 5 }, () => call()), { concurrency: "unbounded" }), sandboxWith(shared))
      const [a, b] = yield* Effect.all([instance, instance], { concurrency: 2 })
      expect([...a!, ...b!].filter((r) => r === "sent")).toHaveLength(6)
    }))
})
