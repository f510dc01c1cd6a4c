/**
 * The WeChat Pay v3 protocol as the server sees it: checking a merchant's `Authorization`, the
 * header rules, and signing every answer with the platform key. Built on the same pure helpers
 * the client uses (`src/signing/crypto.ts`), but reading the raw bytes as received.
 */
import { ParamError, SignError } from "../errors/codes.js"
import * as crypto from "node:crypto"
import { Data } from "effect"
import type { ApiErrorClass } from "../errors/ApiError.js"
import { AUTH_SCHEME, normalizeSerial, parseAuthorization, randomNonce, responseMessage, SIGNATURE_PROBE_PREFIX, signSync, verifySync } from "../signing/crypto.js"

/** A WeChat Pay error answer: status, code, message and (open) detail. */
export class ApiFailure extends Data.TaggedError("ApiFailure")<{
  readonly status: number
  readonly code: string
  readonly message: string
  readonly detail?: unknown
}> {
  /** The answer of a declared code: its wire code and documented status come from its class. */
  static of(cls: Pick<ApiErrorClass, "code" | "status">, message: string, detail?: unknown): ApiFailure {
    return new ApiFailure({ status: cls.status, code: cls.code, message, ...(detail !== undefined ? { detail } : {}) })
  }
}

export const errorBody = (f: ApiFailure): string =>
  JSON.stringify({ code: f.code, message: f.message, ...(f.detail !== undefined ? { detail: f.detail } : {}) })

/** The window WeChat Pay allows between the merchant's timestamp and its own clock. */
export const MAX_REQUEST_SKEW_SECONDS = 300

export interface MerchantIdentity {
  readonly mchid: string
  readonly serialNo: string
  readonly publicKey: crypto.KeyObject
}

export interface ReceivedRequest {
  readonly method: string
  /** Path and query exactly as received. */
  readonly url: string
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: Uint8Array
}

const signError = (message: string, detail: Record<string, unknown>) =>
  ApiFailure.of(SignError, message, { location: "authorization", ...detail })

/** WeChat Pay refuses requests without these (FAQ: Http头缺少Accept或User-Agent). */
export const checkHeaders = (headers: ReceivedRequest["headers"]): ApiFailure | undefined => {
  for (const name of ["user-agent", "accept"] as const) {
    if (!headers[name]) {
      return ApiFailure.of(ParamError, "Http头缺少Accept或User-Agent", {
        field: name === "accept" ? "Accept" : "User-Agent",
        location: "header",
        issue: "missing"
      })
    }
  }
  return undefined
}

const SIGN_MESSAGE_PREVIEW = 70

/**
 * Checks the Authorization of a request: scheme and the five fields, the merchant and serial,
 * the timestamp window, then the signature over METHOD, the raw URL, timestamp, nonce and the
 * raw body bytes. Answers the failure with a detail saying what did not match.
 */
export const checkAuthorization = (
  request: ReceivedRequest,
  merchant: MerchantIdentity,
  nowSeconds: number
): ApiFailure | { readonly nonce: string; readonly timestamp: string } => {
  const header = request.headers["authorization"]
  const parsed = parseAuthorization(header)
  if (parsed._tag === "Invalid") {
    const field = header !== undefined && header !== "" && !header.startsWith(`${AUTH_SCHEME} `) ? "schema" : "authorization"
    return signError("Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》", { field, issue: parsed.reason })
  }
  if (parsed.mchid !== merchant.mchid) {
    return signError("商户号与签名信息不匹配", { field: "mchid", value: parsed.mchid, issue: "mchid is not the merchant of this serial_no" })
  }
  // Serials compare as numbers: case and a leading zero byte do not matter.
  if (normalizeSerial(parsed.serial_no) !== normalizeSerial(merchant.serialNo)) {
    return signError("商户证书序列号有误。请使用签名私钥匹配的证书序列号", {
      field: "serial_no",
      value: parsed.serial_no,
      issue: "no merchant API certificate or public key with this serial_no"
    })
  }
  if (!/^\d{1,12}$/.test(parsed.timestamp)) {
    return signError("签名时间戳格式错误", { field: "timestamp", value: parsed.timestamp, issue: "not a number of seconds" })
  }
  const skew = Math.abs(nowSeconds - Number(parsed.timestamp))
  if (skew > MAX_REQUEST_SKEW_SECONDS) {
    return signError("签名已过期，请检查系统时间", {
      field: "timestamp",
      value: parsed.timestamp,
      issue: `timestamp is ${skew} s away from the server clock (limit ${MAX_REQUEST_SKEW_SECONDS} s)`
    })
  }
  const head = Buffer.from(`${request.method.toUpperCase()}\n${request.url}\n${parsed.timestamp}\n${parsed.nonce_str}\n`, "utf8")
  // The raw body bytes, as received: not re-encoded from a decoded string.
  const message = Buffer.concat([head, request.body, Buffer.from("\n")])
  if (!verifySync(message, parsed.signature, merchant.publicKey)) {
    const text = message.toString("utf8")
    return ApiFailure.of(SignError, "错误的签名，验签失败", {
        detail: { issue: "sign not match" },
        field: "signature",
        location: "authorization",
        sign_information: {
          method: request.method.toUpperCase(),
          sign_message_length: message.length,
          truncated_sign_message: text.length > SIGN_MESSAGE_PREVIEW ? text.slice(0, SIGN_MESSAGE_PREVIEW) + "\n" : text,
          url: request.url
        }
    })
  }
  return { nonce: parsed.nonce_str, timestamp: parsed.timestamp }
}

