/**
 * Secrets (the merchant private key, the APIv3 key) never show: not in any error's message,
 * JSON.stringify, String()/toString, util.inspect or Cause.pretty, nor in logs at any level,
 * including when a bad key fails layer construction.
 */
import * as crypto from "node:crypto"
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, ConfigProvider, Effect, Exit, HashMap, Layer, List, Logger, LogLevel, Redacted, Schedule } from "effect"
import * as util from "node:util"
import { DiscountCard, WechatPay } from "../../src/api/index.js"
import { WechatPayClient } from "../../src/api/WechatPayClient.js"
import { options } from "../support/client.js"
import * as Server from "../support/independentServer.js"
import { API_V3_KEY, MCHID, MERCHANT_SERIAL, PUBLIC_KEY_ID } from "../support/constants.js"
import { generateKeyPair, testKeys } from "../support/keys.js"
import { memoryHttp } from "../support/memoryClient.js"
import * as samples from "../support/samples.js"

const keys = testKeys()
const pemLines = keys.merchant.pkcs8Pem.trim().split("\n").slice(1, -1)
const pkcs1Lines = keys.merchant.pkcs1Pem.trim().split("\n").slice(1, -1)
/** A key that looks right but whose body is damaged: parsing fails, and its text is still secret. */
const damaged = keys.merchant.pkcs8Pem.replace(pemLines[0]!, pemLines[0]!.split("").reverse().join(""))

/** A key that parses but is corrupt (one bit of its modulus flipped): it signs what nothing verifies. */
const corrupt = (() => {
  const jwk = keys.merchant.privateKey.export({ format: "jwk" }) as crypto.JsonWebKey
  const n = Buffer.from(jwk.n!, "base64url")
  n[100] = n[100]! ^ 0x01
  return crypto.createPrivateKey({ key: { ...jwk, n: n.toString("base64url") }, format: "jwk" }).export({ type: "pkcs8", format: "pem" }) as string
})()

/** Every fragment that would betray a secret: the API v3 key and any 16-char run of the key's base64. */
const fragments = (() => {
  const out = new Set<string>([API_V3_KEY])
  for (const line of [...pemLines, ...pkcs1Lines, pemLines[0]!.split("").reverse().join("")]) {
    for (let i = 0; i + 16 <= line.length; i += 8) out.add(line.slice(i, i + 16))
  }
  return [...out]
})()

const expectNoSecret = (label: string, text: string) => {
  const leaked = fragments.find((f) => text.includes(f))
  expect(leaked === undefined ? undefined : `${label} leaks ${leaked}`).toBeUndefined()
}

/** Every way an app might print an error or a failed Exit. */
const renderings = (value: unknown): ReadonlyArray<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = [
    ["util.inspect", util.inspect(value, { depth: 20, showHidden: true })],
    ["String", String(value)],
    ["JSON.stringify", JSON.stringify(value) ?? ""]
  ]
  if (value instanceof Error) out.push(["message", value.message], ["toString", value.toString()], ["stack", value.stack ?? ""])
  if (Exit.isExit(value) && Exit.isFailure(value)) out.push(["Cause.pretty", Cause.pretty(value.cause)], ...renderings(Cause.squash(value.cause)))
  return out
}

const expectNothingLeaks = (value: unknown) => {
  for (const [how, text] of renderings(value)) expectNoSecret(how, text)
}

/** A logger that captures everything, at every level, with annotations, spans and causes rendered. */
const capture = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ annotations, cause, logLevel, message, spans }) => {
    lines.push(util.inspect({ level: logLevel.label, message, annotations: HashMap.toEntries(annotations), spans: List.toArray(spans), cause: Cause.pretty(cause) }, { depth: 20 }))
  })
  return { lines, layer: Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.All)) }
}

const buildWith = (overrides: Partial<WechatPay.Options>) =>
  Effect.scoped(Layer.build(WechatPay.layer(options(keys, "https://api.mch.weixin.qq.com", overrides)).pipe(Layer.provide(memoryHttp().layer))))

