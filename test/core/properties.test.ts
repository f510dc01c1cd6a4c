/**
 * Properties over real HTTP (127.0.0.1) against the independent server:
 * - any schema-valid input reaches the server with an Authorization that verifies (plain
 *   node:crypto, merchant public key) over exactly the received method, raw path+query and body bytes;
 * - flipping any byte of a signed 2xx body, timestamp or nonce gives ResponseVerificationError;
 * - every 2xx lacking any signature header is rejected, 204 included.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as fc from "fast-check"
import { Busifavor, DiscountCard, MembercardOpen, WechatPay } from "../../src/api/index.js"
import * as A from "../support/arbitraries.js"
import { serverAndClient } from "../support/client.js"
import { property } from "../support/property.js"
import { IndependentServer, type Received } from "../support/independentServer.js"
import { testKeys } from "../support/keys.js"
import * as samples from "../support/samples.js"
import { AddUserRecordsRequest, PrepareBonusRequest, SendConsumptionCardRequest, UpdateOrderRequest } from "../support/inputSchemas.js"

const keys = testKeys()
const RUNS = { numRuns: 40 }

/** The path's segments, each percent-decoded once. */
const segments = (url: string) => url.split("?")[0]!.split("/").slice(1).map(decodeURIComponent)

const without = <T extends Record<string, unknown>>(o: T, ...ks: ReadonlyArray<string>) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !ks.includes(k)))

/** The one request the server got: signed (checked independently) over what arrived, with the expected body. */
const expectSigned = (received: ReadonlyArray<Received>, method: string, expectedSegments: ReadonlyArray<string>, body: unknown) => {
  expect(received).toHaveLength(1)
  const r = received[0]!
  expect(r.auth).toMatchObject({ ok: true })
  expect(r.method).toBe(method)
  expect(r.url).not.toContain("?")
  expect(segments(r.url)).toEqual(expectedSegments)
  expect(JSON.parse(r.body.toString("utf8"))).toEqual(body)
}

