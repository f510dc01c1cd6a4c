/**
 * Bench mode: one answer signature per (status, body), reused for a minute, still verifiable.
 */
import { HttpClientRequest } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import * as crypto from "node:crypto"
import { Effect } from "effect"
import { DiscountCard } from "../../src/api/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { makeResponseSigner } from "../../src/sandbox/Protocol.js"
import { docs, keyOptions, platform } from "./support.js"

const key = { publicKeyId: "PUB_KEY_ID_0123", privateKey: crypto.createPrivateKey(platform.privateKey) }

const verifies = (h: Record<string, string>, body: string) =>
  crypto.verify("sha256", Buffer.from(`${h["wechatpay-timestamp"]}\n${h["wechatpay-nonce"]}\n${body}\n`), platform.publicKey, Buffer.from(h["wechatpay-signature"]!, "base64"))

describe("bench mode", () => {
  layer(Sandbox.layer({ ...keyOptions, bench: true }))((it) => {
    it.effect("answers the same (status, body) with the same signature, and the client verifies it", () =>
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const first = yield* DiscountCard.updateOrder(docs.updateOrder)
        const second = yield* DiscountCard.updateOrder(docs.updateOrder)
        expect(second).toEqual(first)
        // The emulator's own answers, read raw through its in-memory client: a bad request each time.
        const raw = Effect.scoped(Effect.flatMap(sandbox.httpClient.execute(HttpClientRequest.get("http://sandbox/v3/x")), (r) => Effect.succeed(r.headers)))
        const a = yield* raw
        const b = yield* raw
        expect(b["wechatpay-signature"]).toBe(a["wechatpay-signature"])
        expect(b["wechatpay-nonce"]).toBe(a["wechatpay-nonce"])
        expect(b["request-id"]).not.toBe(a["request-id"])
      }))
  })

  describe("the signer", () => {
    const now = 1_717_214_400
    const cached = makeResponseSigner(key, { cache: true })
    const uncached = makeResponseSigner(key, { cache: false })
    const body = `{"card_code":"198555211279"}`

    it.effect("caches per (status, body) for under a minute, and never across bodies or statuses", () =>
      Effect.sync(() => {
        const a = cached.headers(200, body, now)
        expect(verifies(a, body)).toBe(true)
        expect(cached.headers(200, body, now + 59)["wechatpay-signature"]).toBe(a["wechatpay-signature"])
        const later = cached.headers(200, body, now + 60)
        expect(later["wechatpay-timestamp"]).toBe(String(now + 60))
        expect(verifies(later, body)).toBe(true)
        expect(cached.headers(400, body, now + 60)["wechatpay-nonce"]).not.toBe(later["wechatpay-nonce"])
        expect(cached.headers(200, "", now + 60)["wechatpay-nonce"]).not.toBe(later["wechatpay-nonce"])
        expect(uncached.headers(200, body, now)["wechatpay-nonce"]).not.toBe(uncached.headers(200, body, now)["wechatpay-nonce"])
      }))
  })
})
