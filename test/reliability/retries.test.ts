/**
 * Retries, back-off, timeouts and the deadline, driven by the sandbox's fault injection under
 * `TestClock` (the in-memory sandbox runs on the caller's clock, so no real time passes).
 */
import { describe, expect, layer } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, Schedule, TestClock } from "effect"
import { DiscountCard, MembercardOpen, WechatPay } from "../../src/api/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { fresh, objectivesOf } from "../sandbox/support.js"
import { collectingLogs, docs, keyOptions, recordingTracer } from "./support.js"

const ORDER = docs.updateOrder.out_order_no
const update = DiscountCard.updateOrder(docs.updateOrder)


/**
 * Runs `self` in a fiber while the test clock moves in 100 ms steps (at most `limit`), then joins
 * it as an Exit. Small steps: the in-memory sandbox reads request bodies through a promise, and a
 * single big jump could pass a fiber that is between two awaits.
 */
const runFor = <A, E, R>(self: Effect.Effect<A, E, R>, limit: Duration.DurationInput = "5 minutes") =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(Effect.exit(self))
    for (let t = 0; t < Duration.toMillis(limit) && Option.isNone(yield* Fiber.poll(fiber)); t += 100) {
      yield* advance(100)
    }
    return yield* Fiber.join(fiber)
  })

/** Moves the test clock by `millis` in steps of at most 100 ms (see `runFor`). */
const advance = (millis: number) =>
  Effect.gen(function*() {
    for (let left = millis; left > 0; left -= 100) yield* TestClock.adjust(Duration.millis(Math.min(100, left)))
  })

/** `runFor`, for an effect that does not fail. */
const settle = <A, E, R>(self: Effect.Effect<A, E, R>) =>
  Effect.flatMap(runFor(self), (exit) => (exit._tag === "Success" ? Effect.succeed(exit.value) : Effect.die(exit.cause)))

const failureOf = <A, E>(exit: import("effect").Exit.Exit<A, E>) => (exit._tag === "Failure" && exit.cause._tag === "Fail" ? exit.cause.error : undefined)

