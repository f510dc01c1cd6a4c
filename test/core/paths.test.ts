/**
 * Path parameters never change the request path: each is percent-encoded once into its own
 * segment, or refused with RequestValidationError before anything is sent. Asserted on the raw
 * path the server received, over fetch and undici.
 */
import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import * as fc from "fast-check"
import { DiscountCard, MembercardOpen, WechatPay } from "../../src/api/index.js"
import * as A from "../support/arbitraries.js"
import { serverAndClient } from "../support/client.js"
import { IndependentServer } from "../support/independentServer.js"
import { testKeys } from "../support/keys.js"
import { property } from "../support/property.js"
import * as samples from "../support/samples.js"

const keys = testKeys()

const TRICKY = [
  "a/b?c#d", "a/../b", "../x", "./x", "x/..", "..a", "a..", "...", "a b", " ", "a\r\nb", "\r\n", "\n", "\t",
  "%2F", "a%2Fb", "%2e%2e", "%2E", "%", "%zz", "a+b", "a&b=c", "a;b", "@:", "'()*!~", "\\", "\\..\\", "\u0000",
  "中文/订单", "#", "?", "?a=1", "//", "http://evil.example/x", "\u2028", "\uFEFF", "é"
]

/** One segment of pchar/percent-escapes: it cannot end the path, start a query or fragment, or be a dot segment. */
const ONE_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-F]{2})+$/

const expectSegment = (segment: string, original: string) => {
  expect(segment).toMatch(ONE_SEGMENT)
  expect(segment).not.toBe(".")
  expect(segment).not.toBe("..")
  expect(decodeURIComponent(segment)).toBe(original)
}

const transports: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["fetch", FetchHttpClient.layer],
  ["undici", NodeHttpClient.layerUndici]
]

for (const [name, http] of transports) {
  layer(serverAndClient(keys, http), { excludeTestServices: true })(`path parameters over ${name}`, (it) => {
    it.effect("updateOrder: tricky out_order_no values stay inside their one segment, encoded once", () =>
      Effect.gen(function*() {
        const server = yield* IndependentServer
        for (const value of TRICKY) {
          server.reset()
          const result = yield* DiscountCard.updateOrder({ ...samples.updateOrder, out_order_no: value })
          expect(server.received).toHaveLength(1)
          const r = server.received[0]!
          expect(r.auth).toMatchObject({ ok: true })
          const prefix = "/v3/discount-card/orders/"
          expect(r.url.startsWith(prefix)).toBe(true)
          expectSegment(r.url.slice(prefix.length), value)
          expect(result.out_order_no).toBe(value)
        }
      }))

    it.effect("prepareBonus: two tricky parameters, each in its own segment", () =>
      Effect.gen(function*() {
        const server = yield* IndependentServer
        for (const [card_id, code] of [["a/b", "c?d"], ["..a", "#"], ["a b", "\r\n"], ["%2F", "%252F"]]) {
          server.reset()
          yield* MembercardOpen.prepareBonus({ ...samples.prepareBonus, card_id: card_id!, code: code! })
          const r = server.received[0]!
          expect(r.auth).toMatchObject({ ok: true })
          const m = /^\/v3\/marketing\/membercard-open\/cards\/([^/]+)\/codes\/([^/]+)\/bonus\/prepare$/.exec(r.url)
          expect(m).not.toBeNull()
          expectSegment(m![1]!, card_id!)
          expectSegment(m![2]!, code!)
        }
      }))

    it.effect("WechatPay.request: params encoded once; the query is encoded and signed as sent", () =>
      Effect.gen(function*() {
        const server = yield* IndependentServer
        server.reset()
        yield* WechatPay.request({
          method: "GET",
          path: "/v3/discount-card/orders/{out_order_no}",
          params: { out_order_no: "a/b?c#d" },
          query: { "k y": "v&=?#/ 中" }
        }).pipe(Effect.ignore)
        const r = server.received[0]!
        expect(r.auth).toMatchObject({ ok: true })
        const [path, query] = r.url.split("?")
        expectSegment(path!.slice("/v3/discount-card/orders/".length), "a/b?c#d")
        expect(new URLSearchParams(query).get("k y")).toBe("v&=?#/ 中")
      }))

    it.effect("\".\" and \"..\" are refused: RequestValidationError and nothing reaches the server", () =>
      Effect.gen(function*() {
        const server = yield* IndependentServer
        server.reset()
        for (const value of [".", ".."]) {
          const a = yield* Effect.flip(DiscountCard.updateOrder({ ...samples.updateOrder, out_order_no: value }))
          const b = yield* Effect.flip(MembercardOpen.prepareBonus({ ...samples.prepareBonus, code: value }))
          const c = yield* Effect.flip(WechatPay.request({ method: "GET", path: "/v3/x/{id}", params: { id: value } }))
          expect([a._tag, b._tag, c._tag]).toEqual(["RequestValidationError", "RequestValidationError", "RequestValidationError"])
        }
        expect(server.received).toHaveLength(0)
      }))

    it.effect("property: any schema-valid out_order_no is one segment that decodes to itself", () =>
      property(fc.oneof(A.pathParam(1, 64), fc.constantFrom(...TRICKY)), (value) =>
        Effect.gen(function*() {
          const server = yield* IndependentServer
          server.reset()
          yield* DiscountCard.updateOrder({ ...samples.updateOrder, out_order_no: value })
          const r = server.received[0]!
          expect(r.auth).toMatchObject({ ok: true })
          expectSegment(r.url.slice("/v3/discount-card/orders/".length), value)
        }), { numRuns: 60 }))
  })
}
