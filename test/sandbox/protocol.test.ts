/**
 * The protocol as a client in another language sees it: a request signed with nothing but
 * `node:crypto` and sent with `fetch` is accepted; each malformed Authorization is 401 SIGN_ERROR;
 * every answer (2xx, 204, errors, 404) is signed with the platform key; the control routes work.
 */
import { describe, expect, layer } from "@effect/vitest"
import * as crypto from "node:crypto"
import * as http from "node:http"
import { Effect, Layer } from "effect"
import { Sandbox } from "../../src/sandbox/index.js"
import { docs, keyOptions, merchant, platform } from "./support.js"
import { OTHER_MCHID, OTHER_SERIAL } from "../support/constants.js"

interface Raw {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
}

interface SignParts {
  method: string
  signedUrl: string
  signedBody: string
  timestamp: number
  nonce: string
  mchid: string
  serial: string
  key: string
  scheme: string
  /** Replaces the whole parameter list after the scheme. */
  params?: string
}

const sign = (p: SignParts): string => {
  const message = `${p.method}\n${p.signedUrl}\n${p.timestamp}\n${p.nonce}\n${p.signedBody}\n`
  const signature = crypto.sign("sha256", Buffer.from(message), crypto.createPrivateKey(p.key)).toString("base64")
  return `${p.scheme} ${p.params ?? `mchid="${p.mchid}",nonce_str="${p.nonce}",signature="${signature}",timestamp="${p.timestamp}",serial_no="${p.serial}"`}`
}

const nonce = () => crypto.randomBytes(16).toString("hex")

/** Checks an answer's signature with the platform public key, by hand. */
const verifyAnswer = (r: Raw, platformPublicKeyId: string) => {
  expect(r.headers["wechatpay-serial"]).toBe(platformPublicKeyId)
  expect(r.headers["wechatpay-signature-type"]).toBe("WECHATPAY2-SHA256-RSA2048")
  expect(r.headers["request-id"]).toBeTruthy()
  const ts = Number(r.headers["wechatpay-timestamp"])
  expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(300)
  const message = `${r.headers["wechatpay-timestamp"]}\n${r.headers["wechatpay-nonce"]}\n${r.body}\n`
  expect(crypto.verify("sha256", Buffer.from(message), platform.publicKey, Buffer.from(r.headers["wechatpay-signature"]!, "base64"))).toBe(true)
}

const fetchRaw = (url: string, init: RequestInit) =>
  Effect.promise(async (): Promise<Raw> => {
    const res = await fetch(url, init)
    const headers: Record<string, string> = {}
    res.headers.forEach((value, name) => {
      headers[name] = value
    })
    return { status: res.status, headers, body: await res.text() }
  })

/** node:http adds no default User-Agent or Accept (fetch does). */
const httpRaw = (url: string, method: string, headers: Record<string, string>, body: string) =>
  Effect.async<Raw>((resume) => {
    const req = http.request(url, { method, headers }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () =>
        resume(Effect.succeed({ status: res.statusCode!, headers: res.headers as Record<string, string>, body: Buffer.concat(chunks).toString("utf8") })))
    })
    req.end(body)
  })