describe("retries with the default schedule", () => {
  layer(Sandbox.layer({ ...keyOptions, client: { retry: WechatPay.defaultSchedule() } }))((it) => {
    it.effect("5xx twice then success: three requests, identical body bytes, three nonces, recorded once", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "status", status: 500, code: "SYSTEM_ERROR" }, times: 2 })
        const exit = yield* runFor(update)
        expect(exit).toMatchObject({ _tag: "Success", value: { out_order_no: ORDER } })
        const requests = yield* sandbox.requests
        expect(requests.map((r) => r.status)).toEqual([500, 500, 200])
        const bytes = requests.map((r) => Buffer.from(r.body, "utf8"))
        expect(bytes.every((b) => b.equals(bytes[0]!))).toBe(true)
        expect(JSON.parse(requests[0]!.body)).toEqual({ objectives: docs.updateOrder.objectives, rewards: docs.updateOrder.rewards })
        expect(new Set(requests.map((r) => r.nonce)).size).toBe(3)
        expect(requests.every((r) => r.url === `/v3/discount-card/orders/${ORDER}`)).toBe(true)
        expect(yield* objectivesOf(sandbox)).toBe(1)
      }))

    it.effect("503, a 202 and a dropped connection are each retried, and the action lands once", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "status", status: 503, code: "SERVICE_UNAVAILABLE" } })
        yield* sandbox.inject({ fault: { type: "status", status: 202, code: "ACCEPTED" } })
        yield* sandbox.inject({ fault: { type: "drop", afterHandler: true } })
        const exit = yield* runFor(update)
        expect(exit._tag).toBe("Success")
        expect((yield* sandbox.requests).map((r) => r.fault)).toEqual(["status", "status", "drop", undefined])
        expect(yield* objectivesOf(sandbox)).toBe(1)
      }))

    it.effect("a 204 endpoint: a 202 is repeated, then the 204 is the answer", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "status", status: 202, code: "ACCEPTED" } })
        const exit = yield* runFor(MembercardOpen.prepareBonus(docs.prepareBonus))
        expect(exit._tag).toBe("Success")
        expect((yield* sandbox.requests).map((r) => r.status)).toEqual([202, 204])
      }))

    it.effect("up to 3 retries: four 500s end in SystemError after four requests", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "status", status: 500, code: "SYSTEM_ERROR" }, times: "always" })
        const exit = yield* runFor(update)
        expect(failureOf(exit)).toMatchObject({ _tag: "SystemError", status: 500 })
        expect(yield* sandbox.requests).toHaveLength(4)
        expect(yield* objectivesOf(sandbox)).toBe(0)
      }))

    it.effect("429 backs off longer: no second request within 999 ms (a 500's retry comes within 300 ms)", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "status", status: 429, code: "FREQUENCY_LIMITED" } })
        const limited = yield* Effect.fork(update)
        yield* advance(999)
        expect(yield* sandbox.requests).toHaveLength(1)
        expect(yield* Fiber.poll(limited)).toEqual(Option.none())
        // the 429 back-off is 2 s ± 50 %: by 3 s the retry has gone and succeeded
        yield* advance(2001)
        expect((yield* Fiber.join(limited)).out_order_no).toBe(ORDER)
        const requests = yield* sandbox.requests
        expect(requests.map((r) => r.status)).toEqual([429, 200])
        // a fresh timestamp as well as a fresh nonce
        expect(requests[0]!.timestamp).not.toBe(requests[1]!.timestamp)

        yield* sandbox.reset
        yield* sandbox.inject({ fault: { type: "status", status: 500, code: "SYSTEM_ERROR" } })
        const failing = yield* Effect.fork(update)
        yield* advance(300)
        yield* Fiber.join(failing)
        expect((yield* sandbox.requests).map((r) => r.status)).toEqual([500, 200])
      }))

    it.effect("SignError, ParamError, NoAuth, a bad signature, a stale timestamp, a garbage 200: exactly one request each", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        const cases = [
          [{ type: "status", status: 401, code: "SIGN_ERROR" }, "SignError"],
          [{ type: "status", status: 400, code: "PARAM_ERROR" }, "ParamError"],
          [{ type: "status", status: 403, code: "NO_AUTH" }, "NoAuth"],
          [{ type: "status", status: 400, code: "INVALID_REQUEST" }, "InvalidRequest"],
          [{ type: "status", status: 404, code: "RESOURCE_NOT_EXISTS" }, "ResourceNotExists"],
          [{ type: "bad-signature" }, "ResponseVerificationError"],
          [{ type: "stale-timestamp" }, "ResponseVerificationError"],
          [{ type: "unknown-serial" }, "ResponseVerificationError"],
          [{ type: "missing-signature-headers" }, "ResponseVerificationError"],
          [{ type: "garbage-body" }, "UnexpectedSuccess"],
          [{ type: "garbage-body", status: 502 }, "UnexpectedResponse"]
        ] as const
        for (const [fault, tag] of cases) {
          yield* sandbox.reset
          yield* sandbox.inject({ fault })
          const exit = yield* runFor(update)
          expect([fault.type, failureOf(exit)?._tag]).toEqual([fault.type, tag])
          expect(yield* sandbox.requests).toHaveLength(1)
        }
      }))

    it.effect("RequestValidationError: nothing is sent at all", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        const exit = yield* runFor(DiscountCard.updateOrder({ ...docs.updateOrder, out_order_no: "x".repeat(200) }))
        expect(failureOf(exit)?._tag).toBe("RequestValidationError")
        expect(yield* sandbox.requests).toHaveLength(0)
      }))

    it.effect("per call: withRetry replaces the layer's schedule, withoutRetry turns it off", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "status", status: 500, code: "SYSTEM_ERROR" }, times: "always" })
        yield* runFor(update.pipe(WechatPay.withRetry(Schedule.recurs(1))))
        expect(yield* sandbox.requests).toHaveLength(2)
        yield* sandbox.reset
        yield* sandbox.inject({ fault: { type: "status", status: 500, code: "SYSTEM_ERROR" }, times: "always" })
        yield* runFor(update.pipe(WechatPay.withoutRetry))
        expect(yield* sandbox.requests).toHaveLength(1)
      }))

    it.effect("the span carries name, method, path template, status, Request-ID, attempts and retry reasons; no secrets or bodies", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "status", status: 500, code: "SYSTEM_ERROR" } })
        yield* sandbox.inject({ fault: { type: "status", status: 503, code: "SERVICE_UNAVAILABLE" } })
        const { spans, tracer } = recordingTracer()
        const exit = yield* runFor(update.pipe(Effect.withTracer(tracer)))
        expect(exit._tag).toBe("Success")
        const span = spans.find((s) => s.name === "DiscountCard.updateOrder")!
        expect(span).toBeDefined()
        const attributes = Object.fromEntries(span.attributes)
        const last = (yield* sandbox.requests).at(-1)!
        expect(attributes).toMatchObject({
          "http.request.method": "PATCH",
          "url.template": "/v3/discount-card/orders/{out_order_no}",
          "http.response.status_code": 200,
          "wechatpay.request_id": last.requestId,
          "wechatpay.attempts": 3,
          "wechatpay.retry_reasons": "SystemError,ServiceUnavailable"
        })
        const rendered = JSON.stringify(attributes)
        expect(rendered).not.toContain("PRIVATE KEY")
        expect(rendered).not.toContain(keyOptions.merchantPrivateKey.slice(40, 80))
        expect(rendered).not.toContain("objectives")
        expect(rendered).not.toContain(docs.updateOrder.objectives[0]!.performance_description)

        // a failed call still says how many attempts and why
        yield* sandbox.reset
        yield* sandbox.inject({ fault: { type: "status", status: 500, code: "SYSTEM_ERROR" } })
        yield* sandbox.inject({ fault: { type: "status", status: 400, code: "PARAM_ERROR" } })
        const failed = recordingTracer()
        yield* runFor(update.pipe(Effect.withTracer(failed.tracer)))
        expect(Object.fromEntries(failed.spans.find((s) => s.name === "DiscountCard.updateOrder")!.attributes)).toMatchObject({
          "http.response.status_code": 400,
          "wechatpay.attempts": 2,
          "wechatpay.retry_reasons": "SystemError"
        })
      }))

    it.effect("each retry is logged at debug level with the failure's Request-ID", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "status", status: 500, code: "SYSTEM_ERROR" }, times: 2 })
        const { exit, lines } = yield* settle(collectingLogs(update))
        expect(exit._tag).toBe("Success")
        const requests = yield* sandbox.requests
        const retries = lines.filter((l) => l.message.includes("retrying"))
        expect(retries).toHaveLength(2)
        expect(retries.every((l) => l.level === "DEBUG")).toBe(true)
        expect(retries.map((l) => l.annotations["requestId"])).toEqual([requests[0]!.requestId, requests[1]!.requestId])
        expect(retries.map((l) => l.annotations["error"])).toEqual(["SystemError", "SystemError"])

        // only retries that happen are logged: not the last failure, nor a non-retryable one
        yield* sandbox.reset
        yield* sandbox.inject({ fault: { type: "status", status: 500, code: "SYSTEM_ERROR" }, times: "always" })
        const exhausted = yield* settle(collectingLogs(update.pipe(WechatPay.withRetry(Schedule.recurs(1)))))
        expect(exhausted.lines.filter((l) => l.message.includes("retrying"))).toHaveLength(1)
        yield* sandbox.reset
        yield* sandbox.inject({ fault: { type: "status", status: 500, code: "SYSTEM_ERROR" } })
        yield* sandbox.inject({ fault: { type: "status", status: 400, code: "PARAM_ERROR" } })
        const refused = yield* settle(collectingLogs(update))
        expect(refused.lines.filter((l) => l.message.includes("retrying"))).toHaveLength(1)
      }))
  })
})

