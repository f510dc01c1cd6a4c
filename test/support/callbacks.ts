/** Callbacks as WeChat Pay posts them, signed with the test platform key. */
import * as crypto from "node:crypto"
import { aeadEncrypt, SIGNATURE_PROBE_PREFIX } from "../../src/signing/crypto.js"
import { API_V3_KEY, PUBLIC_KEY_ID, type TestKeys } from "./keys.js"

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

