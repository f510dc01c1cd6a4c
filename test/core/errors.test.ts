/**
 * Each status/code → its tagged error, for each of the four endpoints (answers from an in-memory
 * HttpClient; 4xx/5xx are not signed, as WeChat Pay often sends them). Retries are left on in the
 * layer and turned off per call with `WechatPay.withoutRetry`.
 */
import { Accepted, successInterpreter } from "../../src/internal/interpret.js"
import { SendConsumptionCardResponse } from "../../src/schemas/busifavor.js"
import { examples } from "../../src/v3/examples/index.js"
import { v3 } from "../../src/v3/index.js"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, TestClock, Fiber } from "effect"
import { Busifavor, DiscountCard, MembercardOpen, WechatPay } from "../../src/api/index.js"
import type { WechatPayClient } from "../../src/api/WechatPayClient.js"
import { clientLayer } from "../support/client.js"
import { testKeys } from "../support/keys.js"
import { type Answer, memoryHttp } from "../support/memoryClient.js"
import * as samples from "../support/samples.js"
import { OPENID } from "../support/constants.js"

const keys = testKeys()
const BASE = "https://api.mch.weixin.qq.com"

const endpoints: ReadonlyArray<readonly [string, Effect.Effect<unknown, { readonly _tag: string }, WechatPayClient>]> = [
  ["DiscountCard.addUserRecords", DiscountCard.addUserRecords(samples.addUserRecords)],
  ["DiscountCard.updateOrder", DiscountCard.updateOrder(samples.updateOrder)],
  ["Busifavor.sendConsumptionCard", Busifavor.sendConsumptionCard(samples.sendConsumptionCard)],
  ["MembercardOpen.prepareBonus", MembercardOpen.prepareBonus(samples.prepareBonus)],
  ["WechatPay.request", WechatPay.request({ method: "POST", path: "/v3/x/{id}", params: { id: "1" }, body: { a: 1 } })]
]

const jsonBody = (code: string | undefined, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...(code === undefined ? {} : { code }), message: "出错了", ...extra })

const cases: ReadonlyArray<readonly [string, Answer, string]> = [
  ["400 PARAM_ERROR", { status: 400, body: jsonBody("PARAM_ERROR") }, "ParamError"],
  ["400 INVALID_REQUEST", { status: 400, body: jsonBody("INVALID_REQUEST") }, "InvalidRequest"],
  ["401 SIGN_ERROR", { status: 401, body: jsonBody("SIGN_ERROR") }, "SignError"],
  ["403 NO_AUTH", { status: 403, body: jsonBody("NO_AUTH") }, "NoAuth"],
  ["404 RESOURCE_NOT_EXISTS", { status: 404, body: jsonBody("RESOURCE_NOT_EXISTS") }, "ResourceNotExists"],
  ["429 FREQUENCY_LIMITED", { status: 429, body: jsonBody("FREQUENCY_LIMITED") }, "FrequencyLimited"],
  ["429 RATELIMIT_EXCEEDED", { status: 429, body: jsonBody("RATELIMIT_EXCEEDED") }, "FrequencyLimited"],
  ["429 RATE_LIMITED", { status: 429, body: jsonBody("RATE_LIMITED") }, "FrequencyLimited"],
  ["429 with another documented code", { status: 429, body: jsonBody("SYSTEM_ERROR") }, "FrequencyLimited"],
  ["429 without a code", { status: 429, body: "{\"message\":\"slow down\"}" }, "FrequencyLimited"],
  ["429 with an empty body", { status: 429, body: "" }, "FrequencyLimited"],
  ["429 with an HTML body", { status: 429, body: "<html>429 Too Many Requests</html>" }, "FrequencyLimited"],
  ["500 SYSTEM_ERROR", { status: 500, body: jsonBody("SYSTEM_ERROR") }, "SystemError"],
  ["503 SERVICE_UNAVAILABLE", { status: 503, body: jsonBody("SERVICE_UNAVAILABLE") }, "ServiceUnavailable"],
  ["502 SERVICE_UNAVAILABLE", { status: 502, body: jsonBody("SERVICE_UNAVAILABLE") }, "ServiceUnavailable"],
  ["400 undocumented code", { status: 400, body: jsonBody("SOMETHING_NEW") }, "UnknownApiError"],
  ["404 undocumented code", { status: 404, body: jsonBody("USER_NOT_EXISTS") }, "UnknownApiError"],
  ["500 non-JSON body", { status: 500, body: "<html><body>502 Bad Gateway</body></html>" }, "UnexpectedResponse"],
  ["502 empty body", { status: 502, body: "" }, "UnexpectedResponse"],
  ["400 JSON without a code", { status: 400, body: "{\"message\":\"no code\"}" }, "UnexpectedResponse"],
  ["400 JSON array", { status: 400, body: "[\"PARAM_ERROR\"]" }, "UnexpectedResponse"],
  ["400 JSON string", { status: 400, body: "\"PARAM_ERROR\"" }, "UnexpectedResponse"],
  ["400 code of the wrong type", { status: 400, body: "{\"code\":400,\"message\":\"x\"}" }, "UnexpectedResponse"],
  ["400 invalid UTF-8", { status: 400, body: new Uint8Array([0x7b, 0xff, 0x7d]) }, "UnexpectedResponse"]
]

/** Runs `call` against an in-memory server answering `answer`, the layer's default retries on. */
const against = <A, E>(answer: Answer, call: Effect.Effect<A, E, WechatPayClient>) => {
  const http = memoryHttp(() => ({ ...answer, headers: { "content-type": "application/json", "request-id": "08F78BB5AF0610D302", ...answer.headers } }))
  return call.pipe(Effect.exit, Effect.provide(clientLayer(keys, BASE, http.layer, { retry: undefined })), Effect.map((exit) => ({ exit, sent: http.sent })))
}