describe("secrets stay secret", () => {
  it.effect("the fragments detector works (the test can fail)", () =>
    Effect.sync(() => {
      expect(() => expectNoSecret("x", `oops ${keys.merchant.pkcs8Pem}`)).toThrow()
      expect(() => expectNoSecret("x", `oops ${API_V3_KEY}`)).toThrow()
      expect(() => expectNoSecret("x", damaged)).toThrow()
    }))

  const badKeyCases: ReadonlyArray<readonly [string, Partial<WechatPay.Options>, string]> = [
    ["a damaged merchant key", { merchantPrivateKey: Redacted.make(damaged) }, "merchantPrivateKey"],
    ["a merchant key that parses but is corrupt (self-check)", { merchantPrivateKey: Redacted.make(corrupt) }, "merchantPrivateKey"],
    ["the merchant key given without PEM armour", { merchantPrivateKey: Redacted.make(pemLines.join("")) }, "merchantPrivateKey"],
    ["the merchant public key given as the private key", { merchantPrivateKey: Redacted.make(keys.merchant.publicPem) }, "merchantPrivateKey"],
    ["the merchant private key given as the platform public key", { platform: { publicKeyId: PUBLIC_KEY_ID, publicKey: keys.merchant.pkcs8Pem } }, "platform.publicKey"],
    ["the merchant PKCS#1 key given as a platform certificate", { platform: { certificates: [keys.merchant.pkcs1Pem] } }, "platform.certificates[0]"],
    ["the APIv3 key of the wrong length in auto mode", { platform: { certificates: "auto" }, apiV3Key: Redacted.make(API_V3_KEY + "x") }, "apiV3Key"]
  ]
  for (const [name, overrides, which] of badKeyCases) {
    it.effect(`a bad key fails the layer naming it, showing nothing: ${name}`, () =>
      Effect.gen(function*() {
        const logs = capture()
        const exit = yield* buildWith(overrides).pipe(Effect.tapErrorCause((c) => Effect.logError("layer failed", c)), Effect.exit, Effect.provide(logs.layer))
        expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "InvalidKey", which } } })
        expectNothingLeaks(exit)
        expect(logs.lines.length).toBeGreaterThan(0)
        for (const line of logs.lines) expectNoSecret("log", line)
      }))
  }

  it.effect("layerConfig: bad key, key as base64 without PEM (read as a path), missing variable", () =>
    Effect.gen(function*() {
      const env = {
        WECHATPAY_MCHID: MCHID,
        WECHATPAY_MERCHANT_SERIAL_NUMBER: MERCHANT_SERIAL,
        WECHATPAY_MERCHANT_PRIVATE_KEY: damaged,
        WECHATPAY_PUBLIC_KEY_ID: PUBLIC_KEY_ID,
        WECHATPAY_PUBLIC_KEY: keys.platform.publicPem,
        WECHATPAY_APIV3_KEY: API_V3_KEY
      }
      const variants: ReadonlyArray<Record<string, string>> = [
        env,
        { ...env, WECHATPAY_MERCHANT_PRIVATE_KEY: pemLines.join("") },
        { ...env, WECHATPAY_MERCHANT_PRIVATE_KEY: pemLines.join("\n") },
        (({ WECHATPAY_MCHID: _, ...rest }) => rest)(env)
      ]
      for (const vars of variants) {
        const exit = yield* Effect.scoped(Layer.build(WechatPay.layerConfig().pipe(Layer.provide(memoryHttp().layer)))).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars)))),
          Effect.exit
        )
        expect(exit._tag).toBe("Failure")
        expectNothingLeaks(exit)
      }
    }))

  it.effect("the options and the built client print no secret", () =>
    Effect.gen(function*() {
      const o = options(keys, "https://api.mch.weixin.qq.com")
      expectNothingLeaks(o)
      const client = yield* WechatPayClient.pipe(Effect.provide(WechatPay.layer(o).pipe(Layer.provide(memoryHttp().layer))))
      expectNothingLeaks(client)
    }))

  it.live("errors and logs of real calls (at LogLevel.All, with retries and failover) show no secret", () => {
    const logs = capture()
    return Effect.gen(function*() {
      const exits: Array<unknown> = []
      const server = yield* Server.make(keys)
      const replies: ReadonlyArray<Server.Reply> = [
        Server.errorReply(401, "SIGN_ERROR", "签名错误", { detail: { issue: "sign not match" } }),
        Server.errorReply(500, "SYSTEM_ERROR"),
        { status: 502, body: "<html>bad gateway</html>" },
        { status: 200, body: "{}", tamper: (s) => ({ ...s, signature: "WECHATPAY/SIGNTEST/xyz" }) },
        { status: 200, body: "{\"unexpected\":true}" },
        { status: 200, body: "{}", sign: false }
      ]
      const layerFor = (baseUrl: string, backupBaseUrl: string | null) =>
        WechatPay.layer(options(keys, baseUrl, { backupBaseUrl, retry: Schedule.recurs(2) })).pipe(Layer.provide(FetchHttpClient.layer))
      for (const reply of replies) {
        server.setHandler(() => reply)
        exits.push(
          yield* DiscountCard.updateOrder(samples.updateOrder).pipe(
            Effect.tapErrorCause((c) => Effect.logError("call failed", c)),
            Effect.exit,
            Effect.provide(layerFor(server.url, null))
          )
        )
      }
      // nothing listens on ports 1 and 2: a connection failure, failover, retries
      exits.push(
        yield* DiscountCard.updateOrder(samples.updateOrder).pipe(
          Effect.tapErrorCause((c) => Effect.logError("call failed", c)),
          Effect.exit,
          Effect.provide(layerFor("http://127.0.0.1:1", "http://127.0.0.1:2"))
        )
      )
      // a signer that dies (a broken KMS) must not expose anything either
      exits.push(
        yield* DiscountCard.updateOrder(samples.updateOrder).pipe(
          Effect.exit,
          Effect.provide(WechatPay.layer(options({ merchant: generateKeyPair(), platform: keys.platform }, server.url)).pipe(Layer.provide(FetchHttpClient.layer)))
        )
      )
      expect(exits.map((e) => Exit.isExit(e) && Exit.isFailure(e))).toEqual(exits.map(() => true))
      for (const exit of exits) expectNothingLeaks(exit)
      expect(logs.lines.some((l) => l.includes("retrying"))).toBe(true)
      for (const line of logs.lines) expectNoSecret("log", line)
    }).pipe(Effect.scoped, Effect.provide(logs.layer))
  })
})
