/**
 * Input fuzz: 4-byte characters, over-long strings, control characters and path separators in
 * path parameters and body fields. Each input is either refused (`RequestValidationError`, nothing
 * sent) or sent safely encoded: every path parameter in its own segment, decoding to itself, and
 * the body's JSON equal to the input. Never a wrong path.
 */
import { expect, layer } from "@effect/vitest"
import { Effect, Layer, Redacted, Schedule } from "effect"
import * as fc from "fast-check"
import { Busifavor, DiscountCard, MembercardOpen, WechatPay } from "../../src/api/index.js"
import { memoryHttp } from "../support/memoryClient.js"
import { property } from "../support/property.js"
import { docs, outcomeOf, sharedOptions } from "./support.js"
import { merchant, platform } from "../sandbox/support.js"
import { MCHID } from "../support/constants.js"

const http = memoryHttp(() => ({ status: 404, body: "{\"code\":\"RESOURCE_NOT_EXISTS\",\"message\":\"none\"}" }))
const client = WechatPay.layer({
  mchid: MCHID,
  merchantSerialNumber: sharedOptions.merchantSerialNumber,
  merchantPrivateKey: Redacted.make(merchant.privateKey),
  platform: { publicKeyId: sharedOptions.platformPublicKeyId, publicKey: platform.publicKey },
  baseUrl: "http://wechatpay.invalid",
  backupBaseUrl: null,
  retry: Schedule.stop
}).pipe(Layer.provide(http.layer), Layer.orDie)

const hostileChar = fc.oneof(
  fc.constantFrom("/", "\\", ".", "..", "?", "#", "%", "%2F", "%2e", "&", "=", "+", " ", "\u0000", "\r", "\n", "\t", "\u007f", "\u2028", "\uFEFF"),
  fc.constantFrom("😀", "𠀀", "\uD83D", "\uDE00"), // 4-byte characters and lone surrogates
  fc.string({ unit: "grapheme", maxLength: 3 }),
  fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), maxLength: 3 })
)
const hostile = fc.oneof(
  { weight: 6, arbitrary: fc.array(hostileChar, { maxLength: 8 }).map((parts) => parts.join("")) },
  { weight: 1, arbitrary: fc.integer({ min: 30, max: 5000 }).map((n) => "a".repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom("", ".", "..", "./..", "../../v3/other") }
)

type Case = {
  readonly name: string
  readonly prefix: ReadonlyArray<string>
  readonly call: (value: string) => Effect.Effect<unknown, unknown, import("../../src/api/WechatPayClient.js").WechatPayClient>
  /** Expected path segments after the prefix (decoded), given the value. */
  readonly segments: (value: string) => ReadonlyArray<string>
  readonly body?: (value: string) => unknown
}

const cases: ReadonlyArray<Case> = [
  {
    name: "updateOrder out_order_no",
    prefix: ["v3", "discount-card", "orders"],
    call: (v) => DiscountCard.updateOrder({ ...docs.updateOrder, out_order_no: v }),
    segments: (v) => [v]
  },
  {
    name: "addUserRecords out_card_code",
    prefix: ["v3", "discount-card", "cards"],
    call: (v) => DiscountCard.addUserRecords({ ...docs.addUserRecords, out_card_code: v }),
    segments: (v) => [v, "add-user-records"]
  },
  {
    name: "sendConsumptionCard card_id",
    prefix: ["v3", "marketing", "busifavor", "coupons"],
    call: (v) => Busifavor.sendConsumptionCard({ ...docs.sendConsumptionCard, card_id: v }),
    segments: (v) => [v, "send"]
  },
  {
    name: "prepareBonus card_id and code",
    prefix: ["v3", "marketing", "membercard-open", "cards"],
    call: (v) => MembercardOpen.prepareBonus({ ...docs.prepareBonus, card_id: v, code: v }),
    segments: (v) => [v, "codes", v, "bonus", "prepare"]
  },
  {
    name: "WechatPay.request param",
    prefix: ["v3", "any"],
    call: (v) => WechatPay.request({ method: "POST", path: "/v3/any/{id}/thing", params: { id: v }, body: { note: v } }),
    segments: (v) => [v, "thing"],
    body: (v) => ({ note: v })
  },
  {
    name: "updateOrder body text (remark)",
    prefix: ["v3", "discount-card", "orders"],
    call: (v) => DiscountCard.updateOrder({ ...docs.updateOrder, objectives: [{ ...docs.updateOrder.objectives[0]!, remark: v }] }),
    segments: () => [docs.updateOrder.out_order_no],
    body: (v) => ({ objectives: [{ ...docs.updateOrder.objectives[0]!, remark: v }], rewards: docs.updateOrder.rewards })
  }
]

layer(client)("hostile inputs", (it) => {
  for (const c of cases) {
    it.effect(`${c.name}: RequestValidationError with nothing sent, or one request on the right path`, () =>
      property(hostile, (value) =>
        Effect.gen(function*() {
          http.sent.length = 0
          const outcome = outcomeOf(yield* Effect.exit(c.call(value)))
          expect(outcome._tag).toBe("Typed")
          const tag = outcome._tag === "Typed" ? outcome.error._tag : ""
          if (tag === "RequestValidationError") {
            expect(http.sent).toHaveLength(0)
            return
          }
          // sent: it reached the (404-answering) server exactly once, on the path it was meant for
          expect(tag).toBe("ResourceNotExists")
          expect(http.sent).toHaveLength(1)
          const sent = http.sent[0]!
          expect(sent.url).not.toContain("?")
          const segments = sent.url.split("/").slice(1)
          expect(segments.slice(0, c.prefix.length)).toEqual(c.prefix)
          expect(segments.slice(c.prefix.length).map(decodeURIComponent)).toEqual(c.segments(value))
          // only printable ASCII on the request line
          expect([...sent.url].every((ch) => ch > " " && ch < "\u007f")).toBe(true)
          if (c.body !== undefined) expect(JSON.parse(sent.body!)).toEqual(c.body(value))
          // never a 4-byte character or a lone surrogate on the wire
          expect(/[\uD800-\uDFFF]/.test(sent.body ?? "")).toBe(false)
        }), { numRuns: 150, examples: [["😀"], ["a/b"], [".."], ["a".repeat(4000)], ["\u0000"], ["%2F"]] }))
  }
})

layer(client)("hostile query values (WechatPay.request)", (it) => {
  it.effect("RequestValidationError with nothing sent, or a query that decodes back to the value", () =>
    property(hostile, (value) =>
      Effect.gen(function*() {
        http.sent.length = 0
        const outcome = outcomeOf(yield* Effect.exit(WechatPay.request({ method: "GET", path: "/v3/q", query: { v: value } })))
        expect(outcome._tag).toBe("Typed")
        const tag = outcome._tag === "Typed" ? outcome.error._tag : ""
        if (tag === "RequestValidationError") {
          expect(http.sent).toHaveLength(0)
          expect(/[\uD800-\uDFFF]/.test(value)).toBe(true)
          return
        }
        expect(tag).toBe("ResourceNotExists")
        const url = new URL("http://h" + http.sent[0]!.url)
        expect(url.pathname).toBe("/v3/q")
        expect(url.searchParams.get("v")).toBe(value)
      }), { numRuns: 150, examples: [["\uD83D"], ["a&b=c"], ["😀"]] }))
})
