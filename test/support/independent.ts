/**
 * The WeChat Pay side of the protocol written again from the spec with plain node:crypto, so
 * tests check our client against something that shares none of its signing code.
 */
import * as crypto from "node:crypto"

export type AuthCheck =
  | { readonly ok: true; readonly mchid: string; readonly serialNo: string; readonly nonce: string; readonly timestamp: string; readonly signature: string }
  | { readonly ok: false; readonly reason: string }

const SCHEME = "WECHATPAY2-SHA256-RSA2048 "

/** Checks an Authorization header over exactly the method, raw path+query and body bytes received. */
export const checkAuthorization = (p: {
  readonly header: string | undefined
  readonly method: string
  readonly url: string
  readonly body: Uint8Array
  readonly publicKey: crypto.KeyObject
  readonly mchid: string
  readonly serialNo: string
}): AuthCheck => {
  if (p.header === undefined) return { ok: false, reason: "no Authorization" }
  if (!p.header.startsWith(SCHEME)) return { ok: false, reason: "wrong scheme" }
  const fields = new Map<string, string>()
  for (const pair of p.header.slice(SCHEME.length).split(",")) {
    const m = /^([a-z_]+)="([^"]*)"$/.exec(pair)
    if (m === null) return { ok: false, reason: `malformed pair ${JSON.stringify(pair)}` }
    if (fields.has(m[1]!)) return { ok: false, reason: `repeated ${m[1]}` }
    fields.set(m[1]!, m[2]!)
  }
  const mchid = fields.get("mchid")
  const nonce = fields.get("nonce_str")
  const signature = fields.get("signature")
  const timestamp = fields.get("timestamp")
  const serialNo = fields.get("serial_no")
  if (!mchid || !nonce || !signature || !timestamp || !serialNo) return { ok: false, reason: "missing field" }
  if (fields.size !== 5) return { ok: false, reason: "extra fields" }
  if (mchid !== p.mchid) return { ok: false, reason: "wrong mchid" }
  if (serialNo !== p.serialNo) return { ok: false, reason: "wrong serial_no" }
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: "bad timestamp" }
  if (!/^[0-9A-Za-z]{32}$/.test(nonce)) return { ok: false, reason: "bad nonce" }
  const message = Buffer.concat([
    Buffer.from(`${p.method}\n${p.url}\n${timestamp}\n${nonce}\n`, "utf8"),
    p.body,
    Buffer.from("\n", "utf8")
  ])
  const ok = crypto.verify("sha256", message, p.publicKey, Buffer.from(signature, "base64"))
  return ok ? { ok: true, mchid, serialNo, nonce, timestamp, signature } : { ok: false, reason: "bad signature" }
}

export interface SignedHeaders {
  readonly timestamp: string
  readonly nonce: string
  readonly signature: string
  readonly serial: string
}

export const randomNonce = (): string => crypto.randomBytes(16).toString("hex").toUpperCase()

/** Signs `TIMESTAMP\nNONCE\nBODY\n` over the body bytes as WeChat Pay does. */
export const signAnswer = (p: {
  readonly body: Uint8Array
  readonly privateKey: crypto.KeyObject
  readonly serial: string
  readonly timestamp?: string | number | undefined
  readonly nonce?: string | undefined
}): SignedHeaders => {
  const timestamp = String(p.timestamp ?? Math.floor(Date.now() / 1000))
  const nonce = p.nonce ?? randomNonce()
  const message = Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, "utf8"), p.body, Buffer.from("\n", "utf8")])
  return { timestamp, nonce, serial: p.serial, signature: crypto.sign("sha256", message, p.privateKey).toString("base64") }
}

export const signedHeaderRecord = (h: SignedHeaders, requestId = "REQ-TEST-1"): Record<string, string> => ({
  "wechatpay-timestamp": h.timestamp,
  "wechatpay-nonce": h.nonce,
  "wechatpay-signature": h.signature,
  "wechatpay-serial": h.serial,
  "wechatpay-signature-type": "WECHATPAY2-SHA256-RSA2048",
  "request-id": requestId
})
