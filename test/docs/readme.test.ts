/** The README's testing example, verbatim in spirit: a user's test against `Sandbox.layer()`. */
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Busifavor, DiscountCard } from "../../src/index.js"
import { Sandbox } from "../../src/sandbox/index.js"

it.effect("sends a consumption card", () =>
  Effect.gen(function*() {
    const { card_code } = yield* Busifavor.sendConsumptionCard({
      card_id: "pIJMr5MMiIkO_93VtPyIiEk2DZ4w",
      appid: "wxd678efh567hg6787",
      openid: "o-test-user",
      out_request_no: "t1",
      send_time: new Date().toISOString().replace("Z", "+00:00")
    })
    expect(card_code).toBeTruthy()
  }).pipe(Effect.provide(Sandbox.layer())))

it.effect("injects a fault and sees the typed error", () =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    yield* sandbox.inject({ path: "/v3/discount-card/orders/{out_order_no}", times: 5, fault: { type: "status", status: 404, code: "RESOURCE_NOT_EXISTS" } })
    const e = yield* Effect.flip(DiscountCard.updateOrder({
      out_order_no: "233bcbf407e87789b8e471f251774f95",
      rewards: [{ reward_serial_no: "r-0001", reward_id: 123456, count: 1, amount: 100, reward_time: "2026-11-22T13:29:35.120+08:00", description: "早餐券", reward_type: "INCREASE" }]
    }))
    expect(e._tag).toBe("ResourceNotExists")
  }).pipe(Effect.provide(Sandbox.layer())))
