/** WechatPay.layerConfig reads the documented variables; keys may be PEM text or file paths. */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as crypto from "node:crypto"
import { Config, ConfigProvider, Effect, Layer, Schedule } from "effect"
import * as WechatPay from "../../src/api/WechatPay.js"
import { checkAuthorization } from "../support/independent.js"
import { API_V3_KEY, MCHID, MERCHANT_SERIAL, PUBLIC_KEY_ID } from "../support/constants.js"
import { testKeys } from "../support/keys.js"
import { memoryHttp, type Sent } from "../support/memoryClient.js"

const keys = testKeys()

/** The request's Authorization verifies with the merchant's public key. */
const expectSignedByTheMerchant = (sent: Sent) => {
  const auth = checkAuthorization({
    header: sent.headers.authorization,
    method: sent.method,
    url: sent.url,
    body: new TextEncoder().encode(sent.body ?? ""),
    publicKey: keys.merchant.publicKey,
    mchid: MCHID,
    serialNo: MERCHANT_SERIAL
  })
  expect(auth.ok).toBe(true)
}

const call = (vars: Record<string, string>) => {
  const http = memoryHttp(() => ({ status: 500, body: JSON.stringify({ code: "SYSTEM_ERROR", message: "x" }) }))
  return Effect.gen(function*() {
    const e = yield* Effect.flip(WechatPay.request({ method: "GET", path: "/v3/ping" }).pipe(WechatPay.withoutRetry))
    expect(e._tag).toBe("SystemError")
    const sent = http.sent[0]!
    expect(sent.url).toBe("/v3/ping")
    expectSignedByTheMerchant(sent)
    return http
  }).pipe(
    Effect.provide(WechatPay.layerConfig(Config.map(WechatPay.config, (o) => ({ ...o, backupBaseUrl: null }))).pipe(Layer.provide(http.layer))),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))
  )
}

describe("WechatPay.layerConfig", () => {
  const base = {
    WECHATPAY_MCHID: MCHID,
    WECHATPAY_MERCHANT_SERIAL_NUMBER: MERCHANT_SERIAL,
    WECHATPAY_PUBLIC_KEY_ID: PUBLIC_KEY_ID,
    WECHATPAY_APIV3_KEY: API_V3_KEY,
    WECHATPAY_BASE_URL: "https://example.invalid"
  }

  it.live("takes PEM text", () =>
    call({ ...base, WECHATPAY_MERCHANT_PRIVATE_KEY: keys.merchant.pkcs1Pem, WECHATPAY_PUBLIC_KEY: keys.platform.publicPem }))

  it.live("takes file paths", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ewp-config-"))
    const keyFile = path.join(dir, "apiclient_key.pem")
    const pubFile = path.join(dir, "pub_key.pem")
    fs.writeFileSync(keyFile, keys.merchant.pkcs8Pem)
    fs.writeFileSync(pubFile, keys.platform.publicPem)
    return call({ ...base, WECHATPAY_MERCHANT_PRIVATE_KEY: keyFile, WECHATPAY_PUBLIC_KEY: pubFile }).pipe(
      Effect.ensuring(Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
    )
  })

  it.live("fails with a ConfigError naming the variable when one is missing, without showing the key", () =>
    Effect.gen(function*() {
      const { WECHATPAY_MCHID: _, ...rest } = base
      const exit = yield* Effect.exit(call({ ...rest, WECHATPAY_MERCHANT_PRIVATE_KEY: keys.merchant.pkcs8Pem, WECHATPAY_PUBLIC_KEY: keys.platform.publicPem }))
      expect(exit._tag).toBe("Failure")
      const text = JSON.stringify(exit) + String(exit)
      expect(text).toContain("WECHATPAY_MCHID")
      expect(text).not.toContain(keys.merchant.pkcs8Pem.split("\n")[1]!)
    }))
})

describe("WechatPay.config", () => {
  const read = (vars: Record<string, string>) =>
    Effect.runSyncExit(Effect.withConfigProvider(WechatPay.config, ConfigProvider.fromMap(new Map(Object.entries(vars)))))
  const merchant = {
    WECHATPAY_MCHID: MCHID,
    WECHATPAY_MERCHANT_SERIAL_NUMBER: MERCHANT_SERIAL,
    WECHATPAY_MERCHANT_PRIVATE_KEY: "/etc/wechatpay/apiclient_key.pem"
  }

  it("expresses certificate mode, migration mode and no failover from the environment", () => {
    const auto = read({ ...merchant, WECHATPAY_PLATFORM_CERTIFICATES: "auto", WECHATPAY_APIV3_KEY: API_V3_KEY })
    expect(auto).toMatchObject({ _tag: "Success", value: { platform: { certificates: "auto" } } })
    const files = read({ ...merchant, WECHATPAY_PLATFORM_CERTIFICATES: "/a.pem, /b.pem", WECHATPAY_BACKUP_BASE_URL: "none" })
    expect(files).toMatchObject({ _tag: "Success", value: { platform: { certificates: ["/a.pem", "/b.pem"] }, backupBaseUrl: null } })
    const both = read({ ...merchant, WECHATPAY_PUBLIC_KEY_ID: PUBLIC_KEY_ID, WECHATPAY_PUBLIC_KEY: "/pub.pem", WECHATPAY_PLATFORM_CERTIFICATES: "auto" })
    expect(both).toMatchObject({ _tag: "Success", value: { platform: { publicKeyId: PUBLIC_KEY_ID, publicKey: "/pub.pem", certificates: "auto" } } })
  })

  it("says which variables to set when no way to verify answers is configured", () => {
    const exit = read(merchant)
    expect(exit._tag).toBe("Failure")
    expect(String(exit)).toContain("WECHATPAY_PLATFORM_CERTIFICATES")
  })
})

describe("WechatPay.layer with your own signer (KMS, HSM)", () => {
  it.live("signs every request through it; no merchant private key is given", () =>
    Effect.gen(function*() {
      const http = memoryHttp(() => ({ status: 500, body: JSON.stringify({ code: "SYSTEM_ERROR", message: "x" }) }))
      const signed: Array<string> = []
      const layer = WechatPay.layer({
        mchid: MCHID,
        merchantSerialNumber: MERCHANT_SERIAL,
        signer: (message) =>
          Effect.sync(() => {
            signed.push(message)
            return crypto.sign("sha256", Buffer.from(message), keys.merchant.privateKey).toString("base64")
          }),
        platform: { publicKeyId: PUBLIC_KEY_ID, publicKey: keys.platform.publicPem },
        backupBaseUrl: null,
        retry: Schedule.stop
      }).pipe(Layer.provide(http.layer))
      yield* Effect.flip(WechatPay.request({ method: "GET", path: "/v3/ping" }).pipe(Effect.provide(layer)))
      expect(signed).toHaveLength(1)
      const sent = http.sent[0]!
      expectSignedByTheMerchant(sent)
    }))

  it.effect("without signer or merchantPrivateKey the layer fails with InvalidKey", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(WechatPay.layer({
        mchid: MCHID,
        merchantSerialNumber: MERCHANT_SERIAL,
        platform: { publicKeyId: PUBLIC_KEY_ID, publicKey: keys.platform.publicPem }
      }).pipe(Layer.provide(memoryHttp().layer)))))
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "InvalidKey", which: "merchantPrivateKey" } } })
    }))
})
