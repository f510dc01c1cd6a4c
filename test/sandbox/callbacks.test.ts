/**
 * The sandbox's callbacks on the wire, checked independently of our Notifications module: a plain
 * node:http receiver, the signature verified with node:crypto, the resource decrypted with the
 * APIv3 key. Plus the busifavor callbacks endpoint's rules and the control routes.
 */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as crypto from "node:crypto"
import { Effect, Redacted } from "effect"
import { WechatPay } from "../../src/api/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { aeadDecrypt } from "../../src/signing/crypto.js"
import { type Received, receiver } from "../support/callbacks.js"
import { OTHER_MCHID } from "../support/constants.js"
import { keyOptions, platform } from "./support.js"

const control = (sandbox: Sandbox.SandboxService, method: string, path: string, body?: unknown) =>
  Effect.gen(function*() {
    const request = HttpServerRequest.fromWeb(new Request(`http://sandbox/__sandbox${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }))
    const web = HttpServerResponse.toWeb(yield* Effect.provideService(sandbox.app, HttpServerRequest.HttpServerRequest, request))
    return { status: web.status, text: yield* Effect.promise(() => web.text()) }
  })

describe("sandbox callbacks", () => {
  it.scopedLive("are signed with the platform key over ts/nonce/body and carry an AEAD-encrypted resource", () =>
    Effect.gen(function*() {
      const { received, url } = yield* receiver()
      const sandbox = yield* Effect.provide(Sandbox.Sandbox, Sandbox.layer({ ...keyOptions, callbacks: { notifyUrl: url } }))
      const resource = { event_type: "ACCEPT_CARD", card_id: "c1", code: "k1", event_time: "2026-11-22T10:00:00+08:00", openid: "o1" }
      const delivery = yield* sandbox.notify("MEMBERCARD.ACCEPT_CARD", resource)
      expect(delivery).toMatchObject({ state: "delivered", url, resource })
      const [{ body, headers }] = received as [Received]
      expect(headers["wechatpay-serial"]).toBe(sandbox.platformPublicKeyId)
      expect(headers["wechatpay-signature-type"]).toBe("WECHATPAY2-SHA256-RSA2048")
      expect(headers["request-id"]).toMatch(/^[0-9A-F]+$/)
      expect(Math.abs(Number(headers["wechatpay-timestamp"]) - Date.now() / 1000)).toBeLessThan(60)
      const message = `${headers["wechatpay-timestamp"]}\n${headers["wechatpay-nonce"]}\n${body}\n`
      expect(crypto.verify("sha256", Buffer.from(message), platform.publicKey, Buffer.from(headers["wechatpay-signature"] as string, "base64"))).toBe(true)
      const envelope = JSON.parse(body)
      expect(Object.keys(envelope)).toEqual(["id", "create_time", "resource_type", "event_type", "summary", "resource"])
      expect(envelope).toMatchObject({ id: delivery.id, event_type: "MEMBERCARD.ACCEPT_CARD", resource_type: "encrypt-resource" })
      const r = envelope.resource
      expect(r.algorithm).toBe("AEAD_AES_256_GCM")
      expect(Buffer.byteLength(r.nonce)).toBe(12)
      expect(JSON.parse(aeadDecrypt({ key: Redacted.value(sandbox.apiV3Key), nonce: r.nonce, associatedData: r.associated_data, ciphertext: r.ciphertext }))).toEqual(resource)
    }))

  it.scopedLive("retries a non-2xx with a fresh signature over the same body, and stops at the first 2xx", () =>
    Effect.gen(function*() {
      const { received, url } = yield* receiver((n) => (n < 3 ? 503 : 200))
      const sandbox = yield* Effect.provide(Sandbox.Sandbox, Sandbox.layer({ ...keyOptions, callbacks: { notifyUrl: url, retryDelays: ["10 millis", "10 millis", "10 millis"] } }))
      const d = yield* sandbox.notify("DISCOUNT_CARD.AGREEMENT_ENDED")
      expect(d.attempts.map((a) => a.status)).toEqual([503, 503, 200])
      expect(new Set(received.map((r) => r.body)).size).toBe(1)
      expect(new Set(received.map((r) => r.headers["wechatpay-nonce"])).size).toBe(3)
    }))

  it.scopedLive("control routes: POST /__sandbox/notify answers 202 at once, GET /__sandbox/deliveries lists it, reset clears", () =>
    Effect.gen(function*() {
      const { url } = yield* receiver()
      const sandbox = yield* Effect.provide(Sandbox.Sandbox, Sandbox.layer(keyOptions))
      // a JSON body that is not an object (null, a number) is a 400 on every control, never a crash
      for (const path of ["/notify", "/signing-key", "/certificates/start-signing", "/certificates/retire", "/transactions/T1/pay"]) {
        expect((yield* control(sandbox, "POST", path, null)).status, path).toBe(400)
      }
      const noUrl = yield* control(sandbox, "POST", "/notify", { event_type: "MEMBERCARD.ACCEPT_CARD" })
      expect(noUrl.status).toBe(400)
      expect((yield* control(sandbox, "POST", "/notify", { event_type: "X", url, tampering: "nope" })).status).toBe(400)
      const sent = yield* control(sandbox, "POST", "/notify", { event_type: "TRANSACTION.SUCCESS", resource: { out_trade_no: "1" }, url, tampering: "stale-timestamp" })
      expect(sent.status).toBe(202)
      const { id } = JSON.parse(sent.text)
      yield* sandbox.awaitDeliveries
      const listed = JSON.parse((yield* control(sandbox, "GET", "/deliveries")).text)
      expect(listed).toMatchObject([{ id, eventType: "TRANSACTION.SUCCESS", tampering: "stale-timestamp", state: "delivered" }])
      yield* sandbox.reset
      expect(yield* sandbox.deliveries).toEqual([])
    }))

  it.effect("POST /v3/marketing/busifavor/callbacks checks its body; GET answers 404 before one is set", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const get = WechatPay.request({ method: "GET", path: "/v3/marketing/busifavor/callbacks", query: { mchid: sandbox.mchid } })
      expect(yield* Effect.flip(get)).toMatchObject({ status: 404, code: "RESOURCE_NOT_EXISTS" })
      const set = (body: unknown) => WechatPay.request({ method: "POST", path: "/v3/marketing/busifavor/callbacks", body })
      expect(yield* Effect.flip(set({ mchid: sandbox.mchid }))).toMatchObject({ status: 400, code: "PARAM_ERROR" })
      expect(yield* Effect.flip(set({ notify_url: "not a url" }))).toMatchObject({ status: 400, code: "PARAM_ERROR" })
      expect(yield* Effect.flip(set({ mchid: OTHER_MCHID, notify_url: "https://example.com/n" }))).toMatchObject({ status: 400, code: "INVALID_REQUEST" })
      expect(yield* set({ notify_url: "https://example.com/n" })).toMatchObject({ mchid: sandbox.mchid, notify_url: "https://example.com/n" })
      expect(yield* get).toEqual({ mchid: sandbox.mchid, notify_url: "https://example.com/n" })
      // reset forgets the URL
      yield* sandbox.reset
      expect((yield* Effect.flip(get))._tag).toBe("ResourceNotExists")
    }).pipe(Effect.provide(Sandbox.layer(keyOptions))))

  it.effect("public-key mode cannot rotate; certificate mode exposes PEMs whose serials match", () =>
    Effect.gen(function*() {
      const pk = yield* Effect.provide(Sandbox.Sandbox, Sandbox.layer(keyOptions))
      expect((yield* Effect.exit(pk.rotateCertificates()))._tag).toBe("Failure")
      const cm = yield* Effect.provide(Sandbox.Sandbox, Sandbox.layer({ ...keyOptions, platform: "certificates", certificateKeys: [platform.privateKey] }))
      const [c] = yield* cm.certificates
      const x509 = new crypto.X509Certificate(c!.certificate)
      expect(x509.serialNumber.toUpperCase()).toBe(c!.serialNo)
      expect(x509.publicKey.export({ type: "spki", format: "pem" })).toBe(platform.publicKey)
    }))
})
