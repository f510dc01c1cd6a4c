/**
 * Request constraints from the official pages (codegen/overlay/): bad input is a
 * `RequestValidationError` naming every failing field, and nothing is signed or sent; the sandbox
 * shares the schemas, so it refuses the same input.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Sandbox } from "../../src/sandbox/index.js"
import { v3 } from "../../src/v3/index.js"
import { APPID, MCHID, OPENID } from "../support/constants.js"

/** Runs a call that must fail validation: nothing reaches the sandbox; the error, narrowed. */
const refusedUnsent = <A, E extends { readonly _tag: string }, R>(call: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.Sandbox
    const before = (yield* sandbox.requests).length
    const e = yield* Effect.flip(call)
    expect((yield* sandbox.requests).length).toBe(before)
    expect(e._tag).toBe("RequestValidationError")
    return e as Extract<E, { readonly _tag: "RequestValidationError" }>
  })

const refundBody = { out_refund_no: "R1", amount: { refund: 1, total: 1, currency: "CNY" as const } }

describe("request constraints from the official pages", () => {
  it.effect("退款申请: transaction_id和out_trade_no二选一; neither is refused unsent, naming both", () =>
    Effect.gen(function*() {
      const e = yield* refusedUnsent(v3.refund.domestic.refunds.post(refundBody))
      expect(e.fields).toEqual(["transaction_id", "out_trade_no"])
      expect(e.message).toContain("at least one of transaction_id, out_trade_no must be given")
    }).pipe(Effect.provide(Sandbox.layer())))

  it.effect("every failing field is named at once, across path, query and body", () =>
    Effect.gen(function*() {
      const e = yield* refusedUnsent(v3.refund.domestic.refunds.post({
        out_trade_no: "T1",
        out_refund_no: "a b",
        notify_url: "http://example.com/notify",
        amount: { refund: 0, total: -5, currency: "CNY" }
      }))
      expect([...(e.fields ?? [])].sort()).toEqual(["amount.refund", "amount.total", "notify_url", "out_refund_no"])
    }).pipe(Effect.provide(Sandbox.layer())))
})

/** A JSAPI 下单 body the page accepts (codegen/overlay/pay.ts cites the page's rows). */
const jsapiBody = {
  appid: APPID,
  mchid: MCHID,
  description: "Image形象店-深圳腾大-QQ公仔",
  out_trade_no: "1217752501201407033233368018",
  notify_url: "https://www.weixin.qq.com/wxpay/pay.php",
  amount: { total: 100, currency: "CNY" as const },
  payer: { openid: OPENID }
}

describe("JSAPI下单: the page's rows, before anything is signed", () => {
  const refused = (body: typeof jsapiBody, fields: ReadonlyArray<string>) =>
    Effect.map(refusedUnsent(v3.pay.transactions.jsapi.post(body)), (e) => expect([...(e.fields ?? [])].sort()).toEqual([...fields].sort()))

  it.effect("a valid body is sent and answered with a prepay_id", () =>
    Effect.gen(function*() {
      expect(yield* v3.pay.transactions.jsapi.post(jsapiBody)).toEqual({ prepay_id: expect.stringMatching(/^wx/) })
    }).pipe(Effect.provide(Sandbox.layer())))

  it.effect("out_trade_no outside [0-9A-Za-z_|*-], longer than 32 or shorter than 6 is refused", () =>
    Effect.gen(function*() {
      yield* refused({ ...jsapiBody, out_trade_no: "a b" }, ["out_trade_no"])
      yield* refused({ ...jsapiBody, out_trade_no: "x".repeat(60) }, ["out_trade_no"])
      yield* refused({ ...jsapiBody, out_trade_no: "abc12" }, ["out_trade_no"])
    }).pipe(Effect.provide(Sandbox.layer())))

  it.effect("a description over 127 characters, a notify_url that is no https URL, a total below 1 are refused", () =>
    Effect.gen(function*() {
      yield* refused({ ...jsapiBody, description: "描".repeat(300) }, ["description"])
      yield* refused({ ...jsapiBody, notify_url: "not a url" }, ["notify_url"])
      yield* refused({ ...jsapiBody, notify_url: "http://www.weixin.qq.com/wxpay/pay.php" }, ["notify_url"])
      yield* refused({ ...jsapiBody, notify_url: "https://www.weixin.qq.com/notify?order=1" }, ["notify_url"])
      yield* refused({ ...jsapiBody, amount: { total: -5, currency: "CNY" } }, ["amount.total"])
      yield* refused({ ...jsapiBody, amount: { total: 0, currency: "CNY" } }, ["amount.total"])
    }).pipe(Effect.provide(Sandbox.layer())))

  it.effect("all five at once: every failing field is named in one error", () =>
    refused(
      { ...jsapiBody, out_trade_no: "a b", description: "d".repeat(300), notify_url: "not a url", amount: { total: -5, currency: "CNY" } },
      ["out_trade_no", "description", "notify_url", "amount.total"]
    ).pipe(Effect.provide(Sandbox.layer())))

  it.effect("an http notify_url on a loopback host passes: only the sandbox can reach it", () =>
    Effect.gen(function*() {
      expect(yield* v3.pay.transactions.jsapi.post({ ...jsapiBody, notify_url: "http://127.0.0.1:9/notify" })).toEqual({
        prepay_id: expect.stringMatching(/^wx/)
      })
    }).pipe(Effect.provide(Sandbox.layer())))
})

describe("商家转账 发起转账: the page's rows, before anything is signed", () => {
  const transferBody = {
    appid: "wxf636efh567hg4356",
    out_bill_no: "plfk2020042013",
    openid: "o-MYE42l80oelYMDE34nYD456Xoy",
    transfer_amount: 400,
    transfer_remark: "2026年12月报销",
    transfer_scene_id: "1000" as const,
    transfer_scene_report_infos: [{ info_type: "活动名称", info_content: "注册会员有礼" }]
  }
  const refused = (body: typeof transferBody & { readonly notify_url?: string }, fields: ReadonlyArray<string>) =>
    Effect.map(
      refusedUnsent(v3.fundApp.mchTransfer.transferBills.post(body)),
      (e) => expect([...(e.fields ?? [])].sort()).toEqual([...fields].sort())
    )

  it.effect("a valid body is sent and answered", () =>
    Effect.gen(function*() {
      const bill = yield* v3.fundApp.mchTransfer.transferBills.post(transferBody)
      expect(typeof bill.state).toBe("string")
    }).pipe(Effect.provide(Sandbox.layer())))

  it.effect("out_bill_no beyond digits and letters, a fractional or zero amount, a 33-character remark are refused", () =>
    Effect.gen(function*() {
      yield* refused({ ...transferBody, out_bill_no: "plfk-2020" }, ["out_bill_no"])
      yield* refused({ ...transferBody, transfer_amount: 1.5 }, ["transfer_amount"])
      yield* refused({ ...transferBody, transfer_amount: 0 }, ["transfer_amount"])
      yield* refused({ ...transferBody, transfer_remark: "备".repeat(33) }, ["transfer_remark"])
    }).pipe(Effect.provide(Sandbox.layer())))

  it.effect("report infos over their sizes and a notify_url with a query string are named together", () =>
    refused(
      {
        ...transferBody,
        transfer_scene_report_infos: [{ info_type: "类".repeat(16), info_content: "容".repeat(33) }],
        notify_url: "https://www.weixin.qq.com/notify?bill=1"
      },
      ["transfer_scene_report_infos.0.info_type", "transfer_scene_report_infos.0.info_content", "notify_url"]
    ).pipe(Effect.provide(Sandbox.layer())))
})
