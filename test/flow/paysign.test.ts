/**
 * PaySign: what `wx.requestPayment` and the APP SDK get, signed by the layer's `Signer`, checked
 * with node:crypto and against wechatpay-axios-plugin's own signing (`Rsa.sign(Formatter.joinedByLineFeed(…))`,
 * its README's JSAPI recipe), with the clock and nonce pinned.
 */
import { describe, expect, it } from "@effect/vitest"
import * as crypto from "node:crypto"
import { Effect, Redacted, TestClock } from "effect"
import { Formatter, Rsa } from "wechatpay-axios-plugin"
import { PaySign } from "../../src/api/index.js"
import { Nonce } from "../../src/signing/Nonce.js"
import * as Signer from "../../src/signing/Signer.js"
import { generateKeyPair } from "../support/keys.js"

const merchant = generateKeyPair()
const NONCE = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS"
const AT = 1_700_000_000
const prepay = { appId: "wx8888888888888888", prepayId: "wx201410272009395522657a690389285100" }

const signerLayer = Signer.layer({ mchid: "1900000109", merchantSerialNumber: "ABC", merchantPrivateKey: Redacted.make(merchant.pkcs8Pem) })

const pinned = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.zipRight(TestClock.setTime(AT * 1000 + 999), effect).pipe(Effect.provideService(Nonce, { next: () => NONCE }))

const verifies = (message: string, signature: string) => crypto.verify("sha256", Buffer.from(message), merchant.publicKey, Buffer.from(signature, "base64"))

describe("PaySign.jsapi", () => {
  it.effect("answers wx.requestPayment's fields, paySign over appId\\ntimeStamp\\nnonceStr\\npackage\\n", () =>
    Effect.gen(function*() {
      const p = yield* pinned(PaySign.jsapi(prepay))
      expect(p).toEqual({
        appId: prepay.appId,
        timeStamp: String(AT),
        nonceStr: NONCE,
        package: `prepay_id=${prepay.prepayId}`,
        signType: "RSA",
        paySign: expect.any(String)
      })
      const message = `${prepay.appId}\n${AT}\n${NONCE}\nprepay_id=${prepay.prepayId}\n`
      expect(verifies(message, p.paySign)).toBe(true)
      expect(verifies(message.replace("\n", "\r\n"), p.paySign)).toBe(false)
      const reference = Rsa.sign(Formatter.joinedByLineFeed(p.appId, p.timeStamp, p.nonceStr, p.package), Rsa.from(merchant.pkcs8Pem, Rsa.KEY_TYPE_PRIVATE))
      expect(p.paySign).toBe(reference)
    }).pipe(Effect.provide(signerLayer)))

  it.effect("a fresh nonce and the current second on each call, by default", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(AT * 1000)
      const a = yield* PaySign.jsapi(prepay)
      const b = yield* PaySign.jsapi(prepay)
      expect(a.nonceStr).not.toBe(b.nonceStr)
      expect(a.nonceStr).toMatch(/^[0-9A-Za-z]{32}$/)
      expect(a.timeStamp).toBe(String(AT))
    }).pipe(Effect.provide(signerLayer)))
})

describe("PaySign.app", () => {
  it.effect("answers PayReq's fields, sign over appid\\ntimestamp\\nnoncestr\\nprepayid\\n, partnerid the signer's mchid", () =>
    Effect.gen(function*() {
      const p = yield* pinned(PaySign.app(prepay))
      expect(p).toEqual({
        appid: prepay.appId,
        partnerid: "1900000109",
        prepayid: prepay.prepayId,
        package: "Sign=WXPay",
        noncestr: NONCE,
        timestamp: String(AT),
        sign: expect.any(String)
      })
      expect(verifies(`${prepay.appId}\n${AT}\n${NONCE}\n${prepay.prepayId}\n`, p.sign)).toBe(true)
      expect(p.sign).toBe(Rsa.sign(Formatter.joinedByLineFeed(p.appid, p.timestamp, p.noncestr, p.prepayid), Rsa.from(merchant.pkcs8Pem, Rsa.KEY_TYPE_PRIVATE)))
    }).pipe(Effect.provide(signerLayer)))
})

describe("the Signer decides", () => {
  it.effect("a custom signer (a KMS) gets the exact message and its signature is used", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const kms = Signer.layerCustom({
        mchid: "1900000109",
        serialNo: "KMS",
        sign: (message) => Effect.sync(() => (seen.push(message), `kms:${message.length}`))
      })
      const p = yield* pinned(PaySign.jsapi(prepay)).pipe(Effect.provide(kms))
      expect(seen).toEqual([`${prepay.appId}\n${AT}\n${NONCE}\nprepay_id=${prepay.prepayId}\n`])
      expect(p.paySign).toBe(`kms:${seen[0]!.length}`)
    }))

  it.effect("an empty id, or one with a line break (another message), is refused before signing", () =>
    Effect.gen(function*() {
      for (const bad of [{ ...prepay, prepayId: "" }, { ...prepay, appId: "wx1\nwx2" }, { ...prepay, prepayId: " " }]) {
        expect(yield* Effect.flip(PaySign.jsapi(bad))).toMatchObject({ _tag: "RequestValidationError", endpoint: "PaySign.jsapi" })
        expect(yield* Effect.flip(PaySign.app(bad))).toMatchObject({ _tag: "RequestValidationError", endpoint: "PaySign.app" })
      }
    }).pipe(Effect.provide(signerLayer)))
})
