/** Callbacks as WeChat Pay posts them, signed with the test platform key, and a merchant's receiver that records them. */
import * as crypto from "node:crypto"
import * as http from "node:http"
import { Effect } from "effect"
import { aeadEncrypt, SIGNATURE_PROBE_PREFIX } from "../../src/signing/crypto.js"
import { API_V3_KEY, MCHID, OPENID, PUBLIC_KEY_ID } from "./constants.js"
import { type TestKeys } from "./keys.js"

/** A member card's resource (`MEMBERCARD.ACCEPT_CARD`), as the docs show one. */
export const memberCard = { event_type: "NEW_ACTIVATE", card_id: "pbLatjk4T4Hx-QgHgIw6M1nM5Ls", code: "18711", event_time: "2026-11-22T10:00:00+08:00", openid: OPENID }

/** A sent coupon's resource (`COUPON.SEND`), as the docs show one. */
export const couponSend = { event_type: "EVENT_TYPE_BUSICOUPON_SEND", coupon_code: "123446565767", stock_id: "1002323", send_time: "2026-11-22T13:29:35+08:00", openid: "2323dfsdf342342", send_channel: "BUSICOUPON_SEND_CHANNEL_API", send_merchant: MCHID }

export interface CallbackOptions {
  readonly id?: string
  readonly timestamp?: number
  readonly serial?: string
  readonly probe?: boolean
  readonly apiV3Key?: string
  readonly tamper?: (body: string) => string
  /** The resource's plaintext as given, instead of `JSON.stringify(resource)`. */
  readonly plaintext?: string
  /** Changes the encrypted resource before the body is signed (a validly signed hostile body). */
  readonly resourceOverride?: (resource: Record<string, string>) => Record<string, unknown>
}

/** A callback as WeChat Pay would post it: resource encrypted, body signed with the platform key. */
export const callbackFor = (keys: TestKeys) => (eventType: string, resource: unknown, o: CallbackOptions = {}) => {
  const nonce = crypto.randomBytes(6).toString("hex")
  const encrypted = {
    original_type: "test",
    algorithm: "AEAD_AES_256_GCM",
    ciphertext: aeadEncrypt({ key: o.apiV3Key ?? API_V3_KEY, nonce, associatedData: "notification", plaintext: o.plaintext ?? JSON.stringify(resource) }),
    associated_data: "notification",
    nonce
  }
  const envelope = {
    id: o.id ?? crypto.randomUUID(),
    create_time: "2026-11-22T10:00:00+08:00",
    resource_type: "encrypt-resource",
    event_type: eventType,
    summary: "test event",
    resource: o.resourceOverride ? o.resourceOverride(encrypted) : encrypted
  }
  const body = JSON.stringify(envelope)
  const timestamp = String(o.timestamp ?? Math.floor(Date.now() / 1000))
  const sigNonce = crypto.randomBytes(16).toString("hex")
  const signature = o.probe
    ? SIGNATURE_PROBE_PREFIX + crypto.randomBytes(32).toString("base64")
    : crypto.sign("sha256", Buffer.from(`${timestamp}\n${sigNonce}\n${body}\n`), keys.platform.privateKey).toString("base64")
  return {
    headers: {
      "content-type": "application/json",
      "wechatpay-timestamp": timestamp,
      "wechatpay-nonce": sigNonce,
      "wechatpay-signature": signature,
      "wechatpay-serial": o.serial ?? PUBLIC_KEY_ID,
      "wechatpay-signature-type": "WECHATPAY2-SHA256-RSA2048",
      "request-id": "req-" + sigNonce
    },
    body: o.tamper ? o.tamper(body) : body
  }
}


/** A callback as a receiver got it. */
export interface Received {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * A merchant's notify URL on plain node:http (no Notifications module: what arrives, as it
 * arrives), answering `status` (a function of the attempt number); closed with the scope.
 */
export const receiver = (status: (n: number) => number = () => 204) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly received: Array<Received>; readonly server: http.Server }>((resume) => {
      const received: Array<Received> = []
      const server = http.createServer((req, res) => {
        let body = ""
        req.on("data", (c) => (body += c))
        req.on("end", () => {
          received.push({ headers: req.headers as Record<string, string>, body })
          res.statusCode = status(received.length)
          res.end()
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as { port: number }).port
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}/notify`, received, server }))
      })
    }),
    ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  )
