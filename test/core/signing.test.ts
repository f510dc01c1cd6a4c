/**
 * Signer and Verifier units: key formats, bad keys failing the layer with InvalidKey naming the
 * key, every verification reason, the 300 s window on a test clock, static certificate mode
 * (a self-signed certificate made with openssl), both modes at once, and nonce pinning.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer, Redacted, TestClock } from "effect"
import * as crypto from "node:crypto"
import { DiscountCard, WechatPay } from "../../src/api/index.js"
import { Nonce } from "../../src/signing/Nonce.js"
import * as Signer from "../../src/signing/Signer.js"
import * as Verifier from "../../src/signing/Verifier.js"
import { selfSignedCertificate } from "../support/certificate.js"
import { clientLayer, options, serverAndClient } from "../support/client.js"
import { signAnswer } from "../support/independent.js"
import { IndependentServer } from "../support/independentServer.js"
import { PUBLIC_KEY_ID } from "../support/constants.js"
import { generateKeyPair, testKeys } from "../support/keys.js"
import { memoryHttp } from "../support/memoryClient.js"
import * as samples from "../support/samples.js"

const keys = testKeys()
const second = generateKeyPair()
const CERT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
const HIGH_SERIAL = "8A1B2C3D4E5F60718293A4B5C6D7E8F901234567"
const certificate = selfSignedCertificate(second, CERT_SERIAL)
const highCertificate = selfSignedCertificate(keys.platform, HIGH_SERIAL)
const NOW = Math.floor(Date.now() / 1000)

const buildLayer = (overrides: Partial<WechatPay.Options>) =>
  Effect.scoped(Layer.build(WechatPay.layer(options(keys, "https://api.mch.weixin.qq.com", overrides)).pipe(Layer.provide(memoryHttp().layer))))

/** A signed answer as WeChat Pay would send it: body signed with `key` under `serial`. */
const answer = (p: { key?: crypto.KeyObject; serial?: string; timestamp?: number; body?: string; signature?: string; nonce?: string }) => {
  const body = p.body ?? "{\"ok\":true}"
  const h = signAnswer({ body: Buffer.from(body), privateKey: p.key ?? keys.platform.privateKey, serial: p.serial ?? PUBLIC_KEY_ID, timestamp: p.timestamp ?? NOW, nonce: p.nonce })
  return { timestamp: h.timestamp, nonce: h.nonce, signature: p.signature ?? h.signature, serial: h.serial, body }
}

