/**
 * Pure WeChat Pay v3 crypto: the messages that get signed, the Authorization header,
 * SHA256withRSA, AEAD_AES_256_GCM and RSA-OAEP. Synchronous functions over `KeyObject`s
 * (the hot path) plus PEM loaders that say which key is wrong without showing it.
 */
import * as crypto from "node:crypto"

export const AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048"
export const SIGNATURE_PROBE_PREFIX = "WECHATPAY/SIGNTEST/"

export interface RequestMessageParts {
  readonly method: string
  /** Path plus `?query`, exactly as sent. */
  readonly url: string
  readonly timestamp: string | number
  readonly nonce: string
  /** The exact body text sent; "" when there is none. */
  readonly body: string
}

/** `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n` */
export const requestMessage = (p: RequestMessageParts): string =>
  `${p.method.toUpperCase()}\n${p.url}\n${p.timestamp}\n${p.nonce}\n${p.body}\n`

export interface ResponseMessageParts {
  readonly timestamp: string | number
  readonly nonce: string
  readonly body: string
}

/** `TIMESTAMP\nNONCE\nBODY\n` */
export const responseMessage = (p: ResponseMessageParts): string => `${p.timestamp}\n${p.nonce}\n${p.body}\n`

export interface AuthorizationParts {
  readonly mchid: string
  readonly serialNo: string
  readonly nonce: string
  readonly timestamp: string | number
  readonly signature: string
}

export const authorizationHeader = (p: AuthorizationParts): string =>
  `${AUTH_SCHEME} mchid="${p.mchid}",nonce_str="${p.nonce}",signature="${p.signature}",timestamp="${p.timestamp}",serial_no="${p.serialNo}"`

/** The five fields of an Authorization header, or a reason it is not one. */
export type ParsedAuthorization =
  | { readonly _tag: "Ok"; readonly mchid: string; readonly nonce_str: string; readonly signature: string; readonly timestamp: string; readonly serial_no: string }
  | { readonly _tag: "Invalid"; readonly reason: string }

const AUTH_PAIR = /^([a-z_]+)="([^"]*)"$/
const AUTH_FIELDS = ["mchid", "nonce_str", "signature", "timestamp", "serial_no"] as const

export const parseAuthorization = (header: string | undefined): ParsedAuthorization => {
  if (header === undefined || header === "") return { _tag: "Invalid", reason: "Authorization header is missing" }
  const space = header.indexOf(" ")
  const scheme = space < 0 ? header : header.slice(0, space)
  if (scheme !== AUTH_SCHEME) return { _tag: "Invalid", reason: `authorization scheme must be ${AUTH_SCHEME}` }
  const fields: Record<string, string> = {}
  for (const pair of header.slice(space + 1).split(",")) {
    const m = AUTH_PAIR.exec(pair.trim())
    if (m === null) return { _tag: "Invalid", reason: "Authorization parameters are malformed" }
    if (m[1]! in fields) return { _tag: "Invalid", reason: `Authorization parameter ${m[1]} is repeated` }
    fields[m[1]!] = m[2]!
  }
  for (const f of AUTH_FIELDS) {
    if (!fields[f]) return { _tag: "Invalid", reason: `Authorization parameter ${f} is missing` }
  }
  return {
    _tag: "Ok",
    mchid: fields.mchid!,
    nonce_str: fields.nonce_str!,
    signature: fields.signature!,
    timestamp: fields.timestamp!,
    serial_no: fields.serial_no!
  }
}

const NONCE_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

const noncePool = Buffer.allocUnsafe(4096)
let noncePoolAt = noncePool.length

/**
 * 32 random characters of `[0-9A-Za-z]` from the CSPRNG, drawn from a pooled buffer (one
 * `randomFillSync` per ~120 nonces). 256 = 4 * 62 + 8: bytes ≥ 248 are rejected so every
 * character is equally likely.
 */
export const randomNonce = (): string => {
  let s = ""
  while (s.length < 32) {
    if (noncePoolAt === noncePool.length) {
      crypto.randomFillSync(noncePool)
      noncePoolAt = 0
    }
    const b = noncePool[noncePoolAt++]!
    if (b < 248) s += NONCE_ALPHABET[b % 62]
  }
  return s
}

export const signSync = (message: string | Uint8Array, key: crypto.KeyObject): string =>
  crypto.sign("sha256", typeof message === "string" ? Buffer.from(message, "utf8") : message, key).toString("base64")

export const verifySync = (message: string | Uint8Array, signature: string, key: crypto.KeyObject): boolean => {
  try {
    return crypto.verify(
      "sha256",
      typeof message === "string" ? Buffer.from(message, "utf8") : message,
      key,
      Buffer.from(signature, "base64")
    )
  } catch {
    return false
  }
}

// ---- keys ----

/** Why a key could not be loaded: a sentence that never contains key material. */
export class KeyLoadFailure extends Error {
  constructor(readonly which: string, readonly reason: string) {
    super(`${which}: ${reason}`)
  }
}

const describeCryptoError = (e: unknown): string => {
  const code = (e as { code?: unknown })?.code
  return typeof code === "string" ? `not a valid PEM key (${code})` : "not a valid PEM key"
}

export const loadPrivateKey = (which: string, pem: string | crypto.KeyObject): crypto.KeyObject => {
  if (typeof pem !== "string") {
    if (pem.type !== "private") throw new KeyLoadFailure(which, `expected a private key, got a ${pem.type} key`)
    return selfCheck(which, checkRsa(which, pem))
  }
  if (!pem.includes("-----BEGIN")) throw new KeyLoadFailure(which, "expected PEM text (PKCS#8 or PKCS#1), no PEM header found")
  if (pem.includes("ENCRYPTED")) throw new KeyLoadFailure(which, "encrypted private keys are not supported; give the decrypted PEM")
  let key: crypto.KeyObject
  try {
    key = crypto.createPrivateKey({ key: pem, format: "pem" })
  } catch (e) {
    throw new KeyLoadFailure(which, describeCryptoError(e))
  }
  return selfCheck(which, checkRsa(which, key))
}

