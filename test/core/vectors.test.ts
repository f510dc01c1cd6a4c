/**
 * Public test vectors (docs/wechatpay-v3.md §6): the wechatpay-go signer test, the official docs'
 * sample request signature (apiclient_test_key.pem of mchid 1900007291) and the wechatpay-java AEAD test.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock } from "effect"
import * as crypto from "node:crypto"
import { readFileSync } from "node:fs"
import { WechatPay } from "../../src/api/index.js"
import { Nonce } from "../../src/signing/Nonce.js"
import * as Signer from "../../src/signing/Signer.js"
import * as Signing from "../../src/signing/Signing.js"
import { generateKeyPair } from "../support/keys.js"
import { memoryHttp } from "../support/memoryClient.js"

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8")

// wechatpay-go core/auth/signers/sha256withrsa_signer_test.go (its "TESTING KEY" label read as "PRIVATE KEY", as that test does)
const GO_KEY = fixture("wechatpay-go-test-key.pem")
const GO_SIGNATURE = "BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6" +
  "pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOh" +
  "uH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwf" +
  "LpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg=="

// The official docs' example (pay.weixin.qq.com, 签名生成), key published as apiclient_test_key.pem
const DOCS_KEY = fixture("apiclient_test_key.pem")
const DOCS = {
  mchid: "1900007291",
  serial: "408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB",
  timestamp: 1554208460,
  nonce: "593BEC0C930BF1AFEB40B4A08C8FB242",
  method: "GET",
  url: "/v3/refund/domestic/refunds/123123123123",
  signature: "Lc9VXxmeonkdV8Xk9tmigQFLhl0vRWTerdmoRu01aAnYwIrD/5nsSwE1WlmZGLRlAFTNQ3QsMa0+VRDlJp1Wp5p0nO8EK68b5sJBbjouxaFciIfq1zfDWWz+jqhcMoKXI1A6dPm1AW7D4d30WsMTNzp6g23OXakIsh9LO3lUmwvTuE0BY8ncf6tNGk4wKmvXwERd/ZpoQY3MAVKz+Nakwc+2XBmzT66KcUehU5kr4IvGa/lEU5RZb/q00zP9VLdBhC/jQSX3X1UcJLCtEc4gTmib4tnmAT+bHF/e17ZAuxDNcx6rqT8gNEXqaJGG+1OflMSTU2tpyG65G4dMKdFcoA=="
}

const toPkcs1 = (pem: string) => crypto.createPrivateKey(pem).export({ type: "pkcs1", format: "pem" }).toString()
const publicPem = (pem: string) => crypto.createPublicKey(pem).export({ type: "spki", format: "pem" }).toString()

describe("wechatpay-go signer vector", () => {
  it.effect("Signing.sign(\"source\") gives the published signature, and verify accepts it", () =>
    Effect.gen(function*() {
      expect(yield* Signing.sign("source", GO_KEY)).toBe(GO_SIGNATURE)
      expect(yield* Signing.verify("source", GO_SIGNATURE, publicPem(GO_KEY))).toBe(true)
      expect(yield* Signing.verify("sourcE", GO_SIGNATURE, publicPem(GO_KEY))).toBe(false)
    }))

  for (const [format, pem] of [["PKCS#8", GO_KEY], ["PKCS#1", toPkcs1(GO_KEY)]] as const) {
    for (const signMode of ["sync", "threadpool"] as const) {
      it.effect(`the Signer service (${format}, ${signMode}) gives the published signature`, () =>
        Effect.gen(function*() {
          const signer = yield* Signer.make({ mchid: "1234567890", merchantSerialNumber: "F5765756002FDD77", merchantPrivateKey: Redacted.make(pem), signMode })
          expect(yield* signer.sign("source")).toBe(GO_SIGNATURE)
        }))
    }
  }
})

describe("official docs vector (mchid 1900007291, apiclient_test_key.pem)", () => {
  const message = `${DOCS.method}\n${DOCS.url}\n${DOCS.timestamp}\n${DOCS.nonce}\n\n`

  it.effect("requestMessage builds the five-line string; sign gives the docs' signature", () =>
    Effect.gen(function*() {
      expect(Signing.requestMessage({ method: "get", url: DOCS.url, timestamp: DOCS.timestamp, nonce: DOCS.nonce, body: "" })).toBe(message)
      expect(yield* Signing.sign(message, DOCS_KEY)).toBe(DOCS.signature)
      expect(yield* Signing.sign(message, toPkcs1(DOCS_KEY))).toBe(DOCS.signature)
      expect(yield* Signing.verify(message, DOCS.signature, publicPem(DOCS_KEY))).toBe(true)
    }))

  it.effect("the whole client, with the clock and nonce pinned, sends exactly the docs' Authorization", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(DOCS.timestamp * 1000)
      const http = memoryHttp(() => ({ status: 404, body: "{\"code\":\"RESOURCE_NOT_EXISTS\",\"message\":\"退款单不存在\"}" }))
      const platform = generateKeyPair()
      const error = yield* WechatPay.request({ method: "GET", path: "/v3/refund/domestic/refunds/{out_refund_no}", params: { out_refund_no: "123123123123" } }).pipe(
        WechatPay.withoutRetry,
        Effect.flip,
        Effect.provideService(Nonce, { next: () => DOCS.nonce }),
        Effect.provide(
          WechatPay.layer({
            mchid: DOCS.mchid,
            merchantSerialNumber: DOCS.serial,
            merchantPrivateKey: Redacted.make(DOCS_KEY),
            platform: { publicKeyId: "PUB_KEY_ID_TEST", publicKey: platform.publicPem },
            baseUrl: "https://api.mch.weixin.qq.com",
            backupBaseUrl: null
          }).pipe(Layer.provide(http.layer))
        )
      )
      expect(error._tag).toBe("ResourceNotExists")
      expect(http.sent).toHaveLength(1)
      expect(http.sent[0]!.url).toBe(DOCS.url)
      expect(http.sent[0]!.headers["authorization"]).toBe(
        `WECHATPAY2-SHA256-RSA2048 mchid="${DOCS.mchid}",nonce_str="${DOCS.nonce}",signature="${DOCS.signature}",timestamp="${DOCS.timestamp}",serial_no="${DOCS.serial}"`
      )
    }))
})

describe("wechatpay-java AeadAesCipherTest vector", () => {
  const v = { apiV3Key: "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb", nonce: "uluk4a9R25RW", associatedData: "associatedData" }
  const ciphertext = "ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI="

  it.effect("decrypts to \"message\" and encrypts back to the same ciphertext", () =>
    Effect.gen(function*() {
      expect(yield* Signing.decryptAead({ ...v, ciphertext })).toBe("message")
      expect(yield* Signing.encryptAead({ ...v, plaintext: "message" })).toBe(ciphertext)
    }))

  it.effect("a wrong associated data, nonce, key or a flipped ciphertext byte fails with CryptoError", () =>
    Effect.gen(function*() {
      const flipped = Buffer.from(ciphertext, "base64")
      flipped[0]! ^= 1
      for (
        const bad of [
          { ...v, associatedData: "associatedDatA", ciphertext },
          { ...v, associatedData: undefined, ciphertext },
          { ...v, nonce: "uluk4a9R25RX", ciphertext },
          { ...v, apiV3Key: "b7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb", ciphertext },
          { ...v, ciphertext: flipped.toString("base64") }
        ]
      ) {
        const e = yield* Effect.flip(Signing.decryptAead(bad))
        expect(e._tag).toBe("CryptoError")
      }
    }))
})
