/** The README's "Taking a payment" example, as written there (the notify URL on loopback: tests stay offline). */
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Bills, Notifications, PaySign } from "../../src/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { bill, pay, refund } from "../../src/v3/index.js"

it.effect("takes a payment, refunds part of it and reads the day's bill", () =>
  Effect.gen(function*() {
    const flow = Effect.gen(function*() {
      const { prepay_id } = yield* pay.transactions.jsapi.post({
        appid: "wxd678efh567hg6787", mchid: "1230000109", description: "QQ公仔", out_trade_no: "T20261207001",
        notify_url: "http://127.0.0.1:9/wechatpay/notify", amount: { total: 1000, currency: "CNY" },
        payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }
      })
      const front = yield* PaySign.jsapi({ appId: "wxd678efh567hg6787", prepayId: prepay_id }) // → wx.requestPayment(front)
      yield* (yield* Sandbox.Sandbox).pay("T20261207001")
      const order = yield* pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: "T20261207001", mchid: "1230000109" })
      const r = yield* refund.domestic.refunds.post({ out_trade_no: "T20261207001", out_refund_no: "T20261207001-R1", amount: { refund: 300, total: 1000, currency: "CNY" } })
      const answer = yield* bill.tradebill.get({ bill_date: order.success_time!.slice(0, 10), tar_type: "GZIP" })
      const { rows, summary } = yield* Bills.download(answer, { tar_type: "GZIP" }).pipe(Bills.asText, Effect.flatMap(Bills.parseTradeBill))
      return { front, state: order.trade_state, refund: r.status, rows: rows.length, settled: summary.settlement_total }
    }).pipe(Effect.provide(Sandbox.layer()))

    const notify = Notifications.handler((event) =>
      event._tag === "TRANSACTION.SUCCESS" ? Effect.log(`paid ${event.resource.out_trade_no}`) : Effect.void)
    expect(notify).toBeDefined()

    const result = yield* flow
    expect(result).toMatchObject({ state: "SUCCESS", refund: "PROCESSING", rows: 1, settled: 1000, front: { signType: "RSA", package: expect.stringMatching(/^prepay_id=wx/) } })
  }))
