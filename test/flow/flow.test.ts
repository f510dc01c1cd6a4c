/**
 * The payment flow against the sandbox, end to end over the generated endpoints: prepay → pay →
 * TRANSACTION.SUCCESS → query → refund → REFUND.SUCCESS → the day's bill, downloaded and checked.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Bills } from "../../src/api/index.js"
import { Notifications } from "../../src/notifications/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { keyOptions } from "../sandbox/support.js"
import { receiver } from "../support/callbacks.js"
import { MCHID } from "../support/constants.js"
import { jsapiOrder, refundOf, t, v3 } from "./support.js"

const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)

describe("the flow, in memory", () => {
  it.scopedLive("prepay → pay → notification → query → refund → notification → bill", () =>
    Effect.gen(function*() {
      const { received, url } = yield* receiver()
      const sandbox = yield* Sandbox.Sandbox
      const order = jsapiOrder("flow-1", 1000, url)
      const { prepay_id } = yield* t.jsapi.post(order)
      expect(prepay_id).toMatch(/^wx\d{12}/)
      expect(yield* t.jsapi.post(order)).toEqual({ prepay_id })
      expect((yield* t.outTradeNo._out_trade_no_.get({ out_trade_no: "flow-1", mchid: order.mchid })).trade_state).toBe("NOTPAY")

      const paid = yield* sandbox.pay("flow-1")
      expect(paid.trade_state).toBe("SUCCESS")
      yield* sandbox.awaitDeliveries
      expect(received).toHaveLength(1)
      const event = yield* Notifications.parse(received[0]!.headers, received[0]!.body)
      if (event._tag !== "TRANSACTION.SUCCESS") throw new Error(`expected TRANSACTION.SUCCESS, got ${event._tag}`)
      expect(event.resource).toMatchObject({ out_trade_no: "flow-1", trade_state: "SUCCESS", transaction_id: paid.transaction_id, amount: { total: 1000 } })

      const byId = yield* t.id._transaction_id_.get({ transaction_id: paid.transaction_id!, mchid: order.mchid })
      expect(byId).toMatchObject({ out_trade_no: "flow-1", trade_state: "SUCCESS" })

      const created = yield* v3.refund.domestic.refunds.post(refundOf("flow-1", "flow-1-r1", 300, 1000))
      expect(created.status).toBe("PROCESSING")
      expect((yield* t.outTradeNo._out_trade_no_.get({ out_trade_no: "flow-1", mchid: order.mchid })).trade_state).toBe("REFUND")
      yield* sandbox.completeRefund("flow-1-r1")
      yield* sandbox.awaitDeliveries
      const refunded = yield* Notifications.parse(received[1]!.headers, received[1]!.body)
      if (refunded._tag !== "REFUND.SUCCESS") throw new Error(`expected REFUND.SUCCESS, got ${refunded._tag}`)
      expect(refunded.resource).toMatchObject({ out_refund_no: "flow-1-r1", refund_status: "SUCCESS", amount: { refund: 300, total: 1000 } })
      expect((yield* v3.refund.domestic.refunds._out_refund_no_.get({ out_refund_no: "flow-1-r1" })).status).toBe("SUCCESS")

      for (const tar_type of [undefined, "GZIP"] as const) {
        const answer = yield* v3.bill.tradebill.get({ bill_date: today(), ...(tar_type ? { tar_type } : {}) })
        const text = yield* Bills.download(answer, { tar_type }).pipe(Bills.asText)
        const parsed = yield* Bills.parseTradeBill(text)
        expect(parsed.rows.map((r) => [r.out_trade_no, r.trade_state])).toEqual([["flow-1", "SUCCESS"], ["flow-1", "REFUND"]])
        expect(parsed.summary).toMatchObject({ count: 2, settlement_total: 1000, settlement_refund: 300, total: 1000, refund_amount: 300 })
      }
      const fund = yield* v3.bill.fundflowbill.get({ bill_date: today() })
      const flows = yield* Bills.parseFundFlowBill(yield* Bills.download(fund).pipe(Bills.asText))
      expect(flows.summary).toEqual({ count: 2, income_count: 1, income: 1000, expense_count: 1, expense: 300 })
      expect(flows.rows.at(-1)?.balance).toBe(700)
    }).pipe(Effect.provide(Sandbox.layer(keyOptions))))

  it.scopedLive("REFUND.ABNORMAL / REFUND.CLOSED decode as typed events; unknown fields and long values never fail them; a missing one does", () =>
    Effect.gen(function*() {
      const { received, url } = yield* receiver()
      const sandbox = yield* Sandbox.Sandbox
      const resource = {
        mchid: MCHID,
        out_trade_no: "x".repeat(300),
        transaction_id: "4200000000000000000000000000",
        out_refund_no: "r1",
        refund_id: "50000000000000000000000000000",
        refund_status: "SOMETHING_NEW",
        user_received_account: "支付用户零钱",
        amount: { total: 100, refund: 100, payer_total: 100, payer_refund: 100, settlement_refund: 100 },
        added_later: { by: "WeChat Pay" }
      }
      for (const type of ["REFUND.ABNORMAL", "REFUND.CLOSED"] as const) {
        yield* sandbox.notify(type, resource, { url })
        const event = yield* Notifications.parse(received.at(-1)!.headers, received.at(-1)!.body)
        if (event._tag !== type) throw new Error(`expected ${type}, got ${event._tag}`)
        expect(event.resource.out_trade_no).toHaveLength(300)
        expect(event.resource["added_later"]).toEqual({ by: "WeChat Pay" })
      }
      const { transaction_id: _, ...missing } = resource
      yield* sandbox.notify("REFUND.SUCCESS", missing, { url })
      expect((yield* Effect.flip(Notifications.parse(received.at(-1)!.headers, received.at(-1)!.body)))._tag).toBe("UnexpectedNotification")
    }).pipe(Effect.provide(Sandbox.layer(keyOptions))))
})
