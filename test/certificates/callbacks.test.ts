/**
 * Callbacks from the sandbox to a merchant server over loopback: a merchant app built with
 * `Notifications.handler` (an @effect/platform server on 127.0.0.1, port 0), a client layer from
 * the sandbox's credentials (APIv3 key included). A real `Busifavor.sendConsumptionCard` triggers
 * `COUPON.SEND`; spoiled and replayed callbacks never reach `onEvent`.
 */
import { FetchHttpClient, HttpRouter } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Busifavor, WechatPay } from "../../src/api/index.js"
import type { WechatPayClient } from "../../src/api/WechatPayClient.js"
import { Notifications } from "../../src/notifications/index.js"
type NotificationEvent = Notifications.NotificationEvent
import { Sandbox } from "../../src/sandbox/index.js"
import { serveOnLoopback } from "../support/notifyServer.js"
import { beijingTime, certificateDownloads, docs, sandboxOptions } from "./support.js"

const quick = { retryDelays: ["20 millis", "20 millis"] } as const

/**
 * The sandbox on loopback, a client for it, and a merchant server whose notify URL runs
 * `Notifications.handler(onEvent)`. `onEvent` may fail (a 500, so the sandbox retries).
 */
const setup = (options: Sandbox.ServerOptions, onEvent: (event: NotificationEvent) => Effect.Effect<void, string> = () => Effect.void) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.make({ ...sandboxOptions, ...options, callbacks: { ...quick, ...options.callbacks } })
    const client = yield* Layer.build(sandbox.clientLayer().pipe(Layer.provide(FetchHttpClient.layer)))
    const received: Array<NotificationEvent> = []
    const app = HttpRouter.empty.pipe(
      HttpRouter.post("/wechatpay/notify", Notifications.handler((event) => Effect.zipRight(onEvent(event), Effect.sync(() => void received.push(event)))))
    )
    const notifyUrl = `${yield* serveOnLoopback(app).pipe(Effect.provide(client))}/wechatpay/notify`
    const run = <A, E>(effect: Effect.Effect<A, E, WechatPayClient>) => Effect.provide(effect, client)
    return { sandbox, notifyUrl, received, run }
  })

const send = (openid: string) =>
  Busifavor.sendConsumptionCard({ ...docs.sendConsumptionCard, openid, out_request_no: `req${openid}`, send_time: beijingTime(Date.now()) })

const statuses = (d: Sandbox.Delivery) => d.attempts.map((a) => a.status)

