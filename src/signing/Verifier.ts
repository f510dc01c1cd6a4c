/**
 * The WeChat Pay side of signing: checks that an answer (a response or a notification) was
 * signed by WeChat Pay, within 300 s of our clock, with a key we know by its `Wechatpay-Serial`.
 * Keys come from a `KeyStore`: a WeChat Pay public key (public-key mode), platform certificates
 * (certificate mode), or both at once during migration.
 */
import type * as crypto from "node:crypto"
import { Context, Effect, Layer } from "effect"
import { InvalidKey, ResponseVerificationError, type VerificationReason } from "../errors/errors.js"
import {
  KeyLoadFailure,
  loadCertificate,
  loadPublicKey,
  normalizeSerial,
  responseMessage,
  SIGNATURE_PROBE_PREFIX,
  verifySync
} from "./crypto.js"

/** What a signed answer carries: the `Wechatpay-*` headers and the raw body text. */
export interface SignedMessage {
  readonly timestamp: string | undefined
  readonly nonce: string | undefined
  readonly signature: string | undefined
  readonly serial: string | undefined
  readonly body: string
  readonly requestId?: string | undefined
}

export interface VerificationKey {
  readonly id: string
  readonly key: crypto.KeyObject
  /** Certificate validity, ms since epoch; absent for a public key. */
  readonly validFrom?: number
  readonly validTo?: number
}

export interface VerifierService {
  readonly verify: (message: SignedMessage) => Effect.Effect<void, ResponseVerificationError>
  /**
   * Everything `verify` checks except the signature over the body: the headers are present and
   * well-formed, the timestamp is in the window, the serial names a key we know. Cheap, so a
   * notification endpoint refuses before it reads a body.
   */
  readonly verifyHeaders: (message: Omit<SignedMessage, "body">) => Effect.Effect<void, ResponseVerificationError>
  /** The key to encrypt sensitive fields with and the id for `Wechatpay-Serial`. */
  readonly encryptionKey: Effect.Effect<VerificationKey, ResponseVerificationError>
}

export class Verifier extends Context.Tag("effect-wechatpay/Verifier")<Verifier, VerifierService>() {}

/** The allowed difference between WeChat Pay's timestamp and our clock, as every official SDK uses. */
export const MAX_CLOCK_SKEW_SECONDS = 300

const TIMESTAMP = /^\d{1,12}$/
/**
 * Header shapes, bounded: WeChat Pay sends a 32-character nonce, a 40-hex serial or a 39-character
 * `PUB_KEY_ID_…`, and a 344-character RSA-2048 signature. No comma or space: Node joins a repeated
 * header with ", ", so a value sent twice is refused rather than half-read.
 */
const NONCE = /^[!-+\--~]{1,128}$/
const SERIAL = /^[0-9A-Za-z_-]{1,64}$/
const MAX_SIGNATURE_CHARS = 1024
/** Canonical base64 only: Node's decoder would skip junk (a repeated header "sig, sig" decodes as "sig"). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$|^(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$/

/** Reads a header from plain records or `Headers`-like maps, case-insensitively as Node lower-cases them. */
export const signedMessageFromHeaders = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>,
  body: string
): SignedMessage => {
  const h = (lower: string, canonical: string) => {
    const v = headers[lower] ?? headers[canonical]
    return typeof v === "string" ? v : undefined
  }
  return {
    timestamp: h("wechatpay-timestamp", "Wechatpay-Timestamp"),
    nonce: h("wechatpay-nonce", "Wechatpay-Nonce"),
    signature: h("wechatpay-signature", "Wechatpay-Signature"),
    serial: h("wechatpay-serial", "Wechatpay-Serial"),
    requestId: h("request-id", "Request-ID") ?? h("request-id", "Request-Id"),
    body
  }
}

/**
 * A verifier over a key lookup. `lookup` may refresh (certificate mode) and answers `undefined`
 * for a serial it cannot find.
 */
