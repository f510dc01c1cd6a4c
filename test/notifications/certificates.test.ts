/**
 * Certificate mode (`platform.certificates: "auto"`): download, decrypt, check, rotate, refresh
 * once on an unknown serial (rate-limited), keep the known set when a refresh fails, and never
 * call /v3/certificates in public-key mode.
 */
import { describe, expect, it } from "@effect/vitest"
import { NodeKeyValueStore } from "@effect/platform-node"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer, Redacted, TestClock } from "effect"
import * as DiscountCard from "../../src/api/DiscountCard.js"
import * as WechatPay from "../../src/api/WechatPay.js"
import { WechatPayClient } from "../../src/api/WechatPayClient.js"
import { selfSignedCertificate } from "../../src/sandbox/selfSignedCertificate.js"
import * as Certificates from "../../src/signing/Certificates.js"
import { aeadEncrypt } from "../../src/signing/crypto.js"
import { options } from "../support/client.js"
import { API_V3_KEY } from "../support/constants.js"
import { generateKeyPair, testKeys } from "../support/keys.js"
import { type Answer, memoryHttp, type Sent } from "../support/memoryClient.js"

const keys = testKeys()
const DAY = 86_400_000

interface PlatformCert {
  readonly serial: string
  readonly pem: string
  readonly privateKey: crypto.KeyObject
}

const makeCert = (serial: string, from: number, to: number): PlatformCert => {
  const { privateKey } = generateKeyPair()
  return { serial, privateKey, pem: selfSignedCertificate({ serialHex: serial, commonName: "Tenpay.com sandbox", notBefore: new Date(from), notAfter: new Date(to), privateKey }) }
}

const now = Date.now()
const certA = makeCert("1A2B3C4D5E6F708192A3B4C5D6E7F8091A2B3C4D", now - DAY, now + 365 * DAY)
const certB = makeCert("5157F09EFDC096DE15EBE81A47057A7232F1B8E1", now - 1000, now + 730 * DAY)

/** A tiny WeChat Pay: serves /v3/certificates and PATCH orders, signing with the current certificate. */
const platform = (state: { certs: Array<PlatformCert>; signer: PlatformCert; failDownloads?: boolean; clockSeconds?: () => number }) => {
  const sign = (status: number, body: string, signer = state.signer): Answer => {
    const ts = String(state.clockSeconds ? state.clockSeconds() : Math.floor(Date.now() / 1000))
    const nonce = crypto.randomBytes(8).toString("hex")
    const signature = crypto.sign("sha256", Buffer.from(`${ts}\n${nonce}\n${body}\n`), signer.privateKey).toString("base64")
    return { status, body, headers: { "content-type": "application/json", "wechatpay-timestamp": ts, "wechatpay-nonce": nonce, "wechatpay-signature": signature, "wechatpay-serial": signer.serial, "request-id": "r-" + nonce } }
  }
  const http = memoryHttp((req: Sent) => {
    if (req.url === "/v3/certificates") {
      if (state.failDownloads) return { status: 500, body: JSON.stringify({ code: "SYSTEM_ERROR", message: "down" }) }
      const data = state.certs.map((c) => {
        const nonce = crypto.randomBytes(6).toString("hex")
        return {
          serial_no: c.serial,
          effective_time: "2026-01-01T00:00:00+08:00",
          expire_time: "2031-01-01T00:00:00+08:00",
          encrypt_certificate: { algorithm: "AEAD_AES_256_GCM", associated_data: "certificate", nonce, ciphertext: aeadEncrypt({ key: API_V3_KEY, nonce, associatedData: "certificate", plaintext: c.pem }) }
        }
      })
      return sign(200, JSON.stringify({ data }))
    }
    return sign(200, JSON.stringify({ out_order_no: "o1", order_id: "1" }))
  })
  return http
}

const downloads = (sent: ReadonlyArray<Sent>) => sent.filter((s) => s.url === "/v3/certificates").length

const autoLayer = (http: { layer: Layer.Layer<import("@effect/platform").HttpClient.HttpClient> }, overrides: Partial<WechatPay.Options> = {}) =>
  WechatPay.layer(options(keys, "http://127.0.0.1:9", { platform: { certificates: "auto" }, ...overrides })).pipe(Layer.provide(http.layer))

