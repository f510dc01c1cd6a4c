/** AEAD_AES_256_GCM and RSA-OAEP: the public vector, round-trip and tamper properties, sensitive fields on the wire. */
import { describe, expect, it } from "@effect/vitest"
import * as crypto from "node:crypto"
import { Effect } from "effect"
import * as fc from "fast-check"
import * as WechatPay from "../../src/api/WechatPay.js"
import { aeadDecrypt, aeadEncrypt, OAEP_MAX_BYTES, oaepDecrypt, oaepEncrypt } from "../../src/signing/crypto.js"
import * as Signing from "../../src/signing/Signing.js"
import { clientLayer } from "../support/client.js"
import { PUBLIC_KEY_ID } from "../support/constants.js"
import { testKeys } from "../support/keys.js"
import { memoryHttp } from "../support/memoryClient.js"

const keys = testKeys()

describe("AEAD_AES_256_GCM", () => {
  // wechatpay-java AeadAesCipherTest
  const vector = { apiV3Key: "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb", nonce: "uluk4a9R25RW", associatedData: "associatedData" }

  it.effect("matches the public vector both ways", () =>
    Effect.gen(function*() {
      expect(yield* Signing.decryptAead({ ...vector, ciphertext: "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=" })).toBe("message")
      expect(yield* Signing.encryptAead({ ...vector, plaintext: "message" })).toBe("ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=")
    }))

  it.effect("fails with a wrong associated data or nonce", () =>
    Effect.gen(function*() {
      const e1 = yield* Effect.flip(Signing.decryptAead({ ...vector, associatedData: "associateddata", ciphertext: "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=" }))
      expect(e1._tag).toBe("CryptoError")
      const e2 = yield* Effect.flip(Signing.decryptAead({ ...vector, nonce: "uluk4a9R25RX", ciphertext: "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=" }))
      expect(e2._tag).toBe("CryptoError")
      expect(e2.message).not.toContain(vector.apiV3Key)
    }))

  const key = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), minLength: 32, maxLength: 32 })
  const nonce = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789"), minLength: 12, maxLength: 12 })

  it("round-trips any plaintext, nonce and associated data", () => {
    fc.assert(
      fc.property(key, nonce, fc.string(), fc.string({ unit: "grapheme" }), (k, n, aad, plaintext) => {
        const ciphertext = aeadEncrypt({ key: k, nonce: n, associatedData: aad, plaintext })
        expect(aeadDecrypt({ key: k, nonce: n, associatedData: aad, ciphertext })).toBe(plaintext)
      }),
      { numRuns: 200 }
    )
  })

  it("rejects any changed byte of the ciphertext and tag", () => {
    fc.assert(
      fc.property(key, nonce, fc.string({ minLength: 1 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (k, n, plaintext, at, flip) => {
        const bytes = Buffer.from(aeadEncrypt({ key: k, nonce: n, associatedData: "certificate", plaintext }), "base64")
        bytes[at % bytes.length]! ^= flip
        expect(() => aeadDecrypt({ key: k, nonce: n, associatedData: "certificate", ciphertext: bytes.toString("base64") })).toThrow()
      }),
      { numRuns: 200 }
    )
  })
})