layer(serverAndClient(keys), { excludeTestServices: true })("properties over HTTP", (it) => {
  it.effect("addUserRecords: any valid input arrives signed over the received bytes", () =>
    property(A.addUserRecordsInput, (input) => Effect.gen(function*() {
      expect(Schema.is(AddUserRecordsRequest)(input)).toBe(true)
      const server = yield* IndependentServer
      server.reset()
      yield* DiscountCard.addUserRecords(input)
      expectSigned(server.received, "POST", ["v3", "discount-card", "cards", input.out_card_code, "add-user-records"], without(input, "out_card_code"))
    }), RUNS))

  it.effect("updateOrder: any valid input arrives signed over the received bytes", () =>
    property(A.updateOrderInput, (input) => Effect.gen(function*() {
      expect(Schema.is(UpdateOrderRequest)(input)).toBe(true)
      const server = yield* IndependentServer
      server.reset()
      const result = yield* DiscountCard.updateOrder(input)
      expect(result.out_order_no).toBe(input.out_order_no)
      expectSigned(server.received, "PATCH", ["v3", "discount-card", "orders", input.out_order_no], without(input, "out_order_no"))
    }), RUNS))

  it.effect("sendConsumptionCard: any valid input arrives signed over the received bytes", () =>
    property(A.sendConsumptionCardInput, (input) => Effect.gen(function*() {
      expect(Schema.is(SendConsumptionCardRequest)(input)).toBe(true)
      const server = yield* IndependentServer
      server.reset()
      yield* Busifavor.sendConsumptionCard(input)
      expectSigned(server.received, "POST", ["v3", "marketing", "busifavor", "coupons", input.card_id, "send"], without(input, "card_id"))
    }), RUNS))

  it.effect("prepareBonus: any valid input arrives signed over the received bytes", () =>
    property(A.prepareBonusInput, (input) => Effect.gen(function*() {
      expect(Schema.is(PrepareBonusRequest)(input)).toBe(true)
      const server = yield* IndependentServer
      server.reset()
      yield* MembercardOpen.prepareBonus(input)
      expectSigned(
        server.received,
        "POST",
        ["v3", "marketing", "membercard-open", "cards", input.card_id, "codes", input.code, "bonus", "prepare"],
        without(input, "card_id", "code")
      )
    }), RUNS))

  const bmpJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      A.boundedString(0, 12),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(A.boundedString(1, 6), tie("value"), { maxKeys: 3 })
    )
  })).value
  const anyRequest = fc.record({
    method: fc.constantFrom("GET" as const, "POST" as const, "PUT" as const, "PATCH" as const, "DELETE" as const),
    id: A.pathParam(1, 20),
    query: fc.dictionary(A.boundedString(1, 6), A.boundedString(0, 10), { maxKeys: 3 }),
    body: bmpJson
  })

  it.effect("WechatPay.request: any method, params, query and JSON body arrive signed over the received bytes", () =>
    property(anyRequest, (r) => Effect.gen(function*() {
      const server = yield* IndependentServer
      server.reset()
      server.setHandler((req) => (req.auth.ok ? { status: 204 } : { status: 401, body: "{\"code\":\"SIGN_ERROR\",\"message\":\"x\"}" }))
      const withBody = r.method !== "GET" && r.method !== "DELETE"
      yield* WechatPay.request({ method: r.method, path: "/v3/any/{id}/thing", params: { id: r.id }, query: r.query, ...(withBody ? { body: r.body } : {}) })
      expect(server.received).toHaveLength(1)
      const got = server.received[0]!
      expect(got.auth).toMatchObject({ ok: true })
      expect(got.method).toBe(r.method)
      const [path, query] = got.url.split("?")
      expect(segments(path!)).toEqual(["v3", "any", r.id, "thing"])
      expect(Object.fromEntries(new URLSearchParams(query ?? ""))).toEqual(r.query)
      if (withBody) expect(got.body.toString("utf8")).toBe(JSON.stringify(r.body))
      else expect(got.body.length).toBe(0)
    }), RUNS))

  const printable = fc.integer({ min: 0x21, max: 0x7e })
  const flip = fc.oneof(
    fc.record({ target: fc.constant("body" as const), index: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ target: fc.constantFrom("timestamp" as const, "nonce" as const), index: fc.nat(), char: printable })
  )

  it.effect("flipping any byte of a signed 200 body, timestamp or nonce → ResponseVerificationError", () =>
    property(flip, (f) => Effect.gen(function*() {
      const server = yield* IndependentServer
      server.reset()
      let changed = false
      server.setHandler(() => ({
        status: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ out_order_no: samples.updateOrder.out_order_no, order_id: "订单-30000000000000000001" }),
        tamper: (s) => {
          if (f.target === "body") {
            const body = Buffer.from(s.body)
            body[f.index % body.length]! ^= f.xor
            changed = true
            return { ...s, body }
          }
          const value = s[f.target]
          const i = f.index % value.length
          const c = String.fromCharCode(f.char === value.charCodeAt(i) ? (f.char === 0x7e ? 0x21 : f.char + 1) : f.char)
          changed = true
          return { ...s, [f.target]: value.slice(0, i) + c + value.slice(i + 1) }
        }
      }))
      const error = yield* Effect.flip(DiscountCard.updateOrder(samples.updateOrder))
      expect(changed).toBe(true)
      expect(error._tag).toBe("ResponseVerificationError")
    }), { numRuns: 150 }))

  it.effect(
    "flipping any byte of a 204's timestamp or nonce → ResponseVerificationError",
    () =>
      property(fc.tuple(fc.constantFrom("timestamp" as const, "nonce" as const), fc.nat(), printable), ([target, index, char]) => Effect.gen(function*() {
        const server = yield* IndependentServer
        server.reset()
        server.setHandler(() => ({
          status: 204,
          tamper: (s) => {
            const i = index % s[target].length
            const c = String.fromCharCode(char === s[target].charCodeAt(i) ? (char === 0x7e ? 0x21 : char + 1) : char)
            return { ...s, [target]: s[target].slice(0, i) + c + s[target].slice(i + 1) }
          }
        }))
        const error = yield* Effect.flip(MembercardOpen.prepareBonus(samples.prepareBonus))
        expect(error._tag).toBe("ResponseVerificationError")
      }), RUNS)
  )

  const SIGNATURE_HEADERS = ["wechatpay-timestamp", "wechatpay-nonce", "wechatpay-signature", "wechatpay-serial"]
  const unsigned = fc.record({
    status: fc.oneof(fc.constantFrom(200, 201, 202, 204), fc.integer({ min: 200, max: 299 })),
    omit: fc.subarray(SIGNATURE_HEADERS, { minLength: 1 }),
    endpoint: fc.constantFrom("updateOrder" as const, "addUserRecords" as const)
  })

  it.effect("every 2xx missing any signature header is rejected (MissingHeaders), 204 included", () =>
    property(unsigned, (u) => Effect.gen(function*() {
      const server = yield* IndependentServer
      server.reset()
      const bodyless = u.status === 204 || u.status === 205
      server.setHandler(() => ({
        status: u.status,
        headers: { "content-type": "application/json" },
        body: bodyless ? undefined : JSON.stringify({ out_order_no: samples.updateOrder.out_order_no, order_id: "1" }),
        omit: u.omit
      }))
      const call = u.endpoint === "updateOrder" ? DiscountCard.updateOrder(samples.updateOrder) : DiscountCard.addUserRecords(samples.addUserRecords)
      const error = yield* Effect.flip(call)
      expect(error).toMatchObject({ _tag: "ResponseVerificationError", reason: "MissingHeaders" })
    }), { numRuns: 60, examples: [[{ status: 204, omit: SIGNATURE_HEADERS, endpoint: "addUserRecords" }]] }))

  it.effect("a 2xx with no signature at all is rejected, 204 included", () =>
    Effect.gen(function*() {
      const server = yield* IndependentServer
      for (const status of [200, 204]) {
        server.reset()
        server.setHandler(() => ({ status, sign: false, body: status === 204 ? undefined : "{\"out_order_no\":\"x\",\"order_id\":\"y\"}" }))
        const error = yield* Effect.flip(DiscountCard.updateOrder(samples.updateOrder))
        expect(error).toMatchObject({ _tag: "ResponseVerificationError", reason: "MissingHeaders" })
        const error204 = yield* Effect.flip(DiscountCard.addUserRecords(samples.addUserRecords))
        expect(error204).toMatchObject({ _tag: "ResponseVerificationError", reason: "MissingHeaders" })
      }
    }))
})

