/**
 * The notification event types are declared once (src/notifications/events.ts): the typed union,
 * the envelope the sandbox sends and the resources it makes up all come from that table.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { eventTypeFacts, knownEventTypes, NotificationEvent } from "../../src/notifications/events.js"
import { defaultResource } from "../../src/sandbox/Callbacks.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { MCHID } from "../support/constants.js"

const decodeEvent = Schema.decodeUnknownSync(NotificationEvent)
const envelope = (eventType: string, resource: unknown) => ({
  id: "EV-2018022511223320873",
  create_time: "2026-12-07T10:00:00+08:00",
  resource_type: "encrypt-resource",
  event_type: eventType,
  summary: eventTypeFacts(eventType)!.summary,
  resource
})

describe("notification event types, declared once", () => {
  it("each known type has its envelope facts and decodes to its own member of the union", () => {
    expect(knownEventTypes.length).toBe(11)
    for (const t of knownEventTypes) {
      const facts = eventTypeFacts(t)!
      expect([t, facts.summary.length > 0, /^[a-z-]+$/.test(facts.originalType)]).toEqual([t, true, true])
    }
    // a known type whose resource is not its shape is refused, never passed off as "Other"
    expect(() => decodeEvent(envelope("REFUND.CLOSED", { mchid: "1" }))).toThrow()
    expect(decodeEvent({ ...envelope("REFUND.CLOSED", {}), event_type: "PROFITSHARING.SUCCESS" })._tag).toBe("Other")
  })

  it.effect("the sandbox makes up a resource of the right shape for each type of our card families; payments bring their own", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const state = yield* sandbox.state
      const withoutDefault: Array<string> = []
      for (const t of knownEventTypes) {
        const resource = defaultResource(t, state, MCHID, Date.UTC(2026, 11, 7))
        if (resource === undefined) withoutDefault.push(t)
        else expect([t, decodeEvent(envelope(t, resource))._tag]).toEqual([t, t])
      }
      // TRANSACTION.* and REFUND.* carry the order or refund the payment flow holds (src/sandbox/Payments.ts)
      expect(withoutDefault).toEqual(["TRANSACTION.SUCCESS", "REFUND.SUCCESS", "REFUND.ABNORMAL", "REFUND.CLOSED"])
      const delivery = yield* sandbox.notify("MEMBERCARD.ACCEPT_CARD", undefined, { url: "http://127.0.0.1:9/none" })
      expect(JSON.parse(delivery.body)).toMatchObject({ summary: "会员卡领卡通知", resource: { original_type: "membercard", associated_data: "membercard" } })
    }).pipe(Effect.provide(Sandbox.layer({ callbacks: { retryDelays: [] } }))))
})
