/**
 * The four endpoints through the real client against the sandbox: in memory (`Sandbox.layer`)
 * and over loopback (`Sandbox.make` / `layerServer` with a real HTTP client). The docs' examples
 * run verbatim against the default seed.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import * as crypto from "node:crypto"
import * as http from "node:http"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Busifavor, DiscountCard, MembercardOpen, WechatPay } from "../../src/api/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { authorizationHeader, requestMessage } from "../../src/signing/crypto.js"
import { docs, keyOptions, merchant } from "./support.js"
import { MCHID, SUB_MCHID } from "../support/constants.js"

const allFour = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  yield* sandbox.reset
  const added = yield* DiscountCard.addUserRecords(docs.addUserRecords)
  const updated = yield* DiscountCard.updateOrder(docs.updateOrder)
  const sent = yield* Busifavor.sendConsumptionCard(docs.sendConsumptionCard)
  const prepared = yield* MembercardOpen.prepareBonus(docs.prepareBonus)
  expect(added).toBeUndefined()
  expect(updated).toEqual({ out_order_no: "233bcbf407e87789b8e471f251774f95", order_id: "15646546545165651651" })
  expect(sent.card_code).toMatch(/^\d{12}$/)
  expect(prepared).toBeUndefined()

  const state = yield* sandbox.state
  const card = state.discountCards["6e8369071cd942c0476613f9d1ce9ca3"]!
  expect(card.objective_completion_records).toEqual(docs.addUserRecords.objective_completion_records)
  expect(card.reward_usage_records).toEqual(docs.addUserRecords.reward_usage_records)
  const order = state.discountCardOrders["233bcbf407e87789b8e471f251774f95"]!
  expect(order.objectives).toEqual(docs.updateOrder.objectives)
  expect(order.rewards).toEqual(docs.updateOrder.rewards)
  expect(state.consumptionCards["pIJMr5MMiIkO_93VtPyIiEk2DZ4w"]!.sent).toEqual([
    {
      out_request_no: docs.sendConsumptionCard.out_request_no,
      openid: docs.sendConsumptionCard.openid,
      send_time: docs.sendConsumptionCard.send_time,
      card_code: sent.card_code
    }
  ])
  expect(state.memberCards["478515832665"]!.codes["478515832665"]!.bonus_prepared).toEqual([
    { out_trade_no: "1217752501201407033233368018", mchid: MCHID, sub_mchid: SUB_MCHID, bonus_value: 30 }
  ])

  const requests = yield* sandbox.requests
  expect(requests.map((r) => `${r.method} ${r.url} ${r.status}`)).toEqual([
    "POST /v3/discount-card/cards/6e8369071cd942c0476613f9d1ce9ca3/add-user-records 204",
    "PATCH /v3/discount-card/orders/233bcbf407e87789b8e471f251774f95 200",
    "POST /v3/marketing/busifavor/coupons/pIJMr5MMiIkO_93VtPyIiEk2DZ4w/send 200",
    "POST /v3/marketing/membercard-open/cards/478515832665/codes/478515832665/bonus/prepare 204"
  ])
  for (const r of requests) {
    expect(r.nonce).toMatch(/^[0-9A-Za-z]{32}$/)
    expect(r.timestamp).toMatch(/^\d+$/)
    expect(r.userAgent).toMatch(/^effect-wechatpay\//)
    expect(r.requestId).toMatch(/^[0-9A-F]{40}$/)
  }
  expect(JSON.parse(requests[3]!.body)).toEqual({
    out_trade_no: "1217752501201407033233368018",
    mchid: MCHID,
    sub_mchid: SUB_MCHID,
    bonus_value: 30
  })
})

describe("in memory", () => {
  layer(Sandbox.layer(keyOptions))((it) => {
    it.effect("runs the docs' examples of all four endpoints and records them", () => allFour)

    it.effect("a repeat of the same requests changes nothing and answers the same", () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        yield* allFour
        const before = yield* sandbox.state
        const firstCode = before.consumptionCards["pIJMr5MMiIkO_93VtPyIiEk2DZ4w"]!.sent[0]!.card_code
        yield* DiscountCard.addUserRecords(docs.addUserRecords)
        yield* DiscountCard.updateOrder(docs.updateOrder)
        const again = yield* Busifavor.sendConsumptionCard(docs.sendConsumptionCard)
        yield* MembercardOpen.prepareBonus(docs.prepareBonus)
        expect(again.card_code).toBe(firstCode)
        expect(yield* sandbox.state).toEqual(before)
        expect(yield* sandbox.requests).toHaveLength(8)
      }))

    it.effect("seeds from code and serves the new entities", () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        yield* sandbox.reset
        yield* sandbox.seed({ memberCards: [{ card_id: "pMyCard", codes: [{ code: "C-1" }] }] })
        yield* MembercardOpen.prepareBonus({ card_id: "pMyCard", code: "C-1", out_trade_no: "T1", mchid: sandbox.mchid, bonus_value: 5 })
        const state = yield* sandbox.state
        expect(state.memberCards["pMyCard"]!.codes["C-1"]!.bonus_prepared).toEqual([{ out_trade_no: "T1", mchid: MCHID, bonus_value: 5 }])
      }))
  })

  layer(Sandbox.layer({ ...keyOptions, seed: false }))((it) => {
    it.effect("seed: false starts empty", () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        expect(yield* sandbox.state).toEqual({ discountCards: {}, discountCardOrders: {}, consumptionCards: {}, memberCards: {} })
        const e = yield* Effect.flip(DiscountCard.updateOrder(docs.updateOrder))
        expect(e._tag).toBe("ResourceNotExists")
      }))
  })
})

describe("over loopback", () => {
  layer(Sandbox.layerServer(keyOptions).pipe(Layer.provide(NodeHttpClient.layerUndici)))((it) => {
    it.effect("runs all four endpoints over HTTP (undici)", () => allFour)
  })

  layer(Sandbox.layerServer(keyOptions).pipe(Layer.provide(FetchHttpClient.layer)))((it) => {
    it.effect("runs all four endpoints over HTTP (fetch)", () => allFour)
  })

  layer(Layer.empty)((it) => {
    it.scoped("Sandbox.make gives a URL, credentials and a client layer", () =>
      Effect.gen(function*() {
        const server = yield* Sandbox.make(keyOptions)
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        expect(server.platformPublicKeyId).toMatch(/^PUB_KEY_ID_\d+$/)
        expect(server.mchid).toBe(MCHID)
        const updated = yield* DiscountCard.updateOrder(docs.updateOrder).pipe(
          Effect.provide(server.clientLayer().pipe(Layer.provide(NodeHttpClient.layerUndici)))
        )
        expect(updated.order_id).toBe("15646546545165651651")
        expect((yield* server.requests).map((r) => r.status)).toEqual([200])
      }))
  })
})

describe("on the wire", () => {
  it.scopedLive("headers on the wire are spelled as WeChat Pay spells them (Request-ID, Wechatpay-*)", () =>
    Effect.gen(function*() {
      const server = yield* Sandbox.make(keyOptions)
      const raw = yield* Effect.async<ReadonlyArray<string>>((resume) => {
        http.get(server.url + "/v3/certificates", (res) => {
          res.resume()
          resume(Effect.succeed(res.rawHeaders.filter((_, i) => i % 2 === 0)))
        })
      })
      // unsigned request: a SIGN_ERROR answer, still with WeChat Pay's header names
      expect(raw).toEqual(expect.arrayContaining(["Request-ID", "Content-Type"]))
      expect(raw.filter((n) => n !== n.toLowerCase() || n === "")).toEqual(raw)
      // a signed request: the answer carries every Wechatpay-* header, spelled the same way
      const url = `/v3/discount-card/orders/${docs.updateOrder.out_order_no}`
      const body = JSON.stringify({ objectives: docs.updateOrder.objectives })
      const timestamp = Math.floor(Date.now() / 1000)
      const nonce = "0123456789abcdef0123456789abcdef"
      const signature = crypto.sign("sha256", Buffer.from(requestMessage({ method: "PATCH", url, timestamp, nonce, body })), merchant.privateKey).toString("base64")
      const headers = {
        "Content-Type": "application/json",
        Accept: "application/json",
        "User-Agent": "raw-test",
        Authorization: authorizationHeader({ mchid: server.mchid, serialNo: server.merchantSerialNumber, nonce, timestamp, signature })
      }
      const answer = yield* Effect.async<{ readonly status: number; readonly names: ReadonlyArray<string> }>((resume) => {
        http.request(server.url + url, { method: "PATCH", headers }, (res) => {
          res.resume()
          resume(Effect.succeed({ status: res.statusCode ?? 0, names: res.rawHeaders.filter((_, i) => i % 2 === 0) }))
        }).end(body)
      })
      expect(answer.status).toBe(200)
      expect(answer.names).toEqual(expect.arrayContaining([
        "Request-ID", "Wechatpay-Nonce", "Wechatpay-Serial", "Wechatpay-Signature", "Wechatpay-Signature-Type", "Wechatpay-Timestamp", "Content-Type"
      ]))
    }))
})

describe("merchant serial numbers", () => {
  // A certificate serial is a number: WeChat Pay matches it whatever the case and with or without
  // a leading zero byte. (A generated serial starting with "00" once made this suite flaky.)
  const serial = "00B2C4D6E8F0123456789ABCDEF0123456789ABC"
  const clientWithSerial = (sandbox: Sandbox.SandboxService, merchantSerialNumber: string) =>
    Layer.orDie(WechatPay.layer({ ...sandbox.wechatPayOptions({ baseUrl: "http://sandbox.invalid", backupBaseUrl: null }), merchantSerialNumber })).pipe(
      Layer.provide(Layer.succeed(HttpClient.HttpClient, sandbox.httpClient))
    )
  for (const [label, sandboxSerial, clientSerial] of [
    ["a leading zero byte on the client's side only", serial.slice(2), serial],
    ["a leading zero byte on the sandbox's side only", serial, serial.slice(2)],
    ["lower case", serial, serial.toLowerCase()]
  ] as const) {
    layer(Sandbox.layer({ ...keyOptions, merchantSerialNumber: sandboxSerial }))((it) => {
      it.effect(`are matched as numbers: ${label}`, () =>
        Effect.gen(function*() {
          const sandbox = yield* Sandbox.Sandbox
          const updated = yield* DiscountCard.updateOrder(docs.updateOrder).pipe(Effect.provide(clientWithSerial(sandbox, clientSerial)))
          expect(updated.order_id).toBe("15646546545165651651")
        }))
    })
  }

  layer(Sandbox.layer({ ...keyOptions, merchantSerialNumber: "11B2C4D6E8F0123456789ABCDEF0123456789ABC" }))((it) => {
    it.effect("another serial is 401 SIGN_ERROR", () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const e = yield* Effect.flip(DiscountCard.updateOrder(docs.updateOrder).pipe(Effect.provide(clientWithSerial(sandbox, serial))))
        expect(e._tag).toBe("SignError")
      }))
  })
})