describe("RSA-OAEP sensitive fields", () => {
  it("round-trips with a key pair, and refuses plaintext over 214 bytes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), (s) => {
        fc.pre(Buffer.byteLength(s) <= OAEP_MAX_BYTES)
        expect(oaepDecrypt(oaepEncrypt(s, keys.platform.publicKey), keys.platform.privateKey)).toBe(s)
      }),
      { numRuns: 20 }
    )
    expect(() => oaepEncrypt("a".repeat(OAEP_MAX_BYTES), keys.platform.publicKey)).not.toThrow()
  })

  it.effect("Signing.encryptSensitive gives a typed error over 214 bytes", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(Signing.encryptSensitive("字".repeat(72), keys.platform.publicPem)) // 216 bytes
      expect(e._tag).toBe("CryptoError")
      expect(e.message).toContain("216 bytes")
      const c = yield* Signing.encryptSensitive("张三", keys.platform.publicPem)
      expect(yield* Signing.decryptSensitive(c, keys.platform.pkcs8Pem)).toBe("张三")
    }))

  it.live("WechatPay.request encrypts the named fields and sends Wechatpay-Serial", () => {
    const http = memoryHttp(() => ({ status: 500, body: JSON.stringify({ code: "SYSTEM_ERROR", message: "x" }) }))
    return Effect.gen(function*() {
      const original = { name: "张三", contact: { mobile: "13800000000" }, plain: "keep" }
      yield* Effect.flip(
        WechatPay.request({ method: "POST", path: "/v3/some/endpoint", body: original, encrypt: ["name", "contact.mobile", "absent"] })
      )
      const sent = http.sent[0]!
      expect(sent.headers["wechatpay-serial"]).toBe(PUBLIC_KEY_ID)
      const body = JSON.parse(sent.body!)
      expect(body.plain).toBe("keep")
      expect(oaepDecrypt(body.name, keys.platform.privateKey)).toBe("张三")
      expect(oaepDecrypt(body.contact.mobile, keys.platform.privateKey)).toBe("13800000000")
      expect(original.name).toBe("张三") // the caller's object is untouched

      const tooLong = yield* Effect.flip(WechatPay.request({ method: "POST", path: "/v3/x", body: { name: "x".repeat(215) }, encrypt: ["name"] }))
      expect(tooLong._tag).toBe("RequestValidationError")
      expect(http.sent.length).toBe(1)
    }).pipe(Effect.provide(clientLayer(keys, "http://127.0.0.1:9", http.layer)))
  })

  it.live("sensitive fields inside arrays and in the query are encrypted; a bodyless call still names the key", () => {
    const http = memoryHttp(() => ({ status: 500, body: JSON.stringify({ code: "SYSTEM_ERROR", message: "x" }) }))
    return Effect.gen(function*() {
      const original = { ubo_info_list: [{ ubo_id_doc_name: "张三", keep: 1 }, { ubo_id_doc_name: "李四", keep: 2 }] }
      yield* Effect.flip(WechatPay.request({ method: "POST", path: "/v3/applyment", body: original, encrypt: ["ubo_info_list.ubo_id_doc_name"] }))
      const body = JSON.parse(http.sent[0]!.body!)
      expect(body.ubo_info_list.map((u: { ubo_id_doc_name: string }) => oaepDecrypt(u.ubo_id_doc_name, keys.platform.privateKey))).toEqual(["张三", "李四"])
      expect(body.ubo_info_list.map((u: { keep: number }) => u.keep)).toEqual([1, 2])
      expect(original.ubo_info_list[0]!.ubo_id_doc_name).toBe("张三")

      yield* Effect.flip(WechatPay.request({ method: "GET", path: "/v3/search", query: { encrypted_phone_number: "13800000000", page: 1 }, encrypt: ["encrypted_phone_number"] }))
      const query = new URLSearchParams(http.sent[1]!.url.split("?")[1])
      expect(oaepDecrypt(query.get("encrypted_phone_number")!, keys.platform.privateKey)).toBe("13800000000")
      expect(query.get("page")).toBe("1")
      expect(http.sent[1]!.headers["wechatpay-serial"]).toBe(PUBLIC_KEY_ID)

      yield* Effect.flip(WechatPay.request({ method: "GET", path: "/v3/realname/verify", encrypt: [] }))
      expect(http.sent[2]!.headers["wechatpay-serial"]).toBe(PUBLIC_KEY_ID)
      expect(http.sent[2]!.body).toBeUndefined()
    }).pipe(Effect.provide(clientLayer(keys, "http://127.0.0.1:9", http.layer)))
  })

  it.live("WechatPay.encryptSensitive uses the configured public key", () =>
    Effect.gen(function*() {
      const { ciphertext, serial } = yield* WechatPay.encryptSensitive("13800000000")
      expect(serial).toBe(PUBLIC_KEY_ID)
      expect(crypto.privateDecrypt({ key: keys.platform.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, Buffer.from(ciphertext, "base64")).toString()).toBe("13800000000")
    }).pipe(Effect.provide(clientLayer(keys, "http://127.0.0.1:9", memoryHttp().layer))))
})