const order = DiscountCard.updateOrder({
  out_order_no: "o1",
  rewards: [{ reward_serial_no: "s1", reward_id: 1, count: 1, amount: 1, reward_time: "2026-11-22T10:00:00+08:00", description: "d", reward_type: "INCREASE" }]
})

describe("certificates: auto", () => {
  it.live("downloads once at start, then verifies answers with the downloaded certificate", () => {
    const http = platform({ certs: [certA], signer: certA })
    return Effect.gen(function*() {
      expect(yield* order).toEqual({ out_order_no: "o1", order_id: "1" })
      expect(downloads(http.sent)).toBe(1)
      // the download itself was signed with the merchant's key like any request
      expect(http.sent[0]!.headers.authorization).toMatch(/^WECHATPAY2-SHA256-RSA2048 /)
    }).pipe(Effect.provide(autoLayer(http)))
  })

  it.live("keeps calls succeeding through a rotation: an unknown serial triggers exactly one refresh", () => {
    const state = { certs: [certA], signer: certA }
    const http = platform(state)
    return Effect.gen(function*() {
      yield* order
      // WeChat Pay adds certificate B and starts signing with it
      state.certs = [certA, certB]
      state.signer = certB
      yield* Effect.all([order, order, order], { concurrency: 3 })
      expect(downloads(http.sent)).toBe(2)
      yield* order
      expect(downloads(http.sent)).toBe(2)
      // B encrypts sensitive fields from now on (the newest certificate)
      const { serial } = yield* WechatPay.encryptSensitive("x")
      expect(serial).toBe(certB.serial)
    }).pipe(Effect.provide(autoLayer(http)))
  })

  it.live("rate-limits refreshes when answers carry forged serials", () => {
    const state = { certs: [certA], signer: certA }
    const http = platform(state)
    const forger = makeCert("DEADBEEF", now - DAY, now + DAY)
    return Effect.gen(function*() {
      yield* order
      state.signer = forger // not in the download: every answer names an unknown serial
      for (let i = 0; i < 5; i++) {
        const e = yield* Effect.flip(order)
        expect(e._tag === "ResponseVerificationError" && e.reason).toBe("UnknownSerial")
      }
      expect(downloads(http.sent)).toBe(2) // the start, and one refresh for the whole flood
    }).pipe(Effect.provide(autoLayer(http)))
  })

  it.live("a failed refresh keeps the known set", () => {
    const state: Parameters<typeof platform>[0] = { certs: [certA], signer: certA }
    const http = platform(state)
    return Effect.gen(function*() {
      yield* order
      state.failDownloads = true
      state.signer = certB
      const e = yield* Effect.flip(order)
      expect(e._tag === "ResponseVerificationError" && e.reason).toBe("UnknownSerial")
      state.signer = certA
      expect(yield* order).toEqual({ out_order_no: "o1", order_id: "1" })
    }).pipe(Effect.provide(autoLayer(http)))
  })

  it.live("refuses to start on a certificate whose serial does not match, or without an APIv3 key", () => {
    const liar = { ...certA, serial: "0011223344" }
    return Effect.gen(function*() {
      const e1 = yield* Effect.flip(Effect.provide(WechatPayClient, autoLayer(platform({ certs: [liar], signer: certA }))))
      expect(e1._tag).toBe("CertificateError")
      const e2 = yield* Effect.flip(Effect.provide(WechatPayClient, autoLayer(platform({ certs: [certA], signer: certA }), { apiV3Key: undefined })))
      expect(e2._tag).toBe("InvalidKey")
      expect(e2.message).toContain("apiV3Key")
      const e3 = yield* Effect.flip(Effect.provide(WechatPayClient, autoLayer(platform({ certs: [certA], signer: certA }), { apiV3Key: Redacted.make("short") })))
      expect(e3.message).not.toContain("short")
    })
  })

  it.live("a public-key setup never calls /v3/certificates; both modes at once accept either signer", () => {
    const state = { certs: [certA], signer: certA }
    const http = platform(state)
    const platformKey = { privateKey: keys.platform.privateKey, serial: "PUB_KEY_ID_0000000001", pem: "" }
    return Effect.gen(function*() {
      yield* Effect.provide(
        Effect.gen(function*() {
          state.signer = platformKey
          yield* order
          yield* order
        }),
        WechatPay.layer(options(keys, "http://127.0.0.1:9", { platform: { publicKeyId: platformKey.serial, publicKey: keys.platform.publicPem } })).pipe(Layer.provide(http.layer))
      )
      expect(downloads(http.sent)).toBe(0)
      yield* Effect.provide(
        Effect.gen(function*() {
          state.signer = platformKey
          yield* order
          state.signer = certA
          yield* order
        }),
        autoLayer(http, { platform: { publicKeyId: platformKey.serial, publicKey: keys.platform.publicPem, certificates: "auto" } })
      )
      expect(downloads(http.sent)).toBe(1)
    })
  })

  it.scoped("refreshes on its schedule in the background (TestClock)", () => {
    const epochCert = makeCert("0ABCDEF1", -DAY, 2_000_000_000_000)
    let clock = 0
    const http = platform({ certs: [epochCert], signer: epochCert, clockSeconds: () => clock })
    return Effect.gen(function*() {
      yield* Layer.build(autoLayer(http, { platform: { certificates: "auto", refreshInterval: "12 hours" } }))
      expect(downloads(http.sent)).toBe(1)
      // the refresh signs on the thread pool: wait (in real time) for it to land
      const eventually = (n: number) =>
        Effect.promise(async () => {
          for (let i = 0; i < 200 && downloads(http.sent) < n; i++) await new Promise((r) => setTimeout(r, 10))
        })
      clock = 12 * 3600
      yield* TestClock.adjust("12 hours")
      yield* eventually(2)
      expect(downloads(http.sent)).toBe(2)
      clock = 24 * 3600
      yield* TestClock.adjust("12 hours")
      yield* eventually(3)
      expect(downloads(http.sent)).toBe(3)
    })
  })
})

