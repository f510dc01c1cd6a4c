/**
 * End to end over real HTTP on 127.0.0.1 with real RSA keys: the four endpoints and
 * `WechatPay.request` through the client, over fetch and over undici, against a server that
 * checks every signature with plain node:crypto.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, type Layer, Schema } from "effect"
import { readFileSync } from "node:fs"
import { Busifavor, DiscountCard, MembercardOpen, WechatPay } from "../../src/api/index.js"
import { VERSION } from "../../src/core/version.js"
import { clientLayer, serverAndClient } from "../support/client.js"
import { IndependentServer, type Received } from "../support/independentServer.js"
import { generateKeyPair, testKeys } from "../support/keys.js"
import * as samples from "../support/samples.js"
import { MCHID } from "../support/constants.js"

const keys = testKeys()

const transports: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["FetchHttpClient.layer", FetchHttpClient.layer],
  ["NodeHttpClient.layerUndici", NodeHttpClient.layerUndici]
]

const expectWellFormed = (r: Received, method: string, path: string, body: unknown) => {
  expect(r.auth).toMatchObject({ ok: true })
  expect(r.method).toBe(method)
  expect(r.url).toBe(path)
  expect(r.headers["accept"]).toBe("application/json")
  if (body === undefined) {
    expect(r.body.length).toBe(0)
  } else {
    expect(r.headers["content-type"]).toMatch(/^application\/json/)
    expect(JSON.parse(r.body.toString("utf8"))).toEqual(body)
  }
  expect(r.headers["user-agent"]).toMatch(/^effect-wechatpay\/\d+\.\d+\.\d+\S* \([a-z0-9]+[^)]*\) node\/\d+\.\d+\.\d+$/)
  expect(r.headers["user-agent"]).toContain(`effect-wechatpay/${VERSION} (${process.platform}`)
  expect(r.headers["user-agent"]).toContain(`node/${process.versions.node}`)
  for (const h of ["traceparent", "tracestate", "b3", "x-b3-traceid", "x-b3-spanid", "x-b3-sampled"]) expect(r.headers).not.toHaveProperty(h)
}

/** Runs inside a parent span, so a client that propagated traces would have something to send. */
const traced = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.withSpan(self, "test.parent")

describe("version", () => {
  it("VERSION equals package.json's version", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
    expect(VERSION).toBe(pkg.version)
  })
})

for (const [name, http] of transports) {
  layer(serverAndClient(keys, http), { excludeTestServices: true })(`end to end over ${name}`, (it) => {
    it.effect("DiscountCard.addUserRecords: signed POST, verified 204", () =>
      Effect.gen(function*() {
        const server = yield* IndependentServer
        server.reset()
        const result = yield* traced(DiscountCard.addUserRecords(samples.addUserRecords))
        expect(result).toBeUndefined()
        expect(server.received).toHaveLength(1)
        const { out_card_code, ...body } = samples.addUserRecords
        expectWellFormed(server.received[0]!, "POST", `/v3/discount-card/cards/${out_card_code}/add-user-records`, body)
      }))

    it.effect("DiscountCard.updateOrder: signed PATCH, verified 200 decoded", () =>
      Effect.gen(function*() {
        const server = yield* IndependentServer
        server.reset()
        const result = yield* traced(DiscountCard.updateOrder(samples.updateOrder))
        expect(result).toEqual({ out_order_no: samples.updateOrder.out_order_no, order_id: "30000000000000000001" })
        const { out_order_no, ...body } = samples.updateOrder
        expectWellFormed(server.received[0]!, "PATCH", `/v3/discount-card/orders/${out_order_no}`, body)
      }))

    it.effect("Busifavor.sendConsumptionCard: signed POST, verified 200 decoded", () =>
      Effect.gen(function*() {
        const server = yield* IndependentServer
        server.reset()
        const result = yield* traced(Busifavor.sendConsumptionCard(samples.sendConsumptionCard))
        expect(result).toEqual({ card_code: "125004100000001" })
        const { card_id, ...body } = samples.sendConsumptionCard
        expectWellFormed(server.received[0]!, "POST", `/v3/marketing/busifavor/coupons/${card_id}/send`, body)
      }))

    it.effect("MembercardOpen.prepareBonus: signed POST, verified 204", () =>
      Effect.gen(function*() {
        const server = yield* IndependentServer
        server.reset()
        const result = yield* traced(MembercardOpen.prepareBonus(samples.prepareBonus))
        expect(result).toBeUndefined()
        const { card_id, code, ...body } = samples.prepareBonus
        expectWellFormed(server.received[0]!, "POST", `/v3/marketing/membercard-open/cards/${card_id}/codes/${code}/bonus/prepare`, body)
      }))

    it.effect("WechatPay.request: any endpoint by URL template, with a query string, decoded by a schema", () =>
      Effect.gen(function*() {
        const server = yield* IndependentServer
        server.reset()
        server.setHandler((r) =>
          r.auth.ok
            ? { status: 200, body: JSON.stringify({ echo: r.url }), headers: { "content-type": "application/json" } }
            : { status: 401, body: "{\"code\":\"SIGN_ERROR\",\"message\":\"bad\"}" }
        )
        const result = yield* traced(WechatPay.request({
          method: "GET",
          path: "/v3/discount-card/orders/{out_order_no}",
          params: { out_order_no: "A 1/2" },
          query: { mchid: MCHID, note: "a&b=c" },
          success: Schema.Struct({ echo: Schema.String })
        }))
        const path = `/v3/discount-card/orders/A%201%2F2?mchid=${MCHID}&note=a%26b%3Dc`
        expect(result).toEqual({ echo: path })
        expectWellFormed(server.received[0]!, "GET", path, undefined)
        expect(server.received[0]!.headers).not.toHaveProperty("content-type")
      }))

    it.effect("control: a plain HttpClient in the same span does send trace headers, so the check above can fail", () =>
      Effect.gen(function*() {
        const server = yield* IndependentServer
        server.reset()
        yield* HttpClient.get(`${server.url}/control`).pipe(Effect.scoped, traced, Effect.provide(http))
        const headers = server.received[0]!.headers
        expect(headers["traceparent"] !== undefined || headers["b3"] !== undefined).toBe(true)
      }))

    it.effect("the independent server rejects a request signed by another key: SignError", () =>
      Effect.gen(function*() {
        const server = yield* IndependentServer
        server.reset()
        const impostor = { merchant: generateKeyPair(), platform: keys.platform }
        const error = yield* Effect.flip(DiscountCard.updateOrder(samples.updateOrder)).pipe(
          Effect.provide(clientLayer(impostor, server.url, http))
        )
        expect(error._tag).toBe("SignError")
        expect(server.received[0]!.auth).toEqual({ ok: false, reason: "bad signature" })
      }))
  })
}