describe("timeouts and the deadline", () => {
  layer(Sandbox.layer({ ...keyOptions, client: { retry: WechatPay.defaultSchedule() } }))((it) => {
    it.effect("default per-attempt timeout is 10 s: TransportError reason Timeout, nothing applied", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "delay", millis: 60_000 } })
        const call = yield* Effect.fork(Effect.exit(update.pipe(WechatPay.withoutRetry)))
        yield* advance(9999)
        expect(yield* Fiber.poll(call)).toEqual(Option.none())
        yield* advance(1)
        const e = failureOf(yield* Fiber.join(call))
        expect(e).toMatchObject({ _tag: "TransportError", reason: "Timeout" })
        expect((e as { message: string }).message).toContain("no answer within 10s")
        expect(yield* objectivesOf(sandbox)).toBe(0)
      }))

    it.effect("a timed-out attempt is retried, and the retry succeeds", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "delay", millis: 60_000 } })
        const exit = yield* runFor(update)
        expect(exit._tag).toBe("Success")
        expect(yield* sandbox.requests).toHaveLength(2)
        expect(yield* objectivesOf(sandbox)).toBe(1)
      }))

    it.effect("the default 30 s deadline stops the retries: TransportError reason Deadline", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "delay", millis: 120_000 }, times: "always" })
        const call = yield* Effect.fork(Effect.exit(update))
        yield* advance(29999)
        expect(yield* Fiber.poll(call)).toEqual(Option.none())
        yield* advance(1)
        const e = failureOf(yield* Fiber.join(call))
        expect(e).toMatchObject({ _tag: "TransportError", reason: "Deadline" })
        expect((e as { message: string }).message).toContain("30s deadline")
        // 10 s + back-off + 10 s + back-off + what is left
        expect(yield* sandbox.requests).toHaveLength(3)
      }))
  })

  layer(Sandbox.layer({ ...keyOptions, client: { retry: WechatPay.defaultSchedule(), timeout: "2 seconds", deadline: "5 seconds" } }))((it) => {
    it.effect("both are configurable: 2 s per attempt, 5 s per call", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "delay", millis: 1_000_000 }, times: "always" })
        const single = yield* Effect.fork(Effect.exit(update.pipe(WechatPay.withoutRetry)))
        yield* advance(1999)
        expect(yield* Fiber.poll(single)).toEqual(Option.none())
        yield* advance(1)
        expect(failureOf(yield* Fiber.join(single))).toMatchObject({ _tag: "TransportError", reason: "Timeout" })

        const whole = yield* Effect.fork(Effect.exit(update))
        yield* advance(4999)
        expect(yield* Fiber.poll(whole)).toEqual(Option.none())
        yield* advance(1)
        expect(failureOf(yield* Fiber.join(whole))).toMatchObject({ _tag: "TransportError", reason: "Deadline" })
      }))
  })
})
