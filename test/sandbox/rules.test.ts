/**
 * The business rules, each asserted through the client's typed errors, and each checked to
 * leave the state as it was. Rules the client's own schemas already enforce are also sent raw
 * (`WechatPay.request`) to show the sandbox refuses them too.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { Busifavor, DiscountCard, MembercardOpen, WechatPay, WechatPayClient } from "../../src/api/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { docs, keyOptions } from "./support.js"
import { APPID, MCHID, OTHER_MCHID } from "../support/constants.js"

/** Fresh state, and the failure of `effect` with the state before and after it. */
const refused = <E extends { readonly _tag: string }>(effect: Effect.Effect<unknown, E, Sandbox.Sandbox | WechatPayClient.WechatPayClient>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    const before = yield* sandbox.state
    const error = yield* Effect.flip(effect)
    expect(yield* sandbox.state).toEqual(before)
    return error as E & { readonly message: string; readonly detail?: any }
  })

const fresh = Effect.flatMap(Sandbox.Sandbox, (s) => s.reset)

describe("business rules", () => {
  layer(Sandbox.layer(keyOptions))((it) => {
    it.effect("unknown entities get the documented errors", () =>
      Effect.gen(function*() {
        yield* fresh
        const card = yield* refused(DiscountCard.addUserRecords({ ...docs.addUserRecords, out_card_code: "unknown" }))
        expect([card._tag, card.message]).toEqual(["ResourceNotExists", "先享卡不存在"])
        const order = yield* refused(DiscountCard.updateOrder({ ...docs.updateOrder, out_order_no: "unknown" }))
        expect(order._tag).toBe("ResourceNotExists")
        const consumption = yield* refused(Busifavor.sendConsumptionCard({ ...docs.sendConsumptionCard, card_id: "unknown" }))
        expect(consumption._tag).toBe("ResourceNotExists")
        const member = yield* refused(MembercardOpen.prepareBonus({ ...docs.prepareBonus, card_id: "unknown" }))
        expect([member._tag, member.message]).toEqual(["InvalidRequest", "会员卡ID无效"])
        const code = yield* refused(MembercardOpen.prepareBonus({ ...docs.prepareBonus, code: "unknown" }))
        expect([code._tag, code.message]).toEqual(["InvalidRequest", "code不存在"])
      }))

    it.effect("the card template, the appid and the mchid must match", () =>
      Effect.gen(function*() {
        yield* fresh
        const template = yield* refused(DiscountCard.addUserRecords({ ...docs.addUserRecords, card_template_id: "other" }))
        expect([template._tag, template.detail.field]).toEqual(["InvalidRequest", "card_template_id"])
        const appid = yield* refused(Busifavor.sendConsumptionCard({ ...docs.sendConsumptionCard, appid: "wxother" }))
        expect([appid._tag, appid.detail.field]).toEqual(["InvalidRequest", "appid"])
        const mchid = yield* refused(MembercardOpen.prepareBonus({ ...docs.prepareBonus, mchid: OTHER_MCHID }))
        expect([mchid._tag, mchid.message]).toEqual(["InvalidRequest", "商户号无效"])
      }))

    it.effect("an idempotency key reused with other content is INVALID_REQUEST, with the same content a no-op", () =>
      Effect.gen(function*() {
        yield* fresh
        yield* DiscountCard.addUserRecords(docs.addUserRecords)
        yield* DiscountCard.updateOrder(docs.updateOrder)
        const { card_code } = yield* Busifavor.sendConsumptionCard(docs.sendConsumptionCard)
        yield* MembercardOpen.prepareBonus(docs.prepareBonus)

        const [objective] = docs.addUserRecords.objective_completion_records
        const records = yield* refused(DiscountCard.addUserRecords({
          ...docs.addUserRecords,
          objective_completion_records: [{ ...objective!, completion_count: 2 }]
        }))
        expect([records._tag, records.detail.field]).toEqual(["InvalidRequest", "objective_completion_serial_no"])
        const [reward] = docs.updateOrder.rewards
        const order = yield* refused(DiscountCard.updateOrder({ out_order_no: docs.updateOrder.out_order_no, rewards: [{ ...reward!, amount: 200 }] }))
        expect([order._tag, order.detail.field]).toEqual(["InvalidRequest", "reward_serial_no"])
        const send = yield* refused(Busifavor.sendConsumptionCard({ ...docs.sendConsumptionCard, openid: "oOtherUser" }))
        expect([send._tag, send.detail.field]).toEqual(["InvalidRequest", "out_request_no"])
        const bonus = yield* refused(MembercardOpen.prepareBonus({ ...docs.prepareBonus, bonus_value: 31 }))
        expect([bonus._tag, bonus.detail.field]).toEqual(["InvalidRequest", "out_trade_no"])

        // One new record next to a known one: only the new one is added.
        yield* DiscountCard.addUserRecords({
          ...docs.addUserRecords,
          reward_usage_records: [...docs.addUserRecords.reward_usage_records, { ...docs.addUserRecords.reward_usage_records[0]!, reward_usage_serial_no: "578355" }]
        })
        const sandbox = yield* Sandbox.Sandbox
        const state = yield* sandbox.state
        expect(state.discountCards["6e8369071cd942c0476613f9d1ce9ca3"]!.reward_usage_records.map((r) => r.reward_usage_serial_no)).toEqual(["578354", "578355"])
        expect((yield* Busifavor.sendConsumptionCard(docs.sendConsumptionCard)).card_code).toBe(card_code)
      }))

    it.effect("one card_code per user per consumption card", () =>
      Effect.gen(function*() {
        yield* fresh
        const first = yield* Busifavor.sendConsumptionCard(docs.sendConsumptionCard)
        const again = yield* refused(Busifavor.sendConsumptionCard({ ...docs.sendConsumptionCard, out_request_no: "another1" }))
        expect([again._tag, again.detail.field]).toEqual(["InvalidRequest", "openid"])
        const other = yield* Busifavor.sendConsumptionCard({ ...docs.sendConsumptionCard, out_request_no: "another2", openid: "oSecondUser" })
        expect(other.card_code).not.toBe(first.card_code)
      }))

    it.effect("send_time earlier than 24 h before the sandbox clock is PARAM_ERROR", () =>
      Effect.gen(function*() {
        yield* fresh
        yield* TestClock.setTime(Date.parse("2024-06-02T12:00:00+08:00"))
        const old = yield* refused(Busifavor.sendConsumptionCard({ ...docs.sendConsumptionCard, send_time: "2024-06-01T11:59:59+08:00" }))
        expect([old._tag, old.detail.field]).toEqual(["ParamError", "/send_time"])
        const recent = yield* Busifavor.sendConsumptionCard({ ...docs.sendConsumptionCard, send_time: "2024-06-01T12:00:01+08:00" })
        expect(recent.card_code).toMatch(/^\d{12}$/)
      }))

    it.effect("a user card that is unavailable or a card without the bonus service is refused", () =>
      Effect.gen(function*() {
        yield* fresh
        const sandbox = yield* Sandbox.Sandbox
        yield* sandbox.seed({
          memberCards: [
            { card_id: "pOff", codes: [{ code: "C1", state: "UNAVAILABLE" }] },
            { card_id: "pNoBonus", bonus_enabled: false, codes: [{ code: "C2" }] }
          ]
        })
        const off = yield* refused(MembercardOpen.prepareBonus({ ...docs.prepareBonus, card_id: "pOff", code: "C1" }))
        expect([off._tag, off.message]).toEqual(["InvalidRequest", "用户会员卡无效"])
        const noBonus = yield* refused(MembercardOpen.prepareBonus({ ...docs.prepareBonus, card_id: "pNoBonus", code: "C2" }))
        expect([noBonus._tag, noBonus.message]).toEqual(["InvalidRequest", "没有开通会员积分权益服务"])
      }))

    it.effect("array limits, at least one of objectives/rewards and bonus_value > 0: refused by the client and by the sandbox", () =>
      Effect.gen(function*() {
        yield* fresh
        const sandbox = yield* Sandbox.Sandbox
        const objective = docs.updateOrder.objectives[0]!
        const sixObjectives = Array.from({ length: 6 }, (_, i) => ({ ...objective, objective_serial_no: `S${i}` }))
        const record = docs.addUserRecords.objective_completion_records[0]!
        const twoRecords = [record, { ...record, objective_completion_serial_no: "578354546" }]

        // The client's schemas stop them before anything is sent…
        expect((yield* Effect.flip(DiscountCard.updateOrder({ out_order_no: docs.updateOrder.out_order_no, objectives: sixObjectives })))._tag).toBe("RequestValidationError")
        expect((yield* Effect.flip(DiscountCard.updateOrder({ out_order_no: docs.updateOrder.out_order_no })))._tag).toBe("RequestValidationError")
        expect((yield* Effect.flip(MembercardOpen.prepareBonus({ ...docs.prepareBonus, bonus_value: 0 })))._tag).toBe("RequestValidationError")
        expect(yield* sandbox.requests).toEqual([])

        // …and the sandbox refuses them from any other client.
        const raw = (method: "POST" | "PATCH", path: string, body: unknown) => refused(WechatPay.request({ method, path, body }))
        const six = yield* raw("PATCH", "/v3/discount-card/orders/233bcbf407e87789b8e471f251774f95", { objectives: sixObjectives })
        expect([six._tag, six.detail.field, six.detail.location]).toEqual(["ParamError", "/objectives", "body"])
        const none = yield* raw("PATCH", "/v3/discount-card/orders/233bcbf407e87789b8e471f251774f95", { objectives: [], rewards: [] })
        expect([none._tag, none.detail.field]).toEqual(["ParamError", "/objectives"])
        const two = yield* raw("POST", "/v3/discount-card/cards/6e8369071cd942c0476613f9d1ce9ca3/add-user-records", {
          card_template_id: docs.addUserRecords.card_template_id,
          objective_completion_records: twoRecords
        })
        expect([two._tag, two.detail.field]).toEqual(["ParamError", "/objective_completion_records"])
        const zero = yield* raw("POST", "/v3/marketing/membercard-open/cards/478515832665/codes/478515832665/bonus/prepare", {
          out_trade_no: "T1",
          mchid: MCHID,
          bonus_value: 0
        })
        expect([zero._tag, zero.detail.field, zero.detail.value]).toEqual(["ParamError", "/bonus_value", 0])
        const longCode = yield* raw("POST", `/v3/marketing/busifavor/coupons/${"x".repeat(29)}/send`, {
          appid: APPID,
          openid: "o1",
          out_request_no: "R1",
          send_time: "2019-09-01T12:00:00+08:00"
        })
        expect([longCode._tag, longCode.detail.field, longCode.detail.location]).toEqual(["ParamError", "/card_id", "path"])
      }))
  })
})