layer(serverAndClient(keys), { excludeTestServices: true })("the exact bytes are verified", (it) => {
  it.effect("a signed body that starts with a BOM verifies (the BOM is part of the signed bytes), then fails to decode", () =>
    Effect.gen(function*() {
      const server = yield* IndependentServer
      server.setHandler(() => ({ status: 200, body: Buffer.from("\uFEFF{\"out_order_no\":\"1\",\"order_id\":\"2\"}", "utf8") }))
      const error = yield* Effect.flip(DiscountCard.updateOrder(samples.updateOrder))
      // signed, so WeChat Pay said success: the caller is told to reconcile, with the raw body
      expect(error).toMatchObject({ _tag: "UnexpectedSuccess", status: 200, body: "\uFEFF{\"out_order_no\":\"1\",\"order_id\":\"2\"}" })
    }))

  it.effect("a 2xx body of invalid UTF-8 whose lossy reading matches a genuine signature is still never accepted", () =>
    Effect.gen(function*() {
      const server = yield* IndependentServer
      server.setHandler(() => ({
        status: 200,
        body: "{\"out_order_no\":\"1\",\"order_id\":\"\uFFFD\"}",
        // the replacement character's bytes swapped for an invalid byte after signing
        tamper: (s) => ({ ...s, body: Buffer.from(s.body.toString("latin1").replace("\u00ef\u00bf\u00bd", "\u00ff"), "latin1") })
      }))
      const error = yield* Effect.flip(DiscountCard.updateOrder(samples.updateOrder))
      expect(error).toMatchObject({ _tag: "UnexpectedResponse", message: "the body is not valid UTF-8" })
    }))
})