describe("sandbox callbacks to a Notifications.handler over loopback", () => {
  it.scopedLive("COUPON.SEND after a real sendConsumptionCard: delivered, decoded, acknowledged with 204", () =>
    Effect.gen(function*() {
      const { notifyUrl, received, run, sandbox } = yield* setup({})
      const set = yield* run(WechatPay.request({ method: "POST", path: "/v3/marketing/busifavor/callbacks", body: { mchid: sandbox.mchid, notify_url: notifyUrl } }))
      expect(set).toMatchObject({ notify_url: notifyUrl, mchid: sandbox.mchid })
      expect((set as { update_time: string }).update_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/)
      expect(yield* run(WechatPay.request({ method: "GET", path: "/v3/marketing/busifavor/callbacks", query: { mchid: sandbox.mchid } })))
        .toEqual({ notify_url: notifyUrl, mchid: sandbox.mchid })

      // one request (its send_time fixed now), sent twice below
      const request = send("oUser1")
      const { card_code } = yield* run(request)
      const [delivery] = yield* sandbox.awaitDeliveries
      expect(delivery).toMatchObject({ eventType: "COUPON.SEND", url: notifyUrl, state: "delivered" })
      expect(statuses(delivery!)).toEqual([204])
      expect(JSON.parse(delivery!.body)).toMatchObject({ resource_type: "encrypt-resource", resource: { algorithm: "AEAD_AES_256_GCM", original_type: "busifavor" } })
      expect(delivery!.headers["wechatpay-serial"]).toBe(sandbox.platformPublicKeyId)

      expect(received).toHaveLength(1)
      const event = received[0]!
      if (event._tag !== "COUPON.SEND") throw new Error(`expected COUPON.SEND, got ${event._tag}`)
      expect(event.id).toBe(delivery!.id)
      expect(event.resource).toMatchObject({
        coupon_code: card_code,
        stock_id: docs.sendConsumptionCard.card_id,
        openid: "oUser1",
        send_channel: "BUSICOUPON_SEND_CHANNEL_API",
        send_merchant: sandbox.mchid
      })

      // The same request again changes nothing and triggers no second callback. (A second
      // `send("oUser1")` would carry a later send_time once a second had passed: another request.)
      yield* run(request)
      expect(yield* sandbox.awaitDeliveries).toHaveLength(1)
    }))

  it.scopedLive("tampered, stale, probe-signed, badly signed and unknown-serial callbacks are refused (401) and never reach onEvent; a replay is acknowledged once", () =>
    Effect.gen(function*() {
      const { notifyUrl, received, sandbox } = yield* setup({})
      const good = yield* sandbox.notify("COUPON.SEND", undefined, { url: notifyUrl })
      expect(statuses(good)).toEqual([204])
      expect(received).toHaveLength(1)

      for (const tampering of ["tampered-body", "stale-timestamp", "signature-probe", "bad-signature", "unknown-serial"] as const) {
        const d = yield* sandbox.notify("COUPON.SEND", undefined, { url: notifyUrl, tampering })
        // refused each time, retried twice (bounded), then given up
        expect([tampering, d.state, statuses(d)]).toEqual([tampering, "failed", [401, 401, 401]])
      }
      const missing = yield* sandbox.notify("MEMBERCARD.ACCEPT_CARD", undefined, { url: notifyUrl, tampering: "missing-signature-headers" })
      expect(statuses(missing)).toEqual([401, 401, 401])

      // A captured callback posted again byte for byte: verified, recognised by its id, not handled twice.
      const replayed = yield* sandbox.replayCallback(good.id)
      expect(replayed).toMatchObject({ tampering: "replay", state: "delivered" })
      expect(statuses(replayed!)).toEqual([204])
      expect(replayed!.headers["wechatpay-signature"]).toBe(good.headers["wechatpay-signature"])
      expect(received.map((e) => e.id)).toEqual([good.id])

      // WeChat Pay sending the same id again with a fresh signature: acknowledged, still once.
      const again = yield* sandbox.notify("COUPON.SEND", undefined, { url: notifyUrl, id: good.id })
      expect(statuses(again)).toEqual([204])
      expect(received.map((e) => e.id)).toEqual([good.id])

      // The next callback, whatever triggers it, spoiled: refused too.
      yield* sandbox.spoilNextCallback("signature-probe")
      const probed = yield* sandbox.notify("MEMBERCARD.ACTIVATE_CARD", undefined, { url: notifyUrl })
      expect([probed.tampering, statuses(probed)]).toEqual(["signature-probe", [401, 401, 401]])
      expect(received).toHaveLength(1)
    }))

  it.scopedLive("retries while the merchant answers 5xx, bounded; records every attempt; never holds up the answer", () =>
    Effect.gen(function*() {
      let failures = 1
      const { notifyUrl, received, run, sandbox } = yield* setup({}, () =>
        failures-- > 0 ? Effect.fail("database down") : Effect.sleep("300 millis"))
      const flaky = yield* sandbox.notify("DISCOUNT_CARD.USER_PAID", undefined, { url: notifyUrl })
      expect([flaky.state, statuses(flaky)]).toEqual(["delivered", [500, 204]])
      expect(received.map((e) => e._tag)).toEqual(["DISCOUNT_CARD.USER_PAID"])

      // The merchant takes 300 ms: the send is answered before its callback is.
      yield* run(WechatPay.request({ method: "POST", path: "/v3/marketing/busifavor/callbacks", body: { notify_url: notifyUrl } }))
      yield* run(send("oUser2"))
      expect((yield* sandbox.deliveries).at(-1)).toMatchObject({ eventType: "COUPON.SEND", state: "pending" })
      expect((yield* sandbox.awaitDeliveries).at(-1)).toMatchObject({ eventType: "COUPON.SEND", state: "delivered" })

      // Nobody listening: three attempts without an answer, then it gives up.
      const lost = yield* sandbox.notify("MEMBERCARD.ACCEPT_CARD", undefined, { url: "http://127.0.0.1:1/notify" })
      expect(lost.state).toBe("failed")
      expect(statuses(lost)).toEqual([undefined, undefined, undefined])
      expect(lost.attempts[0]!.error).toBeTypeOf("string")
    }))

  it.scopedLive("certificate mode: callbacks signed with the newest certificate; after a rotation the client refreshes once and accepts", () =>
    Effect.gen(function*() {
      const { notifyUrl, received, sandbox } = yield* setup({ platform: "certificates", callbacks: { notifyUrl: "http://127.0.0.1:1/unused" } })
      const [first] = yield* sandbox.certificates
      const d1 = yield* sandbox.notify("MEMBERCARD.ACCEPT_CARD", undefined, { url: notifyUrl })
      expect(d1.headers["wechatpay-serial"]).toBe(first!.serialNo)
      expect(statuses(d1)).toEqual([204])
      expect(yield* certificateDownloads(sandbox)).toBe(1)

      const next = yield* sandbox.rotateCertificates({ retireOld: true })
      const d2 = yield* sandbox.notify("DISCOUNT_CARD.USER_ACCEPTED", undefined, { url: notifyUrl })
      expect(d2.headers["wechatpay-serial"]).toBe(next.serialNo)
      expect(statuses(d2)).toEqual([204])
      expect(yield* certificateDownloads(sandbox)).toBe(2)
      expect(received.map((e) => e._tag)).toEqual(["MEMBERCARD.ACCEPT_CARD", "DISCOUNT_CARD.USER_ACCEPTED"])
      const accepted = received[0]!
      if (accepted._tag !== "MEMBERCARD.ACCEPT_CARD") throw new Error("expected MEMBERCARD.ACCEPT_CARD")
      expect(accepted.resource.code).toBe("478515832665") // from the sandbox's seeded member card
    }))
})