describe("Signer", () => {
  for (const [format, pem] of [["PKCS#8", keys.merchant.pkcs8Pem], ["PKCS#1", keys.merchant.pkcs1Pem]] as const) {
    it.effect(`loads a ${format} key; its signatures verify with the public key`, () =>
      Effect.gen(function*() {
        expect(pem).toContain(format === "PKCS#1" ? "BEGIN RSA PRIVATE KEY" : "BEGIN PRIVATE KEY")
        const signer = yield* Signer.make({ mchid: "1", merchantSerialNumber: "S", merchantPrivateKey: Redacted.make(pem) })
        const signature = yield* signer.sign("GET\n/v3/x\n1\nN\n\n")
        expect(crypto.verify("sha256", Buffer.from("GET\n/v3/x\n1\nN\n\n"), keys.merchant.publicKey, Buffer.from(signature, "base64"))).toBe(true)
        yield* buildLayer({ merchantPrivateKey: Redacted.make(pem) })
      }))
  }

  const ec = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" })
  const small = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 })
  const encrypted = keys.merchant.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" }).toString()
  const lines = keys.merchant.pkcs8Pem.trim().split("\n")
  const truncated = [...lines.slice(0, 5), lines[lines.length - 1]].join("\n")
  const corrupted = keys.merchant.pkcs8Pem.replace(/[A-Za-z0-9+/]{10}\n/, "!!!!!!!!!!\n")

  const badMerchantKeys: ReadonlyArray<readonly [string, string]> = [
    ["not PEM at all", "definitely not a key"],
    ["base64 without PEM armour", lines.slice(1, -1).join("")],
    ["a truncated PEM", truncated],
    ["a corrupted PEM", corrupted],
    ["a public key", keys.merchant.publicPem],
    ["a certificate", certificate],
    ["an encrypted key", encrypted],
    ["an EC key", ec.privateKey.export({ type: "pkcs8", format: "pem" }).toString()],
    ["a 1024-bit RSA key", small.privateKey.export({ type: "pkcs8", format: "pem" }).toString()],
    ["an empty string", ""]
  ]
  for (const [name, pem] of badMerchantKeys) {
    it.effect(`WechatPay.layer fails with InvalidKey naming merchantPrivateKey: ${name}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(buildLayer({ merchantPrivateKey: Redacted.make(pem) }))
        expect(error).toMatchObject({ _tag: "InvalidKey", which: "merchantPrivateKey" })
        expect(error.message).toContain("merchantPrivateKey")
      }))
  }

  const badPlatform: ReadonlyArray<readonly [string, WechatPay.PlatformOptions, string]> = [
    ["publicKey is not PEM", { publicKeyId: PUBLIC_KEY_ID, publicKey: "garbage" }, "platform.publicKey"],
    ["publicKey is a private key", { publicKeyId: PUBLIC_KEY_ID, publicKey: keys.platform.pkcs8Pem }, "platform.publicKey"],
    ["publicKey is an EC key", { publicKeyId: PUBLIC_KEY_ID, publicKey: ec.publicKey.export({ type: "spki", format: "pem" }).toString() }, "platform.publicKey"],
    ["publicKey without publicKeyId", { publicKey: keys.platform.publicPem }, "platform.publicKeyId"],
    ["publicKeyId without publicKey", { publicKeyId: PUBLIC_KEY_ID }, "platform.publicKey"],
    ["the second certificate is garbage", { certificates: [certificate, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"] }, "platform.certificates[1]"],
    ["a certificate that is a public key", { certificates: [keys.platform.publicPem] }, "platform.certificates[0]"]
  ]
  for (const [name, platform, which] of badPlatform) {
    it.effect(`WechatPay.layer fails with InvalidKey naming ${which}: ${name}`, () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(buildLayer({ platform }))
        expect(error).toMatchObject({ _tag: "InvalidKey", which })
      }))
  }
})

describe("Verifier (public-key mode) on a test clock", () => {
  const verify = (m: ReturnType<typeof answer>) =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW * 1000)
      const verifier = yield* Verifier.make({ publicKeyId: PUBLIC_KEY_ID, publicKey: keys.platform.publicPem })
      return yield* Effect.either(verifier.verify(m))
    })

  it.effect("a genuine answer verifies", () =>
    Effect.gen(function*() {
      expect((yield* verify(answer({})))._tag).toBe("Right")
    }))

  it.effect("a WECHATPAY/SIGNTEST/ probe → SignatureProbe", () =>
    Effect.gen(function*() {
      const r = yield* verify(answer({ signature: "WECHATPAY/SIGNTEST/" + "A".repeat(40) }))
      expect(r).toMatchObject({ _tag: "Left", left: { _tag: "ResponseVerificationError", reason: "SignatureProbe" } })
    }))

  it.effect("the 300 s window: ±300 s verifies, ±301 s → StaleTimestamp", () =>
    Effect.gen(function*() {
      for (const d of [-300, 300, 0]) expect((yield* verify(answer({ timestamp: NOW + d })))._tag).toBe("Right")
      for (const d of [-301, 301, -86400, 86400]) {
        expect(yield* verify(answer({ timestamp: NOW + d }))).toMatchObject({ _tag: "Left", left: { reason: "StaleTimestamp" } })
      }
    }))

  it.effect("the window follows the Clock: an answer that was fresh goes stale as the clock moves", () =>
    Effect.gen(function*() {
      const verifier = yield* Verifier.make({ publicKeyId: PUBLIC_KEY_ID, publicKey: keys.platform.publicPem })
      const m = answer({ timestamp: NOW })
      yield* TestClock.setTime(NOW * 1000)
      yield* verifier.verify(m)
      yield* TestClock.adjust("301 seconds")
      expect(yield* Effect.flip(verifier.verify(m))).toMatchObject({ reason: "StaleTimestamp" })
    }))

  it.effect("an unknown serial → UnknownSerial; another key under our serial → BadSignature", () =>
    Effect.gen(function*() {
      expect(yield* verify(answer({ serial: "PUB_KEY_ID_SOMEONE_ELSE" }))).toMatchObject({ _tag: "Left", left: { reason: "UnknownSerial", serial: "PUB_KEY_ID_SOMEONE_ELSE" } })
      expect(yield* verify(answer({ key: second.privateKey }))).toMatchObject({ _tag: "Left", left: { reason: "BadSignature" } })
    }))

  it.effect("missing or malformed headers → MissingHeaders / MalformedHeaders", () =>
    Effect.gen(function*() {
      const m = answer({})
      for (const k of ["timestamp", "nonce", "signature", "serial"] as const) {
        expect(yield* verify({ ...m, [k]: undefined } as never)).toMatchObject({ _tag: "Left", left: { reason: "MissingHeaders" } })
        expect(yield* verify({ ...m, [k]: "" })).toMatchObject({ _tag: "Left", left: { reason: "MissingHeaders" } })
      }
      for (const timestamp of ["12a", "-1", "1.5", " 1", "1e9"]) {
        const r = yield* verify({ ...m, timestamp })
        expect(r._tag).toBe("Left")
      }
    }))
})

describe("Verifier (static certificate mode, and both modes at once)", () => {
  it.effect("a certificate's serial matches Wechatpay-Serial in upper or lower case", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW * 1000)
      const verifier = yield* Verifier.make({ certificates: [certificate, highCertificate] })
      for (const serial of [CERT_SERIAL, CERT_SERIAL.toLowerCase()]) yield* verifier.verify(answer({ key: second.privateKey, serial }))
      // a serial whose high bit is set (DER adds a leading zero byte)
      for (const serial of [HIGH_SERIAL, HIGH_SERIAL.toLowerCase()]) yield* verifier.verify(answer({ serial }))
      expect(yield* Effect.flip(verifier.verify(answer({ key: keys.platform.privateKey, serial: CERT_SERIAL })))).toMatchObject({ reason: "BadSignature" })
      expect(yield* Effect.flip(verifier.verify(answer({ key: second.privateKey, serial: PUBLIC_KEY_ID })))).toMatchObject({ reason: "UnknownSerial" })
    }))

  it.effect("a certificate is not used outside its validity period", () =>
    Effect.gen(function*() {
      const verifier = yield* Verifier.make({ certificates: [certificate] })
      const before = NOW - 86400 * 2
      yield* TestClock.setTime(before * 1000)
      expect(yield* Effect.flip(verifier.verify(answer({ key: second.privateKey, serial: CERT_SERIAL, timestamp: before })))).toMatchObject({
        reason: "UnknownSerial"
      })
      const after = NOW + 86400 * 60
      yield* TestClock.setTime(after * 1000)
      expect(yield* Effect.flip(verifier.verify(answer({ key: second.privateKey, serial: CERT_SERIAL, timestamp: after })))).toMatchObject({
        reason: "UnknownSerial"
      })
    }))

  it.effect("both modes at once: the public key and the certificate each verify their own answers", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(NOW * 1000)
      const verifier = yield* Verifier.make({ publicKeyId: PUBLIC_KEY_ID, publicKey: keys.platform.publicPem, certificates: [certificate] })
      yield* verifier.verify(answer({}))
      yield* verifier.verify(answer({ key: second.privateKey, serial: CERT_SERIAL }))
      expect(yield* Effect.flip(verifier.verify(answer({ key: second.privateKey, serial: PUBLIC_KEY_ID })))).toMatchObject({ reason: "BadSignature" })
      expect(yield* Effect.flip(verifier.verify(answer({ serial: CERT_SERIAL })))).toMatchObject({ reason: "BadSignature" })
    }))
})

layer(serverAndClient(keys, undefined, { platform: { publicKeyId: PUBLIC_KEY_ID, publicKey: keys.platform.publicPem, certificates: [highCertificate] } }), {
  excludeTestServices: true
})("verification through the client over HTTP", (it) => {
  it.effect("public-key mode and certificate mode answers both pass; probe, stale and unknown serial fail with their reason", () =>
    Effect.gen(function*() {
      const server = yield* IndependentServer
      server.setHandler(() => ({ status: 204 }))
      yield* DiscountCard.addUserRecords(samples.addUserRecords)
      server.setHandler(() => ({ status: 204, signWith: { serial: HIGH_SERIAL } }))
      yield* DiscountCard.addUserRecords(samples.addUserRecords)
      const cases = [
        [{ status: 204, tamper: (s: { signature: string }) => ({ ...s, signature: "WECHATPAY/SIGNTEST/abc" }) }, "SignatureProbe"],
        [{ status: 204, signWith: { timestamp: Math.floor(Date.now() / 1000) - 301 } }, "StaleTimestamp"],
        [{ status: 204, signWith: { timestamp: Math.floor(Date.now() / 1000) + 400 } }, "StaleTimestamp"],
        [{ status: 204, signWith: { serial: "PUB_KEY_ID_UNKNOWN" } }, "UnknownSerial"],
        [{ status: 204, signWith: { serial: CERT_SERIAL } }, "UnknownSerial"]
      ] as const
      for (const [reply, reason] of cases) {
        server.setHandler(() => reply as never)
        const error = yield* Effect.flip(DiscountCard.addUserRecords(samples.addUserRecords))
        expect(error).toMatchObject({ _tag: "ResponseVerificationError", reason })
      }
    }))
})

describe("Nonce", () => {
  it.effect("the Nonce reference pins the nonce; by default each attempt gets a fresh 32-character [0-9A-Za-z] one", () => {
    const http = memoryHttp()
    const run = DiscountCard.updateOrder(samples.updateOrder).pipe(WechatPay.withoutRetry, Effect.ignore)
    return Effect.gen(function*() {
      yield* run.pipe(Effect.provideService(Nonce, { next: () => "PINNEDNONCE0123456789abcdefABCDE" }))
      yield* run
      yield* run
      const nonces = http.sent.map((s) => /nonce_str="([^"]*)"/.exec(s.headers["authorization"] ?? "")?.[1])
      expect(nonces[0]).toBe("PINNEDNONCE0123456789abcdefABCDE")
      expect(nonces[1]).toMatch(/^[0-9A-Za-z]{32}$/)
      expect(nonces[2]).toMatch(/^[0-9A-Za-z]{32}$/)
      expect(nonces[1]).not.toBe(nonces[2])
    }).pipe(Effect.provide(clientLayer(keys, "https://api.mch.weixin.qq.com", http.layer)))
  })
})