describe("certificates: auto, shared by a fleet through a KeyValueStore", () => {
  /** An instance: a client layer whose certificate cache is a directory shared with the others (a file KeyValueStore). */
  const instance = (http: ReturnType<typeof platform>, dir: string) =>
    autoLayer(http).pipe(Layer.provide(Certificates.layerCache), Layer.provide(NodeKeyValueStore.layerFileSystem(dir)))
  const scratch = Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "ewp-certs-"))),
    (d) => Effect.sync(() => fs.rmSync(d, { recursive: true, force: true }))
  )

  it.scopedLive("one download serves every instance; a rotation is downloaded once and found by the others in the cache", () =>
    Effect.gen(function*() {
      const dir = yield* scratch
      const state = { certs: [certA], signer: certA }
      const http = platform(state)
      const first = yield* Layer.build(instance(http, dir))
      const second = yield* Layer.build(instance(http, dir))
      expect(downloads(http.sent)).toBe(1)
      expect(fs.readdirSync(dir)).toHaveLength(1)
      expect(fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]!), "utf8")).not.toContain("BEGIN CERTIFICATE") // stored as downloaded: encrypted
      expect(yield* Effect.provide(order, second)).toEqual({ out_order_no: "o1", order_id: "1" })

      state.certs = [certA, certB]
      state.signer = certB
      yield* Effect.provide(order, first) // unknown serial: downloads, and shares
      expect(downloads(http.sent)).toBe(2)
      yield* Effect.provide(order, second) // unknown serial: finds it in the cache
      expect(downloads(http.sent)).toBe(2)
    }))

  it.scopedLive("a tampered cache entry is refused and downloaded afresh", () =>
    Effect.gen(function*() {
      const dir = yield* scratch
      const http = platform({ certs: [certA], signer: certA })
      yield* Layer.build(instance(http, dir))
      const file = path.join(dir, fs.readdirSync(dir)[0]!)
      const entry = JSON.parse(fs.readFileSync(file, "utf8"))
      const other = makeCert("0F0F0F0F", now - DAY, now + DAY)
      const nonce = "aabbccddeeff"
      entry.body = JSON.stringify({
        data: [{
          serial_no: other.serial,
          effective_time: "2026-01-01T00:00:00+08:00",
          expire_time: "2031-01-01T00:00:00+08:00",
          encrypt_certificate: { algorithm: "AEAD_AES_256_GCM", associated_data: "certificate", nonce, ciphertext: aeadEncrypt({ key: API_V3_KEY, nonce, associatedData: "certificate", plaintext: other.pem }) }
        }]
      })
      fs.writeFileSync(file, JSON.stringify(entry))
      const later = yield* Layer.build(instance(http, dir))
      expect(downloads(http.sent)).toBe(2)
      expect(yield* Effect.provide(order, later)).toEqual({ out_order_no: "o1", order_id: "1" })
    }))
})
