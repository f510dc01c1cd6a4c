/**
 * Notifications: parse (verify → decrypt → decode) and the mountable handler over real HTTP,
 * with callbacks signed by a test platform key and encrypted with a test APIv3 key.
 */
import { HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import * as http from "node:http"
import { Effect, Layer, Redacted, Ref } from "effect"
import { Notifications } from "../../src/notifications/index.js"
import { clientLayer } from "../support/client.js"
import { API_V3_KEY, PUBLIC_KEY_ID } from "../support/constants.js"
import { testKeys } from "../support/keys.js"
import { callbackFor, couponSend, memberCard } from "../support/callbacks.js"
import { memoryHttp } from "../support/memoryClient.js"

const keys = testKeys()
const callback = callbackFor(keys)
const client = clientLayer(keys, "http://127.0.0.1:9", memoryHttp().layer)


describe("Notifications.parse", () => {
  it.live("decodes each family into its typed event", () =>
    Effect.gen(function*() {
      const c1 = callback("MEMBERCARD.ACCEPT_CARD", memberCard)
      const e1 = yield* Notifications.parse(c1.headers, c1.body)
      expect(e1.event_type).toBe("MEMBERCARD.ACCEPT_CARD")
      if (e1._tag !== "MEMBERCARD.ACCEPT_CARD") throw new Error("expected MEMBERCARD.ACCEPT_CARD")
      expect(e1.resource.openid).toBe(memberCard.openid)

      const c2 = callback("COUPON.SEND", couponSend)
      const e2 = yield* Notifications.parse(c2.headers, c2.body)
      if (e2._tag !== "COUPON.SEND") throw new Error("expected COUPON.SEND")
      expect(e2.resource.coupon_code).toBe("123446565767")

      const c3 = callback("DISCOUNT_CARD.USER_ACCEPTED", { out_card_code: "c1", card_template_id: "t1", state: "ONGOING", extra_field_from_the_future: 1 })
      const e3 = yield* Notifications.parse(c3.headers, c3.body)
      if (e3._tag !== "DISCOUNT_CARD.USER_ACCEPTED") throw new Error("expected DISCOUNT_CARD.USER_ACCEPTED")
      expect(e3.resource.state).toBe("ONGOING")
      expect(e3.resource["extra_field_from_the_future"]).toBe(1)
    }).pipe(Effect.provide(client)))

  it.live("keeps other event types as a generic event", () =>
    Effect.gen(function*() {
      const c = callback("PROFITSHARING.SUCCESS", { out_trade_no: "x1" })
      const e = yield* Notifications.parse(c.headers, c.body)
      expect(e.event_type).toBe("PROFITSHARING.SUCCESS")
      expect(e._tag).toBe("Other")
      expect(e.resource).toEqual({ out_trade_no: "x1" })
    }).pipe(Effect.provide(client)))

  const refused = [
    ["tampered body", callback("COUPON.SEND", couponSend, { tamper: (b) => b.replace("test event", "test evenT") }), "NotificationVerificationError", "BadSignature"],
    ["stale timestamp", callback("COUPON.SEND", couponSend, { timestamp: Math.floor(Date.now() / 1000) - 301 }), "NotificationVerificationError", "StaleTimestamp"],
    ["probe signature", callback("COUPON.SEND", couponSend, { probe: true }), "NotificationVerificationError", "SignatureProbe"],
    ["unknown serial", callback("COUPON.SEND", couponSend, { serial: "PUB_KEY_ID_OTHER" }), "NotificationVerificationError", "UnknownSerial"],
    ["wrong APIv3 key", callback("COUPON.SEND", couponSend, { apiV3Key: "0".repeat(32) }), "NotificationDecryptError", undefined],
    ["resource off schema", callback("MEMBERCARD.ACCEPT_CARD", { card_id: "x" }), "UnexpectedNotification", undefined]
  ] as const
  for (const [name, c, tag, reason] of refused) {
    it.live(`refuses a ${name}`, () =>
      Effect.gen(function*() {
        const e = yield* Effect.flip(Notifications.parse(c.headers, c.body))
        expect(e._tag).toBe(tag)
        if (reason !== undefined) expect((e as { reason?: string }).reason).toBe(reason)
        expect(JSON.stringify(e)).not.toContain(API_V3_KEY)
      }).pipe(Effect.provide(client)))
  }

  it.live("refuses without headers and takes web Headers too", () =>
    Effect.gen(function*() {
      const c = callback("COUPON.SEND", couponSend)
      const e = yield* Effect.flip(Notifications.parse({}, c.body))
      expect(e._tag === "NotificationVerificationError" && e.reason).toBe("MissingHeaders")
      const ok = yield* Notifications.parse(new Headers(c.headers), c.body)
      expect(ok.event_type).toBe("COUPON.SEND")
    }).pipe(Effect.provide(client)))
})

describe("Notifications.handler over HTTP", () => {
  const post = (url: string, c: { headers: Record<string, string>; body: string }) =>
    Effect.promise(() => fetch(url, { method: "POST", headers: c.headers, body: c.body }).then(async (r) => ({ status: r.status, text: await r.text() })))

  it.scopedLive("acknowledges once per id; refuses tampered, stale and probe callbacks", () =>
    Effect.gen(function*() {
      const received = yield* Ref.make<Array<string>>([])
      let failNext = false
      const app = HttpRouter.empty.pipe(
        HttpRouter.post(
          "/notify",
          Notifications.handler((event) =>
            failNext
              ? Effect.sync(() => {
                failNext = false
              }).pipe(Effect.zipRight(Effect.fail("database down")))
              : Ref.update(received, (a) => [...a, event.id]))
        )
      )
      yield* HttpServer.serveEffect(app).pipe(Layer.scopedDiscard, Layer.launch, Effect.forkScoped, Effect.asVoid)
      yield* Effect.sleep("50 millis")
      const address = (yield* HttpServer.HttpServer).address
      const url = `http://127.0.0.1:${(address as HttpServer.TcpAddress).port}/notify`

      const good = callback("MEMBERCARD.ACCEPT_CARD", memberCard, { id: "evt-1" })
      expect((yield* post(url, good)).status).toBe(204)
      expect((yield* post(url, good)).status).toBe(204) // a replay within the window is acknowledged, not re-handled
      expect(yield* Ref.get(received)).toEqual(["evt-1"])

      for (const bad of [
        callback("MEMBERCARD.ACCEPT_CARD", memberCard, { id: "evt-2", tamper: (b) => b.replace("evt-2", "evt-3") }),
        callback("MEMBERCARD.ACCEPT_CARD", memberCard, { id: "evt-4", timestamp: Math.floor(Date.now() / 1000) - 600 }),
        callback("MEMBERCARD.ACCEPT_CARD", memberCard, { id: "evt-5", probe: true })
      ]) {
        const r = yield* post(url, bad)
        expect(r.status).toBe(401)
        expect(JSON.parse(r.text).code).toBe("FAIL")
      }
      expect(yield* Ref.get(received)).toEqual(["evt-1"])

      // the merchant's handler fails: 500, so WeChat Pay retries; the retry is handled
      failNext = true
      const flaky = callback("COUPON.SEND", couponSend, { id: "evt-6" })
      expect((yield* post(url, flaky)).status).toBe(500)
      expect((yield* post(url, flaky)).status).toBe(204)
      expect(yield* Ref.get(received)).toEqual(["evt-1", "evt-6"])
    }).pipe(
      Effect.provide(Layer.merge(client, NodeHttpServer.layer(() => http.createServer(), { port: 0, host: "127.0.0.1" })))
    ))
})

describe("a notifications-only server", () => {
  it.live("parses with Notifications.layer: a verifier and the APIv3 key, no merchant private key anywhere", () =>
    Effect.gen(function*() {
      const c = callback("COUPON.SEND", couponSend)
      const event = yield* Notifications.parse(c.headers, c.body)
      expect(event.event_type).toBe("COUPON.SEND")
      const forged = callback("COUPON.SEND", couponSend, { tamper: (b) => b.replace("COUPON", "COUPOX") })
      const e = yield* Effect.flip(Notifications.parse(forged.headers, forged.body))
      expect(e._tag).toBe("NotificationVerificationError")
    }).pipe(
      Effect.provide(Notifications.layer({
        platform: { publicKeyId: PUBLIC_KEY_ID, publicKey: keys.platform.publicPem },
        apiV3Key: Redacted.make(API_V3_KEY)
      }))
    ))

  it.effect("Notifications.layer refuses an APIv3 key of the wrong length, naming it", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(Layer.build(Notifications.layer({
        platform: { publicKeyId: PUBLIC_KEY_ID, publicKey: keys.platform.publicPem },
        apiV3Key: Redacted.make("short")
      }))))
      expect(exit).toMatchObject({ _tag: "Failure", cause: { error: { _tag: "InvalidKey", which: "apiV3Key" } } })
      expect(JSON.stringify(exit)).not.toContain("short")
    }))
})