const PROBE = Buffer.from("effect-wechatpay key self-check")

/**
 * A key can parse and still be damaged (a changed modulus or CRT value inside valid base64): it
 * then signs what no public key verifies, and WeChat Pay answers SIGN_ERROR far from the cause.
 * Sign a probe and verify it with the public key derived from the private one, once, at load.
 */
const selfCheck = (which: string, key: crypto.KeyObject): crypto.KeyObject => {
  let ok = false
  try {
    ok = crypto.verify("sha256", PROBE, crypto.createPublicKey(key), crypto.sign("sha256", PROBE, key))
  } catch {
    ok = false
  }
  if (!ok) throw new KeyLoadFailure(which, "the key is damaged: a signature made with it does not verify with its own public key")
  return key
}

export const loadPublicKey = (which: string, pem: string | crypto.KeyObject): crypto.KeyObject => {
  if (typeof pem !== "string") return checkRsa(which, pem.type === "private" ? crypto.createPublicKey(pem) : pem)
  if (!pem.includes("-----BEGIN")) throw new KeyLoadFailure(which, "expected PEM text (public key or certificate), no PEM header found")
  if (pem.includes("PRIVATE KEY")) throw new KeyLoadFailure(which, "expected a public key, got a private key")
  let key: crypto.KeyObject
  try {
    key = crypto.createPublicKey({ key: pem, format: "pem" })
  } catch (e) {
    throw new KeyLoadFailure(which, describeCryptoError(e))
  }
  return checkRsa(which, key)
}

const checkRsa = (which: string, key: crypto.KeyObject): crypto.KeyObject => {
  if (key.asymmetricKeyType !== "rsa") throw new KeyLoadFailure(which, `expected an RSA key, got ${key.asymmetricKeyType ?? "an unknown type"}`)
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0
  if (bits < 2048) throw new KeyLoadFailure(which, `expected an RSA key of at least 2048 bits, got ${bits}`)
  return key
}

export interface LoadedCertificate {
  /** Upper-case hex serial, as WeChat Pay writes it in `Wechatpay-Serial`. */
  readonly serial: string
  readonly publicKey: crypto.KeyObject
  readonly validFrom: number
  readonly validTo: number
}

export const loadCertificate = (which: string, pem: string): LoadedCertificate => {
  let cert: crypto.X509Certificate
  try {
    cert = new crypto.X509Certificate(pem)
  } catch (e) {
    throw new KeyLoadFailure(which, `not a valid X.509 certificate${(e as { code?: string })?.code ? ` (${(e as { code: string }).code})` : ""}`)
  }
  return {
    serial: normalizeSerial(cert.serialNumber),
    publicKey: checkRsa(which, cert.publicKey),
    validFrom: Date.parse(cert.validFrom),
    validTo: Date.parse(cert.validTo)
  }
}

/** Certificate serials compare as upper-case hex without leading zeros' ambiguity. */
export const normalizeSerial = (serial: string): string => serial.toUpperCase().replace(/^(00)+(?=.)/, "")

// ---- AEAD_AES_256_GCM ----

export interface AeadInput {
  /** The 32-byte APIv3 key, ASCII. */
  readonly key: string
  readonly nonce: string
  readonly associatedData?: string | undefined
}

export const aeadDecrypt = (input: AeadInput & { readonly ciphertext: string }): string => {
  const key = Buffer.from(input.key, "utf8")
  if (key.length !== 32) throw new Error("the APIv3 key must be 32 bytes")
  const data = Buffer.from(input.ciphertext, "base64")
  if (data.length < 16) throw new Error("ciphertext is shorter than the 16-byte tag")
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(input.nonce, "utf8"))
  decipher.setAuthTag(data.subarray(data.length - 16))
  decipher.setAAD(Buffer.from(input.associatedData ?? "", "utf8"))
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString("utf8")
}

export const aeadEncrypt = (input: AeadInput & { readonly plaintext: string }): string => {
  const key = Buffer.from(input.key, "utf8")
  if (key.length !== 32) throw new Error("the APIv3 key must be 32 bytes")
  const cipher = crypto.createCipheriv("aes-256-gcm", key, Buffer.from(input.nonce, "utf8"))
  cipher.setAAD(Buffer.from(input.associatedData ?? "", "utf8"))
  const body = Buffer.concat([cipher.update(input.plaintext, "utf8"), cipher.final()])
  return Buffer.concat([body, cipher.getAuthTag()]).toString("base64")
}

// ---- RSA-OAEP (sensitive fields) ----

/** RSA-2048 OAEP with SHA-1 fits 256 − 2·20 − 2 = 214 bytes. */
export const OAEP_MAX_BYTES = 214

export const oaepEncrypt = (plaintext: string, key: crypto.KeyObject): string => {
  const data = Buffer.from(plaintext, "utf8")
  if (data.length > OAEP_MAX_BYTES) throw new Error(`plaintext is ${data.length} bytes; at most ${OAEP_MAX_BYTES} fit`)
  return crypto
    .publicEncrypt({ key, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, data)
    .toString("base64")
}

export const oaepDecrypt = (ciphertext: string, key: crypto.KeyObject): string =>
  crypto
    .privateDecrypt({ key, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha1" }, Buffer.from(ciphertext, "base64"))
    .toString("utf8")
