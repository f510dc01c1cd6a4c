/**
 * A client that trusts a certificate download only when a certificate it already knows signed it,
 * as the official SDKs do, written by hand with node:crypto and fetch. It follows the sandbox's
 * phased rotation (publish, then sign), and could not follow the old abrupt one.
 */
import { describe, expect, it } from "@effect/vitest"
import * as crypto from "node:crypto"
import { Effect, Redacted } from "effect"
import { Sandbox } from "../../src/sandbox/index.js"
import { docs, sandboxOptions } from "./support.js"

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

/** The hand-written client: sign, send, and verify with the certificates it knows (none trusted blindly after the first download). */
const strictClient = (server: Sandbox.SandboxServer) => {
  const merchantKey = crypto.createPrivateKey(Redacted.value(server.merchantPrivateKey!))
  const apiV3Key = Buffer.from(Redacted.value(server.apiV3Key), "utf8")
  const known = new Map<string, crypto.KeyObject>()

  const call = async (method: string, url: string, body = ""): Promise<Answer> => {
    const timestamp = Math.floor(Date.now() / 1000)
    const nonce = crypto.randomBytes(16).toString("hex")
    const signature = crypto.sign("sha256", Buffer.from(`${method}\n${url}\n${timestamp}\n${nonce}\n${body}\n`), merchantKey).toString("base64")
    const response = await fetch(server.url + url, {
      method,
      headers: {
        accept: "application/json",
        "content-type": "application/json",
        "user-agent": "strict-client/1.0",
        authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${server.mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${server.merchantSerialNumber}"`
      },
      ...(body !== "" ? { body } : {})
    })
    return { status: response.status, headers: response.headers, text: await response.text() }
  }

  const verifiedWith = (answer: Answer, keys: ReadonlyMap<string, crypto.KeyObject>): boolean => {
    const key = keys.get(String(answer.headers.get("wechatpay-serial")).toUpperCase())
    if (key === undefined) return false
    const message = `${answer.headers.get("wechatpay-timestamp")}\n${answer.headers.get("wechatpay-nonce")}\n${answer.text}\n`
    return crypto.verify("sha256", Buffer.from(message), key, Buffer.from(String(answer.headers.get("wechatpay-signature")), "base64"))
  }

  const decrypt = (e: { nonce: string; associated_data: string; ciphertext: string }): string => {
    const raw = Buffer.from(e.ciphertext, "base64")
    const decipher = crypto.createDecipheriv("aes-256-gcm", apiV3Key, Buffer.from(e.nonce, "utf8"))
    decipher.setAAD(Buffer.from(e.associated_data, "utf8"))
    decipher.setAuthTag(raw.subarray(raw.length - 16))
    return Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()]).toString("utf8")
  }

  /** Downloads `/v3/certificates`; the first is trusted through the APIv3 key, later ones only if a known certificate signed them. */
  const refresh = async (): Promise<"learned" | "refused"> => {
    const answer = await call("GET", "/v3/certificates")
    const offered = new Map<string, crypto.KeyObject>()
    for (const entry of (JSON.parse(answer.text) as { data: Array<{ serial_no: string; encrypt_certificate: { nonce: string; associated_data: string; ciphertext: string } }> }).data) {
      const certificate = new crypto.X509Certificate(decrypt(entry.encrypt_certificate))
      offered.set(certificate.serialNumber.toUpperCase(), certificate.publicKey)
    }
    if (!verifiedWith(answer, known.size === 0 ? offered : known)) return "refused"
    for (const [serial, key] of offered) known.set(serial, key)
    return "learned"
  }

  const updateOrder = async () => {
    const answer = await call("PATCH", `/v3/discount-card/orders/${docs.updateOrder.out_order_no}`, JSON.stringify({ objectives: docs.updateOrder.objectives }))
    return answer.status === 200 && verifiedWith(answer, known)
  }

  return { refresh, updateOrder, known }
}

describe("a strict certificate-mode client, by hand", () => {
  it.scopedLive("follows a phased rotation: the new certificate is learned from a download the old one signed", () =>
    Effect.gen(function*() {
      const server = yield* Sandbox.make({ ...sandboxOptions, platform: "certificates" })
      const client = strictClient(server)
      expect(yield* Effect.promise(client.refresh)).toBe("learned")
      expect(yield* Effect.promise(client.updateOrder)).toBe(true)

      const next = yield* server.rotateCertificates()
      // published, not yet signing: answers still verify, and the next download (signed by the old one) teaches the new one
      expect(yield* Effect.promise(client.updateOrder)).toBe(true)
      expect(yield* Effect.promise(client.refresh)).toBe("learned")
      expect(client.known.has(next.serialNo)).toBe(true)

      yield* server.startSigningWith(next.serialNo)
      expect(yield* Effect.promise(client.updateOrder)).toBe(true)
      expect(yield* Effect.promise(client.refresh)).toBe("learned") // now signed by the new one, which it knows
    }))

  it.scopedLive("could not follow an abrupt one (signNow): the download that carries the new certificate is signed by it", () =>
    Effect.gen(function*() {
      const server = yield* Sandbox.make({ ...sandboxOptions, platform: "certificates" })
      const client = strictClient(server)
      expect(yield* Effect.promise(client.refresh)).toBe("learned")
      yield* server.rotateCertificates({ signNow: true })
      expect(yield* Effect.promise(client.updateOrder)).toBe(false)
      expect(yield* Effect.promise(client.refresh)).toBe("refused")
    }))
})