describe("a client without our signing code", () => {
  // Live clock: the hand-written client signs with Date.now().
  layer(Layer.empty, { excludeTestServices: true })((it) => {
    it.scoped("is accepted, and every malformed Authorization is 401 SIGN_ERROR", () =>
      Effect.gen(function*() {
        const server = yield* Sandbox.make(keyOptions)
        const path = `/v3/discount-card/orders/${docs.updateOrder.out_order_no}`
        const body = JSON.stringify({ objectives: docs.updateOrder.objectives })
        const good = (): SignParts => ({
          method: "PATCH",
          signedUrl: path,
          signedBody: body,
          timestamp: Math.floor(Date.now() / 1000),
          nonce: nonce(),
          mchid: server.mchid,
          serial: server.merchantSerialNumber,
          key: merchant.privateKey,
          scheme: "WECHATPAY2-SHA256-RSA2048"
        })
        const send = (parts: SignParts, options: { url?: string; body?: string } = {}) =>
          fetchRaw(server.url + (options.url ?? path), {
            method: "PATCH",
            headers: {
              authorization: sign(parts),
              accept: "application/json",
              "content-type": "application/json",
              "user-agent": "plain-fetch/1.0"
            },
            body: options.body ?? body
          })

        const ok = yield* send(good())
        expect(ok.status).toBe(200)
        expect(JSON.parse(ok.body)).toEqual({ out_order_no: docs.updateOrder.out_order_no, order_id: "15646546545165651651" })
        verifyAnswer(ok, server.platformPublicKeyId)

        const cases: ReadonlyArray<readonly [string, SignParts, { url?: string; body?: string }, string]> = [
          ["a missing field", { ...good(), params: `mchid="${server.mchid}",nonce_str="abc",signature="x",timestamp="1"` }, {}, "authorization"],
          ["a renamed field", { ...good(), params: `mchid="${server.mchid}",nonce="abc",signature="x",timestamp="1",serial_no="${server.merchantSerialNumber}"` }, {}, "authorization"],
          ["the wrong key", { ...good(), key: platform.privateKey }, {}, "signature"],
          ["a stale timestamp", { ...good(), timestamp: Math.floor(Date.now() / 1000) - 301 }, {}, "timestamp"],
          ["a body changed after signing", good(), { body: body.replace("购买商品", "购买商品!") }, "signature"],
          ["the query dropped from the signed URL", good(), { url: `${path}?trace=1` }, "signature"],
          ["another method signed", { ...good(), method: "POST" }, {}, "signature"],
          ["the wrong mchid", { ...good(), mchid: OTHER_MCHID }, {}, "mchid"],
          ["the wrong serial", { ...good(), serial: OTHER_SERIAL }, {}, "serial_no"],
          ["the wrong scheme", { ...good(), scheme: "WECHATPAY2-SHA256-RSA4096" }, {}, "schema"]
        ]
        for (const [name, parts, options, field] of cases) {
          const r = yield* send(parts, options)
          const answer = JSON.parse(r.body)
          expect([name, r.status, answer.code]).toEqual([name, 401, "SIGN_ERROR"])
          expect([name, answer.detail.field]).toEqual([name, field])
          expect(answer.detail.location).toBe("authorization")
          verifyAnswer(r, server.platformPublicKeyId)
        }
        const mismatch = JSON.parse((yield* send(good(), { url: `${path}?trace=1` })).body)
        expect(mismatch.detail.sign_information.url).toBe(`${path}?trace=1`)
        expect(mismatch.detail.detail.issue).toBe("sign not match")

        // Only the good request reached the order.
        const state = yield* server.state
        expect(state.discountCardOrders[docs.updateOrder.out_order_no]!.objectives).toHaveLength(1)
      }))

    it.scoped("signs 204s, errors and unknown routes; refuses a missing User-Agent or Accept", () =>
      Effect.gen(function*() {
        const server = yield* Sandbox.make(keyOptions)
        const send = (method: string, path: string, body: string, headers: Record<string, string> = {}) => {
          const timestamp = Math.floor(Date.now() / 1000)
          const n = nonce()
          const authorization = sign({
            method,
            signedUrl: path,
            signedBody: body,
            timestamp,
            nonce: n,
            mchid: server.mchid,
            serial: server.merchantSerialNumber,
            key: merchant.privateKey,
            scheme: "WECHATPAY2-SHA256-RSA2048"
          })
          return httpRaw(server.url + path, method, { authorization, "content-type": "application/json", ...headers }, body)
        }
        const standard = { accept: "application/json", "user-agent": "raw-http/1.0" }
        const prepare = `/v3/marketing/membercard-open/cards/478515832665/codes/478515832665/bonus/prepare`
        const { card_id: _c, code: _k, ...prepareBody } = docs.prepareBonus

        const noContent = yield* send("POST", prepare, JSON.stringify(prepareBody), standard)
        expect(noContent.status).toBe(204)
        expect(noContent.body).toBe("")
        verifyAnswer(noContent, server.platformPublicKeyId)

        const missing = yield* send("POST", "/v3/discount-card/orders/nope", "{}", standard)
        expect(missing.status).toBe(404)
        expect(JSON.parse(missing.body).code).toBe("NOT_FOUND")
        verifyAnswer(missing, server.platformPublicKeyId)

        const paramError = yield* send("PATCH", "/v3/discount-card/orders/x", JSON.stringify({ objectives: [] }), standard)
        expect(paramError.status).toBe(400)
        expect(JSON.parse(paramError.body)).toMatchObject({ code: "PARAM_ERROR", detail: { field: "/objectives", location: "body" } })
        verifyAnswer(paramError, server.platformPublicKeyId)

        for (const [name, headers] of [["User-Agent", { accept: "application/json" }], ["Accept", { "user-agent": "raw-http/1.0" }]] as const) {
          const r = yield* send("POST", prepare, JSON.stringify(prepareBody), headers)
          expect(r.status).toBe(400)
          expect(JSON.parse(r.body)).toMatchObject({ code: "PARAM_ERROR", message: "Http头缺少Accept或User-Agent", detail: { field: name, location: "header" } })
          verifyAnswer(r, server.platformPublicKeyId)
        }
      }))

    it.scoped("seeds, injects faults and shows state over HTTP", () =>
      Effect.gen(function*() {
        const server = yield* Sandbox.make({ ...keyOptions, seed: false })
        const control = (method: string, path: string, body?: unknown) =>
          fetchRaw(`${server.url}/__sandbox/${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
        expect((yield* control("POST", "seed", { consumptionCards: [{ card_id: "pCard", appid: "wxapp" }] })).status).toBe(204)
        expect((yield* control("POST", "seed", { consumptionCards: [{ card_id: 1 }] })).status).toBe(400)
        const state = JSON.parse((yield* control("GET", "state")).body)
        expect(state.consumptionCards).toEqual({ pCard: { card_id: "pCard", appid: "wxapp", sent: [] } })

        expect((yield* control("POST", "faults", { path: "/v3/marketing/busifavor/coupons/{card_id}/send", fault: { type: "status", status: 503, code: "SERVICE_UNAVAILABLE" } })).status)
          .toBe(204)
        expect((yield* control("POST", "faults", { fault: { type: "nonsense" } })).status).toBe(400)
        const path = "/v3/marketing/busifavor/coupons/pCard/send"
        const body = JSON.stringify({ appid: "wxapp", openid: "o1", out_request_no: "R1", send_time: new Date().toISOString() })
        const timestamp = Math.floor(Date.now() / 1000)
        const n = nonce()
        const headers = {
          authorization: sign({ method: "POST", signedUrl: path, signedBody: body, timestamp, nonce: n, mchid: server.mchid, serial: server.merchantSerialNumber, key: merchant.privateKey, scheme: "WECHATPAY2-SHA256-RSA2048" }),
          accept: "application/json",
          "content-type": "application/json",
          "user-agent": "plain-fetch/1.0"
        }
        const faulted = yield* fetchRaw(server.url + path, { method: "POST", headers, body })
        expect(faulted.status).toBe(503)
        expect(JSON.parse(faulted.body).code).toBe("SERVICE_UNAVAILABLE")
        const served = yield* fetchRaw(server.url + path, { method: "POST", headers, body })
        expect(served.status).toBe(200)
        verifyAnswer(served, server.platformPublicKeyId)

        const requests = JSON.parse((yield* control("GET", "requests")).body) as Array<{ url: string; status: number; fault?: string; nonce: string; timestamp: string; body: string }>
        expect(requests.map((r) => [r.status, r.fault ?? null])).toEqual([[503, "status"], [200, null]])
        expect(requests[1]).toMatchObject({ url: path, nonce: n, timestamp: String(timestamp), body })
        expect((yield* control("POST", "reset")).status).toBe(204)
        expect(JSON.parse((yield* control("GET", "requests")).body)).toEqual([])
      }))
  })
})
