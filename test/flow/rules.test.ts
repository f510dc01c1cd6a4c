/**
 * Every rule the sandbox applies to the payment flow, through the generated endpoints (typed errors
 * by their documented codes) and the controls (`sandbox.pay`, `completeRefund`, `/__sandbox/*`).
 */
import { HttpServerRequest } from "@effect/platform"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { Sandbox } from "../../src/sandbox/index.js"
import { keyOptions } from "../sandbox/support.js"
import { MCHID } from "../support/constants.js"
import { jsapiOrder, refundOf, t, v3 } from "./support.js"

const at = Date.parse("2024-06-01T12:00:00+08:00")

/** Fresh state on a realistic clock. */
const fresh = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  yield* sandbox.reset
  yield* TestClock.setTime(at)
  return sandbox
})

/** A JSON request to a control route, answered in memory. */
const control = (sandbox: Sandbox.SandboxService, method: string, path: string, body?: unknown) =>
  Effect.gen(function*() {
    const request = new Request(`http://sandbox/__sandbox${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
    const response = yield* Effect.provideService(sandbox.app, HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(request))
    const text = response.body._tag === "Uint8Array" ? new TextDecoder().decode(response.body.body) : ""
    return { status: response.status, json: text === "" ? undefined : JSON.parse(text) }
  })

const query = (out_trade_no: string) => t.outTradeNo._out_trade_no_.get({ out_trade_no, mchid: MCHID })

/** A paid order of `total` fen. */
const paidOrder = (sandbox: Sandbox.SandboxService, out_trade_no: string, total: number) =>
  Effect.zipRight(t.jsapi.post(jsapiOrder(out_trade_no, total)), sandbox.pay(out_trade_no))

layer(Sandbox.layer(keyOptions))((it) => {
describe("prepay", () => {
  it.effect("each kind creates a NOTPAY order and answers its own handle", () =>
    Effect.gen(function*() {
      const sandbox = yield* fresh
      const base = jsapiOrder("order-p-any", 100)
      const { payer: _, ...noPayer } = base
      expect(yield* t.jsapi.post({ ...base, out_trade_no: "p-jsapi" })).toEqual({ prepay_id: expect.stringMatching(/^wx/) })
      expect(yield* t.app.post({ ...noPayer, out_trade_no: "order-p-app" })).toEqual({ prepay_id: expect.stringMatching(/^wx/) })
      expect(yield* t.native.post({ ...noPayer, out_trade_no: "p-native" })).toEqual({ code_url: expect.stringMatching(/^weixin:\/\/wxpay\/bizpayurl\?pr=/) })
      const h5 = yield* t.h5.post({ ...noPayer, out_trade_no: "order-p-h5", scene_info: { payer_client_ip: "14.23.150.211", h5_info: { type: "Wap" } } })
      expect(h5.h5_url).toMatch(/^https:\/\/wx\.tenpay\.com\//)
      const { orders } = yield* sandbox.payments
      expect(orders.map((o) => [o.out_trade_no, o.trade_type, o.trade_state])).toEqual([
        ["p-jsapi", "JSAPI", "NOTPAY"],
        ["order-p-app", "APP", "NOTPAY"],
        ["p-native", "NATIVE", "NOTPAY"],
        ["order-p-h5", "MWEB", "NOTPAY"]
      ])
    }))

  it.effect("the same out_trade_no: same content → the same prepay; other content → OutTradeNoUsed; once paid → OutTradeNoUsed", () =>
    Effect.gen(function*() {
      const sandbox = yield* fresh
      const first = yield* t.jsapi.post(jsapiOrder("order-p-1", 100))
      expect(yield* t.jsapi.post(jsapiOrder("order-p-1", 100))).toEqual(first)
      const other = yield* Effect.flip(t.jsapi.post(jsapiOrder("order-p-1", 200)))
      expect(other._tag).toBe("OutTradeNoUsed")
      yield* sandbox.pay("order-p-1")
      expect((yield* Effect.flip(t.jsapi.post(jsapiOrder("order-p-1", 100))))._tag).toBe("OutTradeNoUsed")
    }))

  it.effect("another merchant's mchid → MchNotExists; a total under one fen is refused before it is sent", () =>
    Effect.gen(function*() {
      yield* fresh
      expect((yield* Effect.flip(t.jsapi.post({ ...jsapiOrder("order-p-2", 100), mchid: "1900000109" })))._tag).toBe("MchNotExists")
      const under = yield* Effect.flip(t.jsapi.post(jsapiOrder("order-p-3", 0)))
      expect(under._tag).toBe("RequestValidationError")
      if (under._tag === "RequestValidationError") expect(under.fields).toEqual(["amount.total"])
    }))
})

describe("pay, query, close", () => {
  it.effect("paying gives transaction_id, success_time and payer; both queries see it", () =>
    Effect.gen(function*() {
      const sandbox = yield* fresh
      yield* t.jsapi.post(jsapiOrder("order-q-1", 100))
      const paid = yield* sandbox.pay("order-q-1")
      expect(paid).toMatchObject({ trade_state: "SUCCESS", success_time: at, openid: jsapiOrder("order-q-1", 1).payer.openid })
      const byNo = yield* query("order-q-1")
      expect(byNo).toMatchObject({ trade_state: "SUCCESS", transaction_id: paid.transaction_id, success_time: "2024-06-01T12:00:00+08:00", payer: { openid: paid.openid } })
      const byId = yield* t.id._transaction_id_.get({ transaction_id: paid.transaction_id!, mchid: MCHID })
      // the catalogue types the two answers' amount (and payer) differently: what both declare agrees
      expect(byId).toMatchObject({ out_trade_no: "order-q-1", trade_state: "SUCCESS", transaction_id: paid.transaction_id, success_time: byNo.success_time, amount: { total: 100 } })
    }))

  it.effect("unknown orders → OrderNotExist, by either id; a NOTPAY order has no transaction_id to query by", () =>
    Effect.gen(function*() {
      yield* fresh
      expect((yield* Effect.flip(query("nope")))._tag).toBe("OrderNotExist")
      expect((yield* Effect.flip(t.id._transaction_id_.get({ transaction_id: "4200000000000000000000000000", mchid: MCHID })))._tag).toBe("OrderNotExist")
      expect((yield* Effect.flip(t.outTradeNo._out_trade_no_.get({ out_trade_no: "nope", mchid: "1900000109" })))._tag).toBe("MchNotExists")
    }))

  it.effect("a PAYERROR outcome fails the payment, without a transaction", () =>
    Effect.gen(function*() {
      const sandbox = yield* fresh
      yield* t.jsapi.post(jsapiOrder("order-q-2", 100))
      expect((yield* sandbox.pay("order-q-2", { outcome: "PAYERROR" })).trade_state).toBe("PAYERROR")
      expect(yield* query("order-q-2")).toMatchObject({ trade_state: "PAYERROR" })
      expect((yield* Effect.flip(sandbox.pay("order-q-2")))._tag).toBe("PaymentControlError")
    }))

  it.effect("close: only an unpaid order (204, again 204); a closed order cannot be paid; a paid one cannot be closed (TradeError)", () =>
    Effect.gen(function*() {
      const sandbox = yield* fresh
      yield* t.jsapi.post(jsapiOrder("order-c-1", 100))
      yield* t.outTradeNo._out_trade_no_.close.post({ out_trade_no: "order-c-1", mchid: MCHID })
      yield* t.outTradeNo._out_trade_no_.close.post({ out_trade_no: "order-c-1", mchid: MCHID })
      expect((yield* query("order-c-1")).trade_state).toBe("CLOSED")
      expect((yield* Effect.flip(sandbox.pay("order-c-1"))).message).toContain("CLOSED")
      yield* paidOrder(sandbox, "order-c-2", 100)
      expect((yield* Effect.flip(t.outTradeNo._out_trade_no_.close.post({ out_trade_no: "order-c-2", mchid: MCHID })))._tag).toBe("TradeError")
      expect((yield* Effect.flip(t.outTradeNo._out_trade_no_.close.post({ out_trade_no: "order-c-3", mchid: MCHID })))._tag).toBe("ResourceNotExists")
    }))

  it.effect("POST /__sandbox/transactions/{out_trade_no}/pay plays the payer; a refused one answers 409", () =>
    Effect.gen(function*() {
      const sandbox = yield* fresh
      yield* t.jsapi.post(jsapiOrder("order-ctl-1", 100))
      const paid = yield* control(sandbox, "POST", "/transactions/order-ctl-1/pay", {})
      expect(paid).toMatchObject({ status: 200, json: { out_trade_no: "order-ctl-1", trade_state: "SUCCESS" } })
      expect((yield* control(sandbox, "POST", "/transactions/order-ctl-1/pay")).status).toBe(409)
      expect((yield* control(sandbox, "POST", "/transactions/order-ctl-1/pay", { outcome: "MAYBE" })).status).toBe(400)
      yield* t.jsapi.post(jsapiOrder("order-ctl-2", 100))
      expect(yield* control(sandbox, "POST", "/transactions/order-ctl-2/pay", { outcome: "PAYERROR" })).toMatchObject({ json: { trade_state: "PAYERROR" } })
      expect((yield* control(sandbox, "GET", "/payments")).json.orders).toHaveLength(2)
    }))
})

describe("refunds", () => {
  it.effect("only against a paid order, never more than what is left; the order shows REFUND", () =>
    Effect.gen(function*() {
      const sandbox = yield* fresh
      yield* t.jsapi.post(jsapiOrder("r-unpaid", 100))
      expect((yield* Effect.flip(v3.refund.domestic.refunds.post(refundOf("r-unpaid", "rr-0", 10, 100))))._tag).toBe("InvalidRequest")
      expect((yield* Effect.flip(v3.refund.domestic.refunds.post(refundOf("r-none", "rr-0", 10, 100))))._tag).toBe("ResourceNotExists")
      yield* paidOrder(sandbox, "order-r-1", 100)
      expect((yield* Effect.flip(v3.refund.domestic.refunds.post(refundOf("order-r-1", "rr-0", 10, 99))))._tag).toBe("InvalidRequest")
      const first = yield* v3.refund.domestic.refunds.post(refundOf("order-r-1", "rr-1", 60, 100))
      expect(first).toMatchObject({ status: "PROCESSING", amount: { refund: 60, total: 100 } })
      expect((yield* query("order-r-1")).trade_state).toBe("REFUND")
      const over = yield* Effect.flip(v3.refund.domestic.refunds.post(refundOf("order-r-1", "rr-2", 41, 100)))
      expect(over._tag).toBe("InvalidRequest")
      expect((yield* v3.refund.domestic.refunds.post(refundOf("order-r-1", "rr-2", 40, 100))).status).toBe("PROCESSING")
    }))

  it.effect("the same out_refund_no: same content → the same refund; other content → InvalidRequest; by transaction_id too", () =>
    Effect.gen(function*() {
      const sandbox = yield* fresh
      const paid = yield* paidOrder(sandbox, "order-r-2", 100)
      const a = yield* v3.refund.domestic.refunds.post(refundOf("order-r-2", "rr-3", 10, 100))
      expect(yield* v3.refund.domestic.refunds.post(refundOf("order-r-2", "rr-3", 10, 100))).toEqual(a)
      expect((yield* Effect.flip(v3.refund.domestic.refunds.post(refundOf("order-r-2", "rr-3", 11, 100))))._tag).toBe("InvalidRequest")
      const byId = yield* v3.refund.domestic.refunds.post({ transaction_id: paid.transaction_id!, out_refund_no: "rr-4", amount: { refund: 5, total: 100, currency: "CNY" } })
      expect(byId.out_trade_no).toBe("order-r-2")
      expect((yield* Effect.flip(v3.refund.domestic.refunds._out_refund_no_.get({ out_refund_no: "rr-none" })))._tag).toBe("ResourceNotExists")
    }))

  it.effect("PROCESSING refunds complete by sandbox time (refundDelay), or by control; CLOSED gives the amount back", () =>
    Effect.gen(function*() {
      const sandbox = yield* fresh
      yield* paidOrder(sandbox, "order-r-3", 100)
      yield* v3.refund.domestic.refunds.post(refundOf("order-r-3", "rr-5", 100, 100))
      expect((yield* v3.refund.domestic.refunds._out_refund_no_.get({ out_refund_no: "rr-5" })).status).toBe("PROCESSING")
      yield* TestClock.adjust("61 seconds")
      const done = yield* v3.refund.domestic.refunds._out_refund_no_.get({ out_refund_no: "rr-5" })
      expect(done).toMatchObject({ status: "SUCCESS", success_time: "2024-06-01T12:01:01+08:00" })
      expect((yield* Effect.flip(sandbox.completeRefund("rr-5")))._tag).toBe("PaymentControlError")

      yield* paidOrder(sandbox, "order-r-4", 100)
      yield* v3.refund.domestic.refunds.post(refundOf("order-r-4", "rr-6", 100, 100))
      expect((yield* sandbox.completeRefund("rr-6", { status: "CLOSED" })).status).toBe("CLOSED")
      expect((yield* v3.refund.domestic.refunds.post(refundOf("order-r-4", "rr-7", 100, 100))).status).toBe("PROCESSING")
      const completed = yield* control(sandbox, "POST", "/refunds/rr-7/complete", { status: "ABNORMAL" })
      expect(completed).toMatchObject({ status: 200, json: { status: "ABNORMAL" } })
      expect((yield* control(sandbox, "POST", "/refunds/rr-7/complete", {})).status).toBe(409)
    }))

  it.effect("an ABNORMAL refund can be applied for again (apply-abnormal-refund): PROCESSING, then it completes", () =>
    Effect.gen(function*() {
      const sandbox = yield* fresh
      yield* paidOrder(sandbox, "order-r-5", 100)
      const r = yield* v3.refund.domestic.refunds.post(refundOf("order-r-5", "rr-8", 30, 100))
      const apply = v3.refund.domestic.refunds._refund_id_.applyAbnormalRefund.post
      expect((yield* Effect.flip(apply({ refund_id: r.refund_id, out_refund_no: "rr-8", type: "USER_BANK_CARD" })))._tag).toBe("InvalidRequest")
      yield* sandbox.completeRefund("rr-8", { status: "ABNORMAL" })
      expect((yield* apply({ refund_id: r.refund_id, out_refund_no: "rr-8", type: "USER_BANK_CARD" })).status).toBe("PROCESSING")
      expect((yield* sandbox.completeRefund("rr-8")).status).toBe("SUCCESS")
    }))
})

describe("bills", () => {
  it.effect("no record that day → NoStatementExist; a future date → ParamError", () =>
    Effect.gen(function*() {
      const sandbox = yield* fresh
      expect((yield* Effect.flip(v3.bill.tradebill.get({ bill_date: "2024-06-01" })))._tag).toBe("NoStatementExist")
      yield* paidOrder(sandbox, "order-b-1", 100)
      expect((yield* v3.bill.tradebill.get({ bill_date: "2024-06-01" })).hash_type).toBe("SHA1")
      expect((yield* Effect.flip(v3.bill.tradebill.get({ bill_date: "2024-05-31" })))._tag).toBe("NoStatementExist")
      expect((yield* Effect.flip(v3.bill.tradebill.get({ bill_date: "2024-06-02" })))._tag).toBe("ParamError")
      expect((yield* Effect.flip(v3.bill.tradebill.get({ bill_date: "2024-06-01", bill_type: "REFUND" })))._tag).toBe("NoStatementExist")
      expect((yield* Effect.flip(v3.bill.fundflowbill.get({ bill_date: "2024-06-01", account_type: "OPERATION" })))._tag).toBe("NoStatementExist")
    }))
})
})
