/**
 * What the front end needs to open WeChat Pay's cashier for a prepay, signed by the layer's
 * `Signer` (so a KMS or HSM signer works too): timestamps in seconds from `Clock`, nonces from the
 * `Nonce` reference.
 *
 *   PaySign.jsapi({ appId, prepayId })   JSAPI and mini programs: `wx.requestPayment` / `WeixinJSBridge`
 *   PaySign.app({ appId, prepayId })     the APP SDK's `PayReq`
 *
 * https://pay.weixin.qq.com/doc/v3/merchant/4012365341 (JSAPI调起支付), …/4012365340 (APP调起支付)
 */
import { Clock, Effect } from "effect"
import { RequestValidationError } from "../errors/errors.js"
import { Nonce } from "../signing/Nonce.js"
import { Signer } from "../signing/Signer.js"

export interface Prepay {
  /** The appid the order was placed with (公众号, 小程序 or 移动应用). */
  readonly appId: string
  /** `prepay_id` from the prepay answer. */
  readonly prepayId: string
}

/** The arguments of `wx.requestPayment` (and `WeixinJSBridge.invoke("getBrandWCPayRequest")`). */
export interface JsapiPayment {
  readonly appId: string
  /** Seconds since the epoch, as a string. */
  readonly timeStamp: string
  readonly nonceStr: string
  /** `prepay_id=…` */
  readonly package: string
  readonly signType: "RSA"
  /** SHA256withRSA over `appId\ntimeStamp\nnonceStr\npackage\n`, base64. */
  readonly paySign: string
}

/** The fields of the APP SDK's `PayReq`. */
export interface AppPayment {
  readonly appid: string
  /** The merchant id (the signer's `mchid`). */
  readonly partnerid: string
  readonly prepayid: string
  readonly package: "Sign=WXPay"
  readonly noncestr: string
  /** Seconds since the epoch, as a string. */
  readonly timestamp: string
  /** SHA256withRSA over `appid\ntimestamp\nnoncestr\nprepayid\n`, base64. */
  readonly sign: string
}

/** A value that is empty or holds a line break would sign a different message than the one meant. */
const checked = (name: string, prepay: Prepay): Effect.Effect<void, RequestValidationError> => {
  for (const [field, value] of [["appId", prepay.appId], ["prepayId", prepay.prepayId]] as const) {
    if (typeof value !== "string" || value.trim() === "" || /[\r\n]/.test(value)) {
      return Effect.fail(new RequestValidationError({ endpoint: name, message: `${field}: must be a non-empty string without line breaks` }))
    }
  }
  return Effect.void
}

const seconds = Effect.map(Clock.currentTimeMillis, (ms) => String(Math.floor(ms / 1000)))

/** `wx.requestPayment`'s arguments for a JSAPI or mini-program prepay. */
export const jsapi = (prepay: Prepay): Effect.Effect<JsapiPayment, RequestValidationError, Signer> =>
  Effect.gen(function*() {
    yield* checked("PaySign.jsapi", prepay)
    const signer = yield* Signer
    const timeStamp = yield* seconds
    const nonceStr = (yield* Nonce).next()
    const pkg = `prepay_id=${prepay.prepayId}`
    const paySign = yield* signer.sign(`${prepay.appId}\n${timeStamp}\n${nonceStr}\n${pkg}\n`)
    return { appId: prepay.appId, timeStamp, nonceStr, package: pkg, signType: "RSA", paySign }
  })

/** The APP SDK's `PayReq` for an APP prepay. */
export const app = (prepay: Prepay): Effect.Effect<AppPayment, RequestValidationError, Signer> =>
  Effect.gen(function*() {
    yield* checked("PaySign.app", prepay)
    const signer = yield* Signer
    const timestamp = yield* seconds
    const noncestr = (yield* Nonce).next()
    const sign = yield* signer.sign(`${prepay.appId}\n${timestamp}\n${noncestr}\n${prepay.prepayId}\n`)
    return { appid: prepay.appId, partnerid: signer.mchid, prepayid: prepay.prepayId, package: "Sign=WXPay", noncestr, timestamp, sign }
  })
