/**
 * The notify URL faces the internet: these tests attack it over real sockets on 127.0.0.1.
 * Unsigned floods are refused from their headers without the body being read, oversized and slow
 * bodies are cut, validly signed hostile content ends in a typed 4xx, replays run `onEvent` once
 * per retention window, and nothing secret reaches a log line, an error or a reply.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, HashMap, Logger, Redacted, Ref } from "effect"
import { Notifications } from "../../src/notifications/index.js"
import { callbackFor, memberCard } from "../support/callbacks.js"
import { API_V3_KEY, PUBLIC_KEY_ID } from "../support/constants.js"
import { testKeys } from "../support/keys.js"
import { exchange, floodChunked, headOf, type NotifyServer, sleep, startNotifyServer } from "../support/notifyServer.js"

const keys = testKeys()
const callback = callbackFor(keys)
const MiB = 1024 * 1024
/** A refused connection is dropped once its answer is out: the server reads what one or two socket reads bring (64 KiB each), never the flood. */
const READ_BOUND = 128 * 1024

/** Every log line the server writes, message and annotations. */
const captureLogs = () => {
  const lines: Array<{ message: string; annotations: Record<string, unknown> }> = []
  const logger = Logger.make(({ annotations, message }) => {
    lines.push({ message: String(Array.isArray(message) ? message.join(" ") : message), annotations: Object.fromEntries(HashMap.toEntries(annotations)) })
  })
  return { lines, layer: Logger.replace(Logger.defaultLogger, logger) }
}

const post = (server: NotifyServer, c: { headers: Record<string, string>; body: string }) =>
  exchange(server.port, headOf(c.headers, { "content-length": String(Buffer.byteLength(c.body)) }), async (write) => void (await write(c.body)), { untilClose: false })

/** Bytes the server read from a connection once it has let go of it. */
const serverRead = async (server: NotifyServer, localPort: number) => {
  await sleep(50)
  return server.bytesReadFrom(localPort) ?? 0
}

const notificationsLayer = Notifications.layer({ platform: { publicKeyId: PUBLIC_KEY_ID, publicKey: keys.platform.publicPem }, apiV3Key: Redacted.make(API_V3_KEY) })

const signedHeaders = () => callback("MEMBERCARD.ACCEPT_CARD", memberCard).headers

describe("the notify URL refuses before reading", () => {
  it.scopedLive("a 300 MB chunked POST without signature headers: 401 from the headers, the body not read", () =>
    Effect.gen(function*() {
      const handled = yield* Ref.make(0)
      const server = yield* startNotifyServer(keys, () => Ref.update(handled, (n) => n + 1))
      const r = yield* Effect.promise(() =>
        exchange(server.port, headOf({ "content-type": "application/json", "transfer-encoding": "chunked" }), floodChunked(300 * MiB)))
      expect(r.status).toBe(401)
      expect(r.response).toContain(`"code":"FAIL"`)
      expect(r.response.toLowerCase()).toContain("connection: close")
      expect(yield* Effect.promise(() => serverRead(server, r.localPort))).toBeLessThan(READ_BOUND)
      expect(r.wrote).toBeLessThan(64 * MiB)
      expect(yield* Ref.get(handled)).toBe(0)
    }), 30_000)

  it.scopedLive("malformed, repeated, stale or unknown signature headers: 401 before any body is read", () =>
    Effect.gen(function*() {
      const server = yield* startNotifyServer(keys, () => Effect.void)
      const good = signedHeaders()
      const cases: Array<[string, Record<string, string>]> = [
        ["a 5,000-character signature", { ...good, "wechatpay-signature": "A".repeat(5000) }],
        ["a 2,000-character nonce", { ...good, "wechatpay-nonce": "n".repeat(2000) }],
        ["a serial that is not one", { ...good, "wechatpay-serial": "PUB_KEY_ID_0114 OR 1=1" }],
        ["a stale timestamp", { ...good, "wechatpay-timestamp": String(Math.floor(Date.now() / 1000) - 3600) }],
        ["an unknown serial", { ...good, "wechatpay-serial": "PUB_KEY_ID_0000000000000000000000000000" }],
        ["a probe", { ...good, "wechatpay-signature": "WECHATPAY/SIGNTEST/" + "A".repeat(40) }]
      ]
      for (const [, headers] of cases) {
        const r = yield* Effect.promise(() => exchange(server.port, headOf({ ...headers, "transfer-encoding": "chunked" }), floodChunked(50 * MiB)))
        expect(r.status).toBe(401)
        expect(yield* Effect.promise(() => serverRead(server, r.localPort))).toBeLessThan(READ_BOUND)
      }
      // A header sent twice: Node joins the values with ", ", which no shape accepts.
      const twice = `POST /notify HTTP/1.1\r\nHost: x\r\n${Object.entries(good).map(([k, v]) => `${k}: ${v}\r\n`).join("")}wechatpay-nonce: other\r\ncontent-length: 2\r\n\r\n{}`
      expect((yield* Effect.promise(() => exchange(server.port, twice, undefined, { untilClose: false }))).status).toBe(401)
    }), 60_000)

  it.scopedLive("over maxBodyBytes: 413 on a declared length at once, and while reading a chunked body", () =>
    Effect.gen(function*() {
      const server = yield* startNotifyServer(keys, () => Effect.void)
      const declared = yield* Effect.promise(() =>
        exchange(server.port, headOf(signedHeaders(), { "content-length": String(50 * MiB) }), async (write) => {
          const piece = Buffer.alloc(64 * 1024, 0x61)
          for (let i = 0; i < 800; i++) if (!(await write(piece))) return
        }))
      expect(declared.status).toBe(413)
      expect(yield* Effect.promise(() => serverRead(server, declared.localPort))).toBeLessThan(READ_BOUND)

      const chunked = yield* Effect.promise(() =>
        exchange(server.port, headOf(signedHeaders(), { "transfer-encoding": "chunked" }), floodChunked(50 * MiB)))
      expect(chunked.status).toBe(413)
      expect(yield* Effect.promise(() => serverRead(server, chunked.localPort))).toBeLessThan(Notifications.DEFAULT_MAX_BODY_BYTES + READ_BOUND)
    }), 30_000)

  it.scopedLive("maxBodyBytes is configurable in handler and parse", () =>
    Effect.gen(function*() {
      const server = yield* startNotifyServer(keys, () => Effect.void, { maxBodyBytes: 512 })
      const c = callback("MEMBERCARD.ACCEPT_CARD", { ...memberCard, padding: "p".repeat(1000) })
      expect((yield* Effect.promise(() => post(server, c))).status).toBe(413)
      const e = yield* Effect.flip(Notifications.parse(c.headers, c.body, { maxBodyBytes: 512 }))
      expect(e).toMatchObject({ _tag: "NotificationTooLarge", limit: 512 })
    }).pipe(Effect.provide(notificationsLayer)), 30_000)
})