describe("status and code → tagged error", () => {
  for (const [endpoint, call] of endpoints) {
    describe(endpoint, () => {
      for (const [name, answer, tag] of cases) {
        it.effect(`${name} → ${tag}`, () =>
          Effect.gen(function*() {
            const { exit, sent } = yield* against(answer, WechatPay.withoutRetry(call))
            expect(sent).toHaveLength(1)
            const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
            expect(error?._tag).toBe(tag)
            const e = error as unknown as Record<string, unknown>
            expect(e["status"]).toBe(answer.status)
            if (tag !== "UnexpectedResponse" && typeof answer.body === "string" && answer.body.startsWith("{")) {
              const body = JSON.parse(answer.body) as { code?: string; message?: string }
              expect(e["code"]).toBe(body.code ?? "")
              expect(e["message"]).toBe(body.message)
            }
            expect(e["requestId"]).toBe("08F78BB5AF0610D302")
          }))
      }
    })
  }

  it.effect("the error keeps `detail` as open data (PARAM_ERROR shape and SIGN_ERROR's nested shape)", () =>
    Effect.gen(function*() {
      const detail = { field: "/amount", value: -1, issue: "must be > 0", location: "body" }
      const a = yield* against({ status: 400, body: jsonBody("PARAM_ERROR", { detail }) }, WechatPay.withoutRetry(DiscountCard.updateOrder(samples.updateOrder)))
      expect(a.exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "ParamError", detail } } })
      const nested = { detail: { issue: "sign not match" }, sign_information: { method: "POST", truncated_sign_message: "POST\n/v3…\n" } }
      const b = yield* against({ status: 401, body: jsonBody("SIGN_ERROR", { detail: nested }) }, WechatPay.withoutRetry(DiscountCard.updateOrder(samples.updateOrder)))
      expect(b.exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "SignError", detail: nested } } })
    }))

  it.effect("UnexpectedResponse keeps the status and the start of the raw body", () =>
    Effect.gen(function*() {
      const { exit } = yield* against({ status: 500, body: "<html>" + "x".repeat(2000) }, WechatPay.withoutRetry(DiscountCard.updateOrder(samples.updateOrder)))
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "UnexpectedResponse", status: 500 } } })
      const body = (exit as unknown as { cause: { error: { body: string } } }).cause.error.body
      expect(body.startsWith("<html>xxx")).toBe(true)
      expect(body.length).toBeLessThanOrEqual(512)
    }))

  it.effect("without withoutRetry, the layer's default schedule retries a 500 with fresh signatures and the same body", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(against({ status: 500, body: jsonBody("SYSTEM_ERROR") }, DiscountCard.updateOrder(samples.updateOrder)))
      yield* TestClock.adjust("1 minute")
      const { exit, sent } = yield* Fiber.join(fiber)
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "SystemError" } } })
      expect(sent).toHaveLength(4)
      expect(new Set(sent.map((s) => s.body)).size).toBe(1)
      expect(new Set(sent.map((s) => s.headers["authorization"])).size).toBe(4)
    }))

  it.effect("a 400 is never retried, even with the default schedule", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(against({ status: 400, body: jsonBody("PARAM_ERROR") }, DiscountCard.updateOrder(samples.updateOrder)))
      yield* TestClock.adjust("1 minute")
      const { sent } = yield* Fiber.join(fiber)
      expect(sent).toHaveLength(1)
    }))
})

describe("verified answers are decoded for types and presence only", () => {
  const answer = (body: string) => ({ status: 200, body, requestId: "req-1" })
  it.effect("a value longer than the documented maximum is accepted", () =>
    Effect.gen(function*() {
      const long = "9".repeat(40) // card_code is documented as at most 15 characters
      const decoded = yield* successInterpreter(SendConsumptionCardResponse)(answer(JSON.stringify({ card_code: long })))
      expect(decoded.card_code).toBe(long)
    }))

  it.effect("a field the schema does not declare stays on the value, at any depth (never dropped)", () =>
    Effect.gen(function*() {
      const body = { card_code: "125004100000001", added_later: { nested: [1, 2] } }
      const decoded = yield* successInterpreter(SendConsumptionCardResponse)(answer(JSON.stringify(body)))
      expect(decoded).toEqual(body)
      // the generated by-id order query: the catalogue's answer has no payer, WeChat Pay's does
      const query = v3.pay.transactions.id._transaction_id_.get.spec.schemas().success
      const order = { ...(examples[v3.pay.transactions.id._transaction_id_.get.spec.name] as object), payer: { openid: OPENID } }
      expect(yield* successInterpreter(query)(answer(JSON.stringify(order)))).toMatchObject({ payer: { openid: OPENID } })
    }))

  it.effect("a wrong type or a missing field is UnexpectedSuccess, with the raw body and Request-ID to reconcile with", () =>
    Effect.gen(function*() {
      for (const body of ["{\"card_code\":5}", "{}", "not json"]) {
        const e = yield* Effect.flip(successInterpreter(SendConsumptionCardResponse)(answer(body)))
        expect(e).toMatchObject({ _tag: "UnexpectedSuccess", status: 200, body, requestId: "req-1" })
      }
    }))
})

describe("a documented 202", () => {
  it.effect("is the success of an endpoint declared Accepted, and 'repeat the request' for any other", () =>
    Effect.gen(function*() {
      const answer = { status: 202, body: "", requestId: "req-2" }
      expect(yield* successInterpreter(Accepted)(answer)).toBeUndefined()
      const e = yield* Effect.flip(successInterpreter(SendConsumptionCardResponse)(answer))
      expect(e).toMatchObject({ _tag: "UnexpectedResponse", status: 202 })
    }))
})