// ---- signing answers ----

export interface PlatformKey {
  readonly publicKeyId: string
  readonly privateKey: crypto.KeyObject
}

export interface SigningKey {
  readonly serial: string
  readonly privateKey: crypto.KeyObject
}

/** Where the signing key comes from: one fixed public key, or whatever key signs now (certificate rotation). */
export type KeySource = PlatformKey | { readonly current: (nowMillis: number) => SigningKey }

const currentKey = (source: KeySource, nowSeconds: number) =>
  "current" in source ? source.current(nowSeconds * 1000) : { serial: source.publicKeyId, privateKey: source.privateKey }

/**
 * How an answer's (or a callback's) signature can be spoiled, one line each: the fault kinds, the
 * callback tamperings and their docs are derived from this table.
 */
export const signatureTamperings = {
  "bad-signature": "a real signature over other bytes",
  "missing-signature-headers": "no Wechatpay-* headers",
  "stale-timestamp": "a timestamp ten minutes off",
  "unknown-serial": "a serial the merchant does not know",
  "signature-probe": "a WECHATPAY/SIGNTEST/ probe signature"
} as const

/** How an answer's signature is to be spoiled (fault injection), if at all. */
export type SignatureTampering = keyof typeof signatureTamperings

export const signatureTamperingKinds = Object.keys(signatureTamperings) as ReadonlyArray<SignatureTampering>

interface CachedSignature {
  readonly timestamp: number
  readonly nonce: string
  readonly signature: string
}

/** A cached signature is reused for at most this long: well inside the 300 s window clients allow. */
const CACHE_TTL_SECONDS = 60
const CACHE_MAX_ENTRIES = 10_000

export interface ResponseSigner {
  /** `key`: sign with this one instead of the source's current key. */
  readonly headers: (status: number, body: string, nowSeconds: number, tampering?: SignatureTampering, key?: SigningKey) => Record<string, string>
  /** Never cached: for callbacks, whose bodies are all different. */
  readonly freshHeaders: (body: string, nowSeconds: number, tampering?: SignatureTampering) => Record<string, string>
}

/**
 * Signs answers with the platform key (or the certificate key that signs now). With `cache`
 * (bench mode), one signature per (key, status, body) is reused for a minute: RSA signing is most
 * of the server's cost, and a client cannot tell.
 */
export const makeResponseSigner = (platform: KeySource, options: { readonly cache: boolean }): ResponseSigner => {
  const cache = new Map<string, CachedSignature>()
  const fresh = (body: string, nowSeconds: number, privateKey: crypto.KeyObject): CachedSignature => {
    const nonce = randomNonce()
    return { timestamp: nowSeconds, nonce, signature: signSync(responseMessage({ timestamp: nowSeconds, nonce, body }), privateKey) }
  }
  const signed = (status: number, body: string, nowSeconds: number, key: { serial: string; privateKey: crypto.KeyObject }): CachedSignature => {
    if (!options.cache) return fresh(body, nowSeconds, key.privateKey)
    const cacheKey = `${key.serial}\n${status}\n${body}`
    const hit = cache.get(cacheKey)
    if (hit !== undefined && nowSeconds - hit.timestamp < CACHE_TTL_SECONDS && hit.timestamp <= nowSeconds) return hit
    if (cache.size >= CACHE_MAX_ENTRIES) cache.clear()
    const entry = fresh(body, nowSeconds, key.privateKey)
    cache.set(cacheKey, entry)
    return entry
  }
  const build = (status: number | undefined, body: string, nowSeconds: number, tampering: SignatureTampering | undefined, override?: SigningKey) => {
    const requestId = crypto.randomBytes(20).toString("hex").toUpperCase()
    if (tampering === "missing-signature-headers") return { "request-id": requestId }
    const key = override ?? currentKey(platform, nowSeconds)
    let s: CachedSignature
    let serial = key.serial
    switch (tampering) {
      case "stale-timestamp": {
        // Ten minutes off: in the past, or in the future when the clock is near 0 (TestClock).
        const stale = nowSeconds - 2 * MAX_REQUEST_SKEW_SECONDS
        s = fresh(body, stale >= 0 ? stale : nowSeconds + 2 * MAX_REQUEST_SKEW_SECONDS, key.privateKey)
        break
      }
      case "bad-signature":
        // A real signature over another body: well-formed, and wrong.
        s = fresh(body + " ", nowSeconds, key.privateKey)
        break
      case "signature-probe": {
        const probe = fresh(body, nowSeconds, key.privateKey)
        s = { ...probe, signature: SIGNATURE_PROBE_PREFIX + probe.signature }
        break
      }
      case "unknown-serial":
        s = fresh(body, nowSeconds, key.privateKey)
        serial = serial.startsWith("PUB_KEY_ID_") ? "PUB_KEY_ID_0000000000000000000000000000" : "5EED00000000000000000000000000000000DEAD"
        break
      default:
        s = status === undefined ? fresh(body, nowSeconds, key.privateKey) : signed(status, body, nowSeconds, key)
    }
    return {
      "wechatpay-timestamp": String(s.timestamp),
      "wechatpay-nonce": s.nonce,
      "wechatpay-signature": s.signature,
      "wechatpay-serial": serial,
      "wechatpay-signature-type": AUTH_SCHEME,
      "request-id": requestId
    }
  }
  return {
    headers: (status, body, nowSeconds, tampering, key) => build(status, body, nowSeconds, tampering, key),
    freshHeaders: (body, nowSeconds, tampering) => build(undefined, body, nowSeconds, tampering)
  }
}