export const fromKeyLookup = (
  lookup: (serial: string) => Effect.Effect<VerificationKey | undefined>,
  encryptionKey: Effect.Effect<VerificationKey, ResponseVerificationError>
): VerifierService => {
  const fail = (reason: VerificationReason, message: string, m: Omit<SignedMessage, "body">) =>
    Effect.fail(
      new ResponseVerificationError({
        reason,
        message,
        ...(m.serial !== undefined ? { serial: m.serial } : {}),
        ...(m.requestId !== undefined ? { requestId: m.requestId } : {})
      })
    )
  /** The headers' checks; the key to verify with, or the refusal. */
  const keyFor = (m: Omit<SignedMessage, "body">): Effect.Effect<VerificationKey, ResponseVerificationError> => {
    if (!m.timestamp || !m.nonce || !m.signature || !m.serial) {
      const missing = [
        !m.timestamp && "Wechatpay-Timestamp",
        !m.nonce && "Wechatpay-Nonce",
        !m.signature && "Wechatpay-Signature",
        !m.serial && "Wechatpay-Serial"
      ].filter(Boolean)
      return fail("MissingHeaders", `the answer lacks ${missing.join(", ")}`, m)
    }
    const { serial, signature, timestamp } = m
    if (!SERIAL.test(serial)) return fail("MalformedHeaders", "Wechatpay-Serial is not one serial or key id", { ...m, serial: undefined })
    if (signature.startsWith(SIGNATURE_PROBE_PREFIX)) {
      return fail("SignatureProbe", "a WeChat Pay signature probe (WECHATPAY/SIGNTEST/), rejected by design", m)
    }
    if (!TIMESTAMP.test(timestamp)) return fail("MalformedHeaders", "Wechatpay-Timestamp is not a number of seconds", m)
    if (!NONCE.test(m.nonce)) return fail("MalformedHeaders", "Wechatpay-Nonce is not one nonce of at most 128 characters", m)
    if (signature.length > MAX_SIGNATURE_CHARS || !BASE64.test(signature)) return fail("MalformedHeaders", "Wechatpay-Signature is not base64", m)
    return Effect.clockWith((clock) => {
      const now = clock.unsafeCurrentTimeMillis()
      const skew = Math.abs(Math.floor(now / 1000) - Number(timestamp))
      if (skew > MAX_CLOCK_SKEW_SECONDS) {
        return fail("StaleTimestamp", `Wechatpay-Timestamp is ${skew} s away from our clock (limit ${MAX_CLOCK_SKEW_SECONDS} s)`, m)
      }
      return Effect.flatMap(lookup(serial), (key) => {
        if (key === undefined) return fail("UnknownSerial", `no WeChat Pay key or certificate with serial ${serial}`, m)
        if ((key.validFrom !== undefined && now < key.validFrom) || (key.validTo !== undefined && now > key.validTo)) {
          return fail("UnknownSerial", `certificate ${serial} is outside its validity period`, m)
        }
        return Effect.succeed(key)
      })
    })
  }
  return {
    encryptionKey,
    verifyHeaders: (m) => Effect.asVoid(keyFor(m)),
    // Plain effects, no generator: this runs on every answer.
    verify: (m) =>
      Effect.flatMap(keyFor(m), (key) =>
        verifySync(responseMessage({ timestamp: m.timestamp!, nonce: m.nonce!, body: m.body }), m.signature!, key.key)
          ? Effect.void
          : fail("BadSignature", "the signature does not match the answer", m))
  }
}

export interface StaticPlatformOptions {
  /** WeChat Pay public key mode: `PUB_KEY_ID_…` and its PEM. */
  readonly publicKeyId?: string | undefined
  readonly publicKey?: string | crypto.KeyObject | undefined
  /** Platform certificate mode: PEM certificates known in advance. */
  readonly certificates?: ReadonlyArray<string> | undefined
}

/** Parses the configured keys once; a bad one fails with a message naming it. */
export const loadStaticKeys = (options: StaticPlatformOptions): Effect.Effect<ReadonlyArray<VerificationKey>, InvalidKey> =>
  Effect.try({
    try: () => {
      const keys: Array<VerificationKey> = []
      if (options.publicKeyId !== undefined || options.publicKey !== undefined) {
        if (!options.publicKeyId) throw new KeyLoadFailure("platform.publicKeyId", "is required with platform.publicKey")
        if (options.publicKey === undefined) throw new KeyLoadFailure("platform.publicKey", "is required with platform.publicKeyId")
        keys.push({ id: options.publicKeyId, key: loadPublicKey("platform.publicKey", options.publicKey) })
      }
      options.certificates?.forEach((pem, i) => {
        const c = loadCertificate(`platform.certificates[${i}]`, pem)
        keys.push({ id: c.serial, key: c.publicKey, validFrom: c.validFrom, validTo: c.validTo })
      })
      return keys
    },
    catch: (e) =>
      e instanceof KeyLoadFailure
        ? new InvalidKey({ which: e.which, message: e.message })
        : new InvalidKey({ which: "platform", message: "platform keys could not be loaded" })
  })

/** Prefers the public key (WeChat's current mode), else the newest certificate. */
export const pickEncryptionKey = (keys: ReadonlyArray<VerificationKey>): VerificationKey | undefined =>
  keys.find((k) => k.validTo === undefined) ??
    [...keys].sort((a, b) => (b.validFrom ?? 0) - (a.validFrom ?? 0))[0]

export const fromStaticKeys = (keys: ReadonlyArray<VerificationKey>): VerifierService => {
  const byId = new Map(keys.map((k) => [k.validTo === undefined ? k.id : normalizeSerial(k.id), k]))
  const chosen = pickEncryptionKey(keys)
  return fromKeyLookup(
    (serial) => Effect.succeed(byId.get(serial) ?? byId.get(normalizeSerial(serial))),
    chosen
      ? Effect.succeed(chosen)
      : Effect.fail(new ResponseVerificationError({ reason: "UnknownSerial", message: "no WeChat Pay key is configured" }))
  )
}

export const make = (options: StaticPlatformOptions): Effect.Effect<VerifierService, InvalidKey> =>
  Effect.map(loadStaticKeys(options), fromStaticKeys)

/** Public-key mode, static certificates, or both, from values. */
export const layer = (options: StaticPlatformOptions): Layer.Layer<Verifier, InvalidKey> => Layer.effect(Verifier, make(options))
