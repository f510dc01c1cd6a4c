/**
 * Each injectable fault, asserted through the client's typed errors, with whether the request's
 * business effect happened (see the table in `src/sandbox/Faults.ts`).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Fiber, Layer, Option, Schema, TestClock } from "effect"
import { DiscountCard, MembercardOpen, WechatPay } from "../../src/api/index.js"
import { callbackTamperings } from "../../src/sandbox/Callbacks.js"
import { Fault, faultKindDocs, planOf } from "../../src/sandbox/Faults.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { signatureTamperingKinds } from "../../src/sandbox/Protocol.js"
import { docs, fresh, keyOptions, objectivesOf } from "./support.js"

const ORDER = "233bcbf407e87789b8e471f251774f95"
const ORDER_PATH = `/v3/discount-card/orders/${ORDER}`


const update = DiscountCard.updateOrder(docs.updateOrder)

describe("faults", () => {
  layer(Sandbox.layer(keyOptions))((it) => {
    it.effect("status faults become the typed errors, and nothing is applied", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        const cases = [
          [{ type: "status", status: 500, code: "SYSTEM_ERROR" }, "SystemError"],
          [{ type: "status", status: 503, code: "SERVICE_UNAVAILABLE" }, "ServiceUnavailable"],
          [{ type: "status", status: 429, code: "RATELIMIT_EXCEEDED" }, "FrequencyLimited"],
          [{ type: "status", status: 403, code: "NO_AUTH", message: "商户无权限", detail: { issue: "no permission" } }, "NoAuth"],
          [{ type: "status", status: 400, code: "SOMETHING_NEW" }, "UnknownApiError"]
        ] as const
        for (const [fault, tag] of cases) {
          yield* sandbox.inject({ fault })
          const e = yield* Effect.flip(update.pipe(WechatPay.withoutRetry))
          expect([e._tag, (e as { status?: number }).status]).toEqual([tag, fault.status])
          if (fault.code === "NO_AUTH") expect(e).toMatchObject({ message: "商户无权限", detail: { issue: "no permission" } })
        }
        expect(yield* objectivesOf(sandbox)).toBe(0)
        expect((yield* sandbox.requests).map((r) => r.fault)).toEqual(Array(5).fill("status"))
      }))

    it.effect("a 5xx fault is hidden by the retry, and applied once", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "status", status: 500, code: "SYSTEM_ERROR" }, times: 2 })
        expect((yield* update).order_id).toBe("15646546545165651651")
        expect((yield* sandbox.requests).map((r) => r.status)).toEqual([500, 500, 200])
        expect(yield* objectivesOf(sandbox)).toBe(1)
        // Three times is more than the layer's two retries.
        yield* sandbox.inject({ fault: { type: "status", status: 500, code: "SYSTEM_ERROR" }, times: 3 })
        expect((yield* Effect.flip(update))._tag).toBe("SystemError")
      }))

    it.effect("faults match by path template, method and count; 'always' lasts until cleared", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ path: "/v3/marketing/membercard-open/*", fault: { type: "status", status: 403, code: "NO_AUTH" } })
        yield* sandbox.inject({ path: "/v3/discount-card/orders/{out_order_no}", method: "GET", fault: { type: "status", status: 500, code: "SYSTEM_ERROR" } })
        expect((yield* update).out_order_no).toBe(ORDER)
        expect((yield* Effect.flip(MembercardOpen.prepareBonus(docs.prepareBonus)))._tag).toBe("NoAuth")
        yield* MembercardOpen.prepareBonus(docs.prepareBonus)

        yield* sandbox.inject({ path: ORDER_PATH, fault: { type: "status", status: 404, code: "RESOURCE_NOT_EXISTS" }, times: "always" })
        for (let i = 0; i < 3; i++) expect((yield* Effect.flip(update))._tag).toBe("ResourceNotExists")
        yield* sandbox.clearFaults
        expect((yield* update).out_order_no).toBe(ORDER)
      }))

    it.effect("a dropped connection is a TransportError; before the handler nothing is applied, after it the change stays", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "drop" } })
        const before = yield* Effect.flip(update.pipe(WechatPay.withoutRetry))
        expect([before._tag, (before as { reason?: string }).reason]).toEqual(["TransportError", "Reset"])
        expect(yield* objectivesOf(sandbox)).toBe(0)

        yield* sandbox.inject({ fault: { type: "drop", afterHandler: true } })
        expect((yield* Effect.flip(update.pipe(WechatPay.withoutRetry)))._tag).toBe("TransportError")
        expect(yield* objectivesOf(sandbox)).toBe(1)
        // The merchant repeats the lost call: same answer, recorded once.
        expect((yield* update).order_id).toBe("15646546545165651651")
        expect(yield* objectivesOf(sandbox)).toBe(1)
      }))

    it.effect("spoiled signatures fail verification, and the change was applied", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        const cases = [
          ["bad-signature", "BadSignature"],
          ["missing-signature-headers", "MissingHeaders"],
          ["stale-timestamp", "StaleTimestamp"],
          ["unknown-serial", "UnknownSerial"],
          ["signature-probe", "SignatureProbe"]
        ] as const
        for (const [type, reason] of cases) {
          yield* sandbox.reset
          yield* sandbox.inject({ fault: { type } })
          const e = yield* Effect.flip(update)
          expect([type, e._tag, (e as { reason?: string }).reason]).toEqual([type, "ResponseVerificationError", reason])
          expect(yield* objectivesOf(sandbox)).toBe(1)
          // Verification failures are never retried.
          expect(yield* sandbox.requests).toHaveLength(1)
        }
        // A 204 is verified too.
        yield* sandbox.inject({ fault: { type: "bad-signature" } })
        expect((yield* Effect.flip(MembercardOpen.prepareBonus(docs.prepareBonus)))._tag).toBe("ResponseVerificationError")
      }))

    it.effect("a garbage body replaces the answer: UnexpectedSuccess when signed as a 200, UnexpectedResponse otherwise; nothing applied", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "garbage-body" } })
        const ok = yield* Effect.flip(update)
        expect([ok._tag, (ok as { status?: number }).status]).toEqual(["UnexpectedSuccess", 200])
        yield* sandbox.inject({ fault: { type: "garbage-body", status: 502, body: "upstream timed out" } })
        const bad = yield* Effect.flip(update.pipe(WechatPay.withoutRetry))
        expect(bad).toMatchObject({ _tag: "UnexpectedResponse", status: 502, body: "upstream timed out" })
        expect(yield* objectivesOf(sandbox)).toBe(0)
      }))

    it.effect("a delay holds the answer back (on the Effect clock), then applies", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "delay", millis: 120 } })
        const call = yield* Effect.fork(update)
        yield* TestClock.adjust("119 millis")
        expect(yield* Fiber.poll(call)).toEqual(Option.none())
        yield* TestClock.adjust("1 millis")
        expect((yield* Fiber.join(call)).order_id).toBe("15646546545165651651")
        expect(yield* objectivesOf(sandbox)).toBe(1)
      }))
  })

  layer(Sandbox.layer({ ...keyOptions, client: { timeout: "30 millis" } }))((it) => {
    it.effect("a delay longer than the client's timeout is a Timeout", () =>
      Effect.gen(function*() {
        const sandbox = yield* fresh
        yield* sandbox.inject({ fault: { type: "delay", millis: 500 } })
        const call = yield* Effect.fork(Effect.flip(update.pipe(WechatPay.withoutRetry)))
        yield* TestClock.adjust("30 millis")
        const e = yield* Fiber.join(call)
        expect([e._tag, (e as { reason?: string }).reason]).toEqual(["TransportError", "Timeout"])
      }))
  })

  layer(Sandbox.layerServer(keyOptions).pipe(Layer.provide(NodeHttpClient.layerUndici)), { excludeTestServices: true })((it) => {
    it.effect("over loopback a drop destroys the socket: TransportError, then the retry succeeds", () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        yield* sandbox.inject({ fault: { type: "drop" } })
        const e = yield* Effect.flip(update.pipe(WechatPay.withoutRetry))
        expect(e._tag).toBe("TransportError")
        yield* sandbox.inject({ fault: { type: "drop" } })
        expect((yield* update).order_id).toBe("15646546545165651651")
        expect((yield* sandbox.requests).map((r) => r.status)).toEqual([undefined, undefined, 200])
      }))
  })
})

describe("the fault registry", () => {
  const readme = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), "../../README.md"), "utf8")

  it("every fault type and callback tampering comes from one table and is named in the README", () => {
    const types = faultKindDocs().map((k) => k.type)
    expect(types).toEqual(["status", "garbage-body", "drop", "delay", ...signatureTamperingKinds])
    expect(Object.keys(callbackTamperings)).toEqual(["tampered-body", ...signatureTamperingKinds])
    for (const name of new Set([...types, ...Object.keys(callbackTamperings)])) expect([name, readme.includes(name)]).toEqual([name, true])
  })

  it("each kind's plan says how it applies", () => {
    const decode = Schema.decodeUnknownSync(Fault)
    expect(planOf(decode({ type: "delay", millis: 5 }))).toEqual({ delayMillis: 5 })
    expect(planOf(decode({ type: "drop" }))).toEqual({ drop: "before" })
    expect(planOf(decode({ type: "drop", afterHandler: true }))).toEqual({ drop: "after" })
    expect(planOf(decode({ type: "garbage-body" }))).toEqual({ replace: { status: 200, body: "<html><body>502 Bad Gateway</body></html>" } })
    expect(planOf(decode({ type: "status", status: 503, code: "SYSTEM_ERROR" })).replace?.status).toBe(503)
    for (const t of signatureTamperingKinds) expect(planOf(decode({ type: t }))).toEqual({ tampering: t })
    expect(() => decode({ type: "lost-in-space" })).toThrow()
  })
})