describe("the notify URL against slow clients", () => {
  it.scopedLive("a body that trickles is cut at readTimeout with 408, its connection closed", () =>
    Effect.gen(function*() {
      const server = yield* startNotifyServer(keys, () => Effect.void, { readTimeout: "500 millis" })
      const c = callback("MEMBERCARD.ACCEPT_CARD", memberCard)
      const r = yield* Effect.promise(() =>
        exchange(server.port, headOf(c.headers, { "content-length": String(c.body.length) }), async (write) => {
          for (const ch of c.body) {
            await sleep(100)
            if (!(await write(ch))) return
          }
        }))
      expect(r.status).toBe(408)
      expect(r.millis).toBeGreaterThan(450)
      expect(r.millis).toBeLessThan(2000)
    }), 30_000)

  it.scopedLive("100 slow connections (trickled headers and bodies) do not delay valid notifications; trickled headers are cut by the server's headersTimeout", () =>
    Effect.gen(function*() {
      const handled = yield* Ref.make<Array<string>>([])
      const server = yield* startNotifyServer(keys, (e) => Ref.update(handled, (a) => [...a, e.id]), { readTimeout: "2 seconds" }, {
        ...Notifications.nodeServerOptions,
        headersTimeout: 1_000,
        requestTimeout: 3_000,
        connectionsCheckingInterval: 200
      })
      const trickleHeaders = Array.from({ length: 50 }, () =>
        exchange(server.port, "POST /notify HTTP/1.1\r\n", async (write) => {
          for (let i = 0; i < 40; i++) {
            await sleep(200)
            if (!(await write(`x-slow-${i}: 1\r\n`))) return
          }
        }))
      const trickleBodies = Array.from({ length: 50 }, () => {
        const c = callback("MEMBERCARD.ACCEPT_CARD", memberCard)
        return exchange(server.port, headOf(c.headers, { "content-length": String(c.body.length) }), async (write) => {
          for (const ch of c.body) {
            await sleep(150)
            if (!(await write(ch))) return
          }
        })
      })
      yield* Effect.sleep("300 millis")
      const latencies: Array<number> = []
      for (let i = 0; i < 20; i++) {
        const r = yield* Effect.promise(() => post(server, callback("MEMBERCARD.ACCEPT_CARD", memberCard, { id: `valid-${i}` })))
        expect(r.status).toBe(204)
        latencies.push(r.millis)
      }
      expect(Math.max(...latencies)).toBeLessThan(1000)
      const slowHeaders = yield* Effect.promise(() => Promise.all(trickleHeaders))
      // cut by headersTimeout (Node answers 408 and closes), long before their 8 s of trickling
      for (const r of slowHeaders) expect(r.millis).toBeLessThan(5_000)
      const slowBodies = yield* Effect.promise(() => Promise.all(trickleBodies))
      for (const r of slowBodies) expect(r.status).toBe(408)
      expect((yield* Ref.get(handled)).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `valid-${i}`).sort())
    }), 60_000)
})

describe("validly signed hostile content", () => {
  const MARKER = "PLAINTEXT-MARKER-7731"
  const hostile: Array<[string, Parameters<typeof callback>[2], string]> = [
    ["a __proto__ key", { plaintext: `{"card_id":"c","code":"1","openid":"o","__proto__":{"polluted":"${MARKER}"}}` }, "UnexpectedNotification"],
    ["a constructor key", { plaintext: `{"card_id":"c","code":"1","openid":"o","constructor":{"prototype":{"polluted":1}}}` }, "UnexpectedNotification"],
    ["an escaped __proto__ key", { plaintext: `{"card_id":"c","\\u005f_proto__":{"polluted":1}}` }, "UnexpectedNotification"],
    ["20,000 levels of nesting", { plaintext: "[".repeat(20_000) + "]".repeat(20_000) }, "UnexpectedNotification"],
    ["a number beyond 2^53", { plaintext: `{"card_id":"c","code":"1","openid":"o","total":123456789012345678901234567890}` }, "UnexpectedNotification"],
    ["a number that overflows to Infinity", { plaintext: `{"card_id":"c","code":"1","openid":"o","total":1e400}` }, "UnexpectedNotification"],
    ["a resource off its schema, quoting plaintext", { plaintext: JSON.stringify({ card_id: [MARKER], code: { v: MARKER } }) }, "UnexpectedNotification"],
    ["another algorithm", { resourceOverride: (r) => ({ ...r, algorithm: "AEAD_AES_128_GCM" }) }, "UnsupportedAlgorithm"],
    ["changed associated data", { resourceOverride: (r) => ({ ...r, associated_data: "other" }) }, "AuthenticationFailed"],
    ["a flipped tag", {
      resourceOverride: (r) => {
        const data = Buffer.from(r["ciphertext"]!, "base64")
        data[data.length - 1]! ^= 1
        return { ...r, ciphertext: data.toString("base64") }
      }
    }, "AuthenticationFailed"],
    ["a ciphertext shorter than its tag", { resourceOverride: (r) => ({ ...r, ciphertext: "AAAAAAAA" }) }, "ShortCiphertext"],
    ["an empty nonce", { resourceOverride: (r) => ({ ...r, nonce: "" }) }, "BadNonce"],
    ["a ciphertext that is not base64", { resourceOverride: (r) => ({ ...r, ciphertext: "%%%%".repeat(10) }) }, "ShortCiphertext"]
  ]

  it.scopedLive("each ends in a typed error and a 4xx, never a crash, never onEvent, nothing leaked", () =>
    Effect.gen(function*() {
      const logs = captureLogs()
      const handled = yield* Ref.make(0)
      const server = yield* startNotifyServer(keys, () => Ref.update(handled, (n) => n + 1)).pipe(Effect.provide(logs.layer))
      for (const [name, options, expected] of hostile) {
        const c = callback("MEMBERCARD.ACCEPT_CARD", memberCard, options)
        const r = yield* Effect.promise(() => post(server, c))
        expect([name, r.status]).toEqual([name, 400])
        expect(r.response).not.toContain(MARKER)
        const e = yield* Effect.flip(Notifications.parse(c.headers, c.body)).pipe(Effect.provide(notificationsLayer))
        expect([name, e._tag === "NotificationDecryptError" ? e.reason : e._tag]).toEqual([name, expected])
        expect(JSON.stringify(e)).not.toContain(MARKER)
        expect(e.message).not.toContain(MARKER)
      }
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
      expect(yield* Ref.get(handled)).toBe(0)
      // one warning per refusal, carrying the reason, the Request-ID and the peer only
      const refusals = logs.lines.filter((l) => l.message.includes("notification refused"))
      expect(refusals).toHaveLength(hostile.length)
      for (const line of refusals) {
        expect(Object.keys(line.annotations).sort()).toEqual(["peer", "reason", "requestId"])
        expect(line.annotations["peer"]).toBe("127.0.0.1")
      }
      const everything = JSON.stringify(logs.lines)
      for (const secret of [API_V3_KEY, MARKER, "BEGIN", memberCard.openid]) expect(everything).not.toContain(secret)
    }), 60_000)
})

describe("replays", () => {
  it.scopedLive("20 concurrent deliveries of one id run onEvent once; later replays are acknowledged; after the retention it may run again", () =>
    Effect.gen(function*() {
      const handled = yield* Ref.make(0)
      const server = yield* startNotifyServer(keys, () => Effect.zipRight(Effect.sleep("100 millis"), Ref.update(handled, (n) => n + 1)), {
        store: Notifications.memoryDedupStore({ retention: "1 second" })
      })
      const c = callback("MEMBERCARD.ACCEPT_CARD", memberCard, { id: "replayed-1" })
      const first = yield* Effect.promise(() => Promise.all(Array.from({ length: 20 }, () => post(server, c))))
      expect(first.map((r) => r.status).filter((s) => s === 204).length).toBeGreaterThanOrEqual(1)
      for (const r of first) expect([204, 503]).toContain(r.status)
      expect(yield* Ref.get(handled)).toBe(1)
      for (let i = 0; i < 5; i++) expect((yield* Effect.promise(() => post(server, c))).status).toBe(204)
      expect(yield* Ref.get(handled)).toBe(1)
      yield* Effect.sleep("1200 millis")
      expect((yield* Effect.promise(() => post(server, c))).status).toBe(204)
      expect(yield* Ref.get(handled)).toBe(2)
    }), 30_000)
})
