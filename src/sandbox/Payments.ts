/**
 * The payment flow as the sandbox runs it: orders placed by prepay (JSAPI, APP, H5, Native), paid
 * or failed by a control that plays the payer, queried, closed, refunded, and the day's bills made
 * from these records. Plain mutable maps owned by one sandbox: JavaScript runs one handler at a
 * time, so every check-then-apply is atomic.
 *
 * Which codes it answers (each one the endpoint declares, from its documented table):
 *   prepay       same out_trade_no, other content, or an order no longer NOTPAY → OUT_TRADE_NO_USED;
 *                mchid not the caller's → MCH_NOT_EXISTS; a total under one fen → PARAM_ERROR
 *   query        unknown order (or a transaction_id not yet paid) → ORDER_NOT_EXIST
 *   close        a paid order → TRADE_ERROR; unknown → RESOURCE_NOT_EXISTS; a closed one → 204 again
 *   refund       unknown order → RESOURCE_NOT_EXISTS; not paid, other total, more than is left, or the
 *                same out_refund_no with other content → INVALID_REQUEST
 *   bills        a future date → PARAM_ERROR; no record that day → NO_STATEMENT_EXIST
 */
import * as crypto from "node:crypto"
import * as zlib from "node:zlib"
import { Data } from "effect"
import { DEFAULT_BASE_URL } from "../api/WechatPayClient.js"
import { InvalidRequest, MchNotExists, NoStatementExist, OrderNotExist, OutTradeNoUsed, ParamError, ResourceNotExists, TradeError } from "../errors/codes.js"
import { bill } from "../v3/bill.js"
import { pay } from "../v3/pay.js"
import { refund } from "../v3/refund.js"
import { beijingTime } from "./Platform.js"
import { ApiFailure } from "./Protocol.js"
import { type Answer, ruleOf, type RuledEndpoint, type StatefulFamily, type TriggeredEvent } from "./Rules.js"
import { canonical } from "./State.js"

export type TradeType = "JSAPI" | "APP" | "MWEB" | "NATIVE"
export type TradeState = "NOTPAY" | "SUCCESS" | "PAYERROR" | "CLOSED" | "REFUND"
export type RefundStatus = "PROCESSING" | "SUCCESS" | "ABNORMAL" | "CLOSED"

/** An order as the sandbox keeps it (`sandbox.orders`). */
export interface Order {
  readonly out_trade_no: string
  readonly appid: string
  readonly mchid: string
  readonly description: string
  readonly attach?: string | undefined
  readonly notify_url: string
  readonly trade_type: TradeType
  readonly total: number
  readonly currency: string
  /** The payer's openid (JSAPI: from the prepay; otherwise given when paid). */
  readonly openid: string | undefined
  readonly trade_state: TradeState
  readonly transaction_id: string | undefined
  /** ms, sandbox clock. */
  readonly success_time: number | undefined
  readonly created_at: number
  /** `prepay_id`, `code_url` or `h5_url`, as answered. */
  readonly prepay: Readonly<Record<string, string>>
  /** Left to refund, in fen: the total less every refund that is not CLOSED. */
  readonly refundable: number
}

/** A refund as the sandbox keeps it (`sandbox.refunds`). */
export interface Refund {
  readonly out_refund_no: string
  readonly refund_id: string
  readonly out_trade_no: string
  readonly transaction_id: string
  readonly refund: number
  readonly total: number
  readonly currency: string
  readonly status: RefundStatus
  readonly notify_url: string | undefined
  readonly created_at: number
  /** When it completes by itself (sandbox time), while PROCESSING. */
  readonly due_at: number
  readonly success_time: number | undefined
}

/** A control the sandbox refused (unknown order, an order not NOTPAY, a refund not PROCESSING …). */
export class PaymentControlError extends Data.TaggedError("PaymentControlError")<{ readonly message: string }> {}

export interface PayOptions {
  /** Default `SUCCESS`. `PAYERROR`: the payment failed (no callback, as WeChat Pay sends none). */
  readonly outcome?: "SUCCESS" | "PAYERROR" | undefined
  /** The payer, for orders whose prepay named none (APP, H5, Native). */
  readonly openid?: string | undefined
}

export interface CompleteRefundOptions {
  /** Default `SUCCESS`. */
  readonly status?: "SUCCESS" | "ABNORMAL" | "CLOSED" | undefined
}

export interface PaymentsConfig {
  readonly mchid: string
  /** How long a refund stays PROCESSING before it succeeds by itself (sandbox time). */
  readonly refundDelayMillis: number
}

/** Where bill files are served (on WeChat Pay's API host, or the sandbox's own when it is a socket server). */
export const BILL_DOWNLOAD_PATH = "/v3/billdownload/file"
const BILL_HOST = DEFAULT_BASE_URL

/** The Beijing date (`yyyy-MM-dd`) of a sandbox instant. */
export const beijingDate = (millis: number): string => beijingTime(millis).slice(0, 10)

const digits = (n: number) => Array.from(crypto.randomBytes(n), (b) => String(b % 10)).join("")
const hex = (n: number) => crypto.randomBytes(n).toString("hex")

const yuan = (fen: number) => `${fen < 0 ? "-" : ""}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, "0")}`
/** A fee of 0.6 %, in units of 1e-5 yuan (a fen is 1 000 of them): exact, as the bill writes it with five decimals. */
const feeUnits = (fen: number) => fen * 6
const feeYuan = (units: number) => `${units < 0 ? "-" : ""}${Math.floor(Math.abs(units) / 100_000)}.${String(Math.abs(units) % 100_000).padStart(5, "0")}`
const FEE_RATE = "0.60%"

const cell = (v: string | number) => "`" + String(v)

interface PrepayBody {
  readonly appid: string
  readonly mchid: string
  readonly description: string
  readonly attach?: string | undefined
  readonly out_trade_no: string
  readonly notify_url: string
  readonly amount: { readonly total: number; readonly currency?: string | undefined }
  readonly payer?: object | undefined
}

type MutableOrder = { -readonly [K in keyof Order]: Order[K] }
type MutableRefund = { -readonly [K in keyof Refund]: Refund[K] }

/** The prepay's payer, when it names one (JSAPI; the other kinds' payer holds no openid). */
const payerOpenid = (payer: object | undefined): string | undefined =>
  payer !== undefined && "openid" in payer && typeof payer.openid === "string" ? payer.openid : undefined

/** A copy without the canonical request kept for idempotency. */
const strip = <T extends { readonly request: string }>(x: T): Omit<T, "request"> => {
  const { request: _, ...rest } = x
  return structuredClone(rest)
}


export class Payments implements StatefulFamily {
  private orders = new Map<string, MutableOrder & { readonly request: string }>()
  private byTransaction = new Map<string, string>()
  private refunds = new Map<string, MutableRefund & { readonly request: string }>()
  private byRefundId = new Map<string, string>()
  /** A bill file by its download token, as it is served (gzipped when asked so). */
  private bills = new Map<string, Buffer>()

  constructor(private readonly config: PaymentsConfig) {}

  clear(): void {
    this.orders.clear()
    this.byTransaction.clear()
    this.refunds.clear()
    this.byRefundId.clear()
    this.bills.clear()
  }

  snapshot(): { readonly orders: ReadonlyArray<Order>; readonly refunds: ReadonlyArray<Refund> } {
    return {
      orders: [...this.orders.values()].map(strip),
      refunds: [...this.refunds.values()].map(strip)
    }
  }

  // ---- prepay, query, close ----

  private prepay(tradeType: TradeType, body: PrepayBody, nowMillis: number): Answer | ApiFailure {
    if (body.mchid !== this.config.mchid) return ApiFailure.of(MchNotExists, "商户号不存在", { field: "mchid", value: body.mchid, location: "body" })
    if (body.amount.total < 1) return ApiFailure.of(ParamError, "订单金额必须大于0", { field: "/amount/total", value: body.amount.total, location: "body" })
    const request = canonical({ tradeType, ...body })
    const existing = this.orders.get(body.out_trade_no)
    if (existing !== undefined) {
      if (existing.request !== request) return ApiFailure.of(OutTradeNoUsed, "商户订单号重复")
      if (existing.trade_state !== "NOTPAY") return ApiFailure.of(OutTradeNoUsed, `商户订单号重复（订单状态 ${existing.trade_state}）`)
      return { status: 200, body: existing.prepay }
    }
    const prepayId = `wx${beijingTime(nowMillis).slice(0, 19).replace(/\D/g, "")}${hex(10)}`
    const prepay: Record<string, string> = tradeType === "NATIVE"
      ? { code_url: `weixin://wxpay/bizpayurl?pr=${hex(4).slice(0, 7)}` }
      : tradeType === "MWEB"
      ? { h5_url: `https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=${prepayId}&package=${digits(10)}` }
      : { prepay_id: prepayId }
    this.orders.set(body.out_trade_no, {
      request,
      out_trade_no: body.out_trade_no,
      appid: body.appid,
      mchid: body.mchid,
      description: body.description,
      attach: body.attach,
      notify_url: body.notify_url,
      trade_type: tradeType,
      total: body.amount.total,
      currency: body.amount.currency ?? "CNY",
      openid: payerOpenid(body.payer),
      trade_state: "NOTPAY",
      transaction_id: undefined,
      success_time: undefined,
      created_at: nowMillis,
      prepay,
      refundable: body.amount.total
    })
    return { status: 200, body: prepay }
  }

  private static stateDesc: Readonly<Record<TradeState, string>> = {
    NOTPAY: "未支付",
    SUCCESS: "支付成功",
    PAYERROR: "支付失败，请重新下单支付",
    CLOSED: "已关闭",
    REFUND: "转入退款"
  }

  /** The order as the query answers it (and TRANSACTION.SUCCESS carries it). */
  private transaction(o: MutableOrder): Record<string, unknown> {
    const paid = o.transaction_id !== undefined
    return {
      appid: o.appid,
      mchid: o.mchid,
      out_trade_no: o.out_trade_no,
      ...(paid ? { transaction_id: o.transaction_id, bank_type: "OTHERS", success_time: beijingTime(o.success_time!) } : {}),
      trade_type: o.trade_type,
      trade_state: o.trade_state,
      trade_state_desc: Payments.stateDesc[o.trade_state],
      description: o.description,
      ...(o.attach !== undefined ? { attach: o.attach } : {}),
      notify_url: o.notify_url,
      ...(o.openid !== undefined ? { payer: { openid: o.openid } } : {}),
      amount: {
        total: o.total,
        currency: o.currency,
        ...(paid ? { payer_total: o.total, payer_currency: o.currency } : { payer_total: 0, payer_currency: o.currency })
      }
    }
  }

  private queryOrder(o: MutableOrder | undefined, mchid: string): Answer | ApiFailure {
    if (mchid !== this.config.mchid) return ApiFailure.of(MchNotExists, "商户号不存在", { field: "mchid", value: mchid, location: "query" })
    if (o === undefined) return ApiFailure.of(OrderNotExist, "订单不存在")
    return { status: 200, body: this.transaction(o) }
  }

  private close(outTradeNo: string, mchid: string): Answer | ApiFailure {
    if (mchid !== this.config.mchid) return ApiFailure.of(MchNotExists, "商户号不存在", { field: "mchid", value: mchid, location: "body" })
    const o = this.orders.get(outTradeNo)
    if (o === undefined) return ApiFailure.of(ResourceNotExists, "订单不存在")
    if (o.trade_state === "SUCCESS" || o.trade_state === "REFUND") return ApiFailure.of(TradeError, "订单已支付，不能关单")
    o.trade_state = "CLOSED"
    return { status: 204 }
  }

  // ---- the payer ----

  /** Plays the payer: NOTPAY → SUCCESS (with a TRANSACTION.SUCCESS callback) or PAYERROR. */
  pay(outTradeNo: string, options: PayOptions, nowMillis: number): { readonly order: Order; readonly events: ReadonlyArray<TriggeredEvent> } | PaymentControlError {
    const o = this.orders.get(outTradeNo)
    if (o === undefined) return new PaymentControlError({ message: `no order ${outTradeNo}` })
    if (o.trade_state !== "NOTPAY") return new PaymentControlError({ message: `order ${outTradeNo} is ${o.trade_state}: only a NOTPAY order can be paid` })
    if (options.outcome === "PAYERROR") {
      o.trade_state = "PAYERROR"
      return { order: strip(o), events: [] }
    }
    o.trade_state = "SUCCESS"
    o.transaction_id = `42000${digits(23)}`
    o.success_time = nowMillis
    o.openid ??= options.openid ?? `oSandbox${hex(10)}`
    this.byTransaction.set(o.transaction_id, o.out_trade_no)
    return { order: strip(o), events: [{ eventType: "TRANSACTION.SUCCESS", resource: this.transaction(o), url: o.notify_url }] }
  }

  // ---- refunds ----

  private refundView(r: MutableRefund): Record<string, unknown> {
    return {
      refund_id: r.refund_id,
      out_refund_no: r.out_refund_no,
      transaction_id: r.transaction_id,
      out_trade_no: r.out_trade_no,
      channel: "ORIGINAL",
      user_received_account: "支付用户零钱",
      ...(r.success_time !== undefined ? { success_time: beijingTime(r.success_time) } : {}),
      create_time: beijingTime(r.created_at),
      status: r.status,
      funds_account: "AVAILABLE",
      amount: {
        total: r.total,
        refund: r.refund,
        payer_total: r.total,
        payer_refund: r.refund,
        settlement_refund: r.refund,
        settlement_total: r.total,
        discount_refund: 0,
        currency: r.currency,
        refund_fee: 0
      }
    }
  }

  private refundEvent(r: MutableRefund): TriggeredEvent {
    const order = this.orders.get(r.out_trade_no)
    return {
      eventType: `REFUND.${r.status}`,
      url: r.notify_url ?? order?.notify_url,
      resource: {
        mchid: this.config.mchid,
        out_trade_no: r.out_trade_no,
        transaction_id: r.transaction_id,
        out_refund_no: r.out_refund_no,
        refund_id: r.refund_id,
        refund_status: r.status,
        ...(r.success_time !== undefined ? { success_time: beijingTime(r.success_time) } : {}),
        user_received_account: "支付用户零钱",
        amount: { total: r.total, refund: r.refund, payer_total: r.total, payer_refund: r.refund }
      }
    }
  }

  private createRefund(
    body: {
      readonly transaction_id?: string | undefined
      readonly out_trade_no?: string | undefined
      readonly out_refund_no: string
      readonly notify_url?: string | undefined
      readonly amount: { readonly refund: number; readonly total: number; readonly currency: string }
    },
    nowMillis: number
  ): Answer | ApiFailure {
    const outTradeNo = body.out_trade_no ?? (body.transaction_id !== undefined ? this.byTransaction.get(body.transaction_id) : undefined)
    if (body.out_trade_no === undefined && body.transaction_id === undefined) {
      return ApiFailure.of(ParamError, "transaction_id和out_trade_no必须二选一进行传参", { location: "body", field: "out_trade_no", issue: "missing" })
    }
    const request = canonical(body)
    const existing = this.refunds.get(body.out_refund_no)
    if (existing !== undefined) {
      return existing.request === request
        ? { status: 200, body: this.refundView(existing) }
        : ApiFailure.of(InvalidRequest, "商户退款单号重复，且请求参数与首次请求时不一致")
    }
    const o = outTradeNo !== undefined ? this.orders.get(outTradeNo) : undefined
    if (o === undefined) return ApiFailure.of(ResourceNotExists, "订单不存在")
    if (o.transaction_id === undefined) return ApiFailure.of(InvalidRequest, `订单未支付（${o.trade_state}），不能退款`)
    if (body.transaction_id !== undefined && body.transaction_id !== o.transaction_id) {
      return ApiFailure.of(InvalidRequest, "transaction_id与out_trade_no不是同一笔订单")
    }
    if (body.amount.total !== o.total) return ApiFailure.of(InvalidRequest, "退款请求中的订单金额与原订单金额不一致")
    if (body.amount.refund <= 0) return ApiFailure.of(ParamError, "退款金额必须大于0", { location: "body", field: "amount.refund", value: body.amount.refund })
    if (body.amount.refund > o.refundable) return ApiFailure.of(InvalidRequest, `申请退款金额超过订单可退金额（可退 ${o.refundable} 分）`)
    o.refundable -= body.amount.refund
    o.trade_state = "REFUND"
    const r: MutableRefund & { readonly request: string } = {
      request,
      out_refund_no: body.out_refund_no,
      refund_id: `50${digits(27)}`,
      out_trade_no: o.out_trade_no,
      transaction_id: o.transaction_id,
      refund: body.amount.refund,
      total: o.total,
      currency: o.currency,
      status: "PROCESSING",
      notify_url: body.notify_url,
      created_at: nowMillis,
      due_at: nowMillis + this.config.refundDelayMillis,
      success_time: undefined
    }
    this.refunds.set(r.out_refund_no, r)
    this.byRefundId.set(r.refund_id, r.out_refund_no)
    return { status: 200, body: this.refundView(r) }
  }

  private finish(r: MutableRefund, status: "SUCCESS" | "ABNORMAL" | "CLOSED", nowMillis: number): TriggeredEvent {
    r.status = status
    if (status === "SUCCESS") r.success_time = nowMillis
    // a closed refund gives its amount back to what can be refunded
    if (status === "CLOSED") {
      const o = this.orders.get(r.out_trade_no)
      if (o !== undefined) o.refundable += r.refund
    }
    return this.refundEvent(r)
  }

  /** Ends a PROCESSING refund now, with its REFUND.* callback. */
  completeRefund(
    outRefundNo: string,
    options: CompleteRefundOptions,
    nowMillis: number
  ): { readonly refund: Refund; readonly events: ReadonlyArray<TriggeredEvent> } | PaymentControlError {
    const r = this.refunds.get(outRefundNo)
    if (r === undefined) return new PaymentControlError({ message: `no refund ${outRefundNo}` })
    if (r.status !== "PROCESSING") return new PaymentControlError({ message: `refund ${outRefundNo} is ${r.status}: only a PROCESSING refund can complete` })
    const event = this.finish(r, options.status ?? "SUCCESS", nowMillis)
    return { refund: strip(r), events: [event] }
  }

  /** Refunds whose time has come succeed (sandbox time): their callbacks. */
  advance(nowMillis: number): ReadonlyArray<TriggeredEvent> {
    const events: Array<TriggeredEvent> = []
    for (const r of this.refunds.values()) {
      if (r.status === "PROCESSING" && r.due_at <= nowMillis) events.push(this.finish(r, "SUCCESS", nowMillis))
    }
    return events
  }

  private applyAbnormalRefund(refundId: string, outRefundNo: string, nowMillis: number): Answer | ApiFailure {
    const key = this.byRefundId.get(refundId)
    const r = key !== undefined ? this.refunds.get(key) : undefined
    if (r === undefined || r.out_refund_no !== outRefundNo) return ApiFailure.of(ResourceNotExists, "退款单不存在")
    if (r.status !== "ABNORMAL") return ApiFailure.of(InvalidRequest, `退款单状态为 ${r.status}，不是异常退款`)
    r.status = "PROCESSING"
    r.due_at = nowMillis + this.config.refundDelayMillis
    return { status: 200, body: this.refundView(r) }
  }

  // ---- bills ----

  /** `origin`: the sandbox's own address when known (a socket server), else WeChat Pay's API host (the client sends it to its base URL). */
  private billAnswer(content: string, gzip: boolean, origin: string | undefined): Answer {
    // with a BOM, as WeChat Pay writes its bills (spreadsheets then read them as UTF-8)
    const bytes = Buffer.from("\uFEFF" + content, "utf8")
    const token = hex(16)
    // stored as it will be served: compressed once here, not on every download
    this.bills.set(token, gzip ? zlib.gzipSync(bytes) : bytes)
    return {
      status: 200,
      body: {
        hash_type: "SHA1",
        hash_value: crypto.createHash("sha1").update(bytes).digest("hex"),
        download_url: `${origin ?? BILL_HOST}${BILL_DOWNLOAD_PATH}?token=${token}`
      }
    }
  }

  private checkDate(billDate: string, nowMillis: number): ApiFailure | undefined {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(billDate) || Number.isNaN(Date.parse(billDate))) {
      return ApiFailure.of(ParamError, "账单日期格式错误", { location: "query", field: "bill_date", value: billDate, issue: "yyyy-MM-dd" })
    }
    if (billDate > beijingDate(nowMillis)) {
      return ApiFailure.of(ParamError, "账单日期不能晚于今天", { location: "query", field: "bill_date", value: billDate })
    }
    return undefined
  }

  /** The trade bill (交易账单) of a Beijing date, from the sandbox's own payments and refunds. */
  tradeBill(billDate: string, billType: string): string | undefined {
    const header = [
      "交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号", "用户标识", "交易类型", "交易状态", "付款银行",
      "货币种类", "应结订单金额", "代金券金额", "微信退款单号", "商户退款单号", "退款金额", "充值券退款金额", "退款类型", "退款状态", "商品名称",
      "商户数据包", "手续费", "费率", "订单金额", "申请退款金额", "费率备注"
    ]
    const lines: Array<{ readonly at: number; readonly cells: ReadonlyArray<string | number> }> = []
    let settlementTotal = 0, settlementRefund = 0, fees = 0, total = 0, refundAmount = 0
    if (billType === "ALL" || billType === "SUCCESS") {
      for (const o of this.orders.values()) {
        if (o.success_time === undefined || beijingDate(o.success_time) !== billDate) continue
        settlementTotal += o.total
        total += o.total
        fees += feeUnits(o.total)
        lines.push({
          at: o.success_time,
          cells: [
            beijingTime(o.success_time).slice(0, 19).replace("T", " "), o.appid, o.mchid, "0", "", o.transaction_id!, o.out_trade_no, o.openid ?? "",
            o.trade_type, "SUCCESS", "OTHERS", o.currency, yuan(o.total), "0.00", "0", "0", "0.00", "0.00", "", "", o.description, o.attach ?? "",
            feeYuan(feeUnits(o.total)), FEE_RATE, yuan(o.total), "0.00", ""
          ]
        })
      }
    }
    if (billType === "ALL" || billType === "REFUND") {
      for (const r of this.refunds.values()) {
        if (r.status !== "SUCCESS" || r.success_time === undefined || beijingDate(r.success_time) !== billDate) continue
        const o = this.orders.get(r.out_trade_no)!
        settlementRefund += r.refund
        refundAmount += r.refund
        fees -= feeUnits(r.refund)
        lines.push({
          at: r.success_time,
          cells: [
            beijingTime(r.success_time).slice(0, 19).replace("T", " "), o.appid, o.mchid, "0", "", r.transaction_id, r.out_trade_no, o.openid ?? "",
            o.trade_type, "REFUND", "OTHERS", r.currency, "0.00", "0.00", r.refund_id, r.out_refund_no, yuan(r.refund), "0.00", "ORIGINAL", "SUCCESS",
            o.description, o.attach ?? "", feeYuan(-feeUnits(r.refund)), FEE_RATE, "0.00", yuan(r.refund), ""
          ]
        })
      }
    }
    if (lines.length === 0) return undefined
    lines.sort((a, b) => a.at - b.at)
    return [
      header.join(","),
      ...lines.map((l) => l.cells.map(cell).join(",")),
      ["总交易单数", "应结订单总金额", "退款总金额", "充值券退款总金额", "手续费总金额", "订单总金额", "申请退款总金额"].join(","),
      [lines.length, yuan(settlementTotal), yuan(settlementRefund), "0.00", feeYuan(fees), yuan(total), yuan(refundAmount)].map(cell).join(",")
    ].join("\r\n") + "\r\n"
  }

  /** The fund-flow bill (资金账单, basic account) of a Beijing date: payments in, refunds out. */
  fundFlowBill(billDate: string): string | undefined {
    const moves: Array<{ readonly at: number; readonly business: string; readonly flow: string; readonly name: string; readonly amount: number; readonly voucher: string }> = []
    for (const o of this.orders.values()) {
      if (o.success_time !== undefined && beijingDate(o.success_time) === billDate) {
        moves.push({ at: o.success_time, business: o.transaction_id!, flow: `${o.transaction_id!}01`, name: "交易", amount: o.total, voucher: o.out_trade_no })
      }
    }
    for (const r of this.refunds.values()) {
      if (r.status === "SUCCESS" && r.success_time !== undefined && beijingDate(r.success_time) === billDate) {
        moves.push({ at: r.success_time, business: r.refund_id, flow: `${r.refund_id}01`, name: "退款", amount: -r.refund, voucher: r.out_refund_no })
      }
    }
    if (moves.length === 0) return undefined
    moves.sort((a, b) => a.at - b.at)
    let balance = 0, income = 0, incomeCount = 0, expense = 0, expenseCount = 0
    const rows = moves.map((m) => {
      balance += m.amount
      if (m.amount >= 0) {
        income += m.amount
        incomeCount++
      } else {
        expense -= m.amount
        expenseCount++
      }
      return [
        beijingTime(m.at).slice(0, 19).replace("T", " "), m.business, m.flow, m.name, m.name, m.amount >= 0 ? "收入" : "支出",
        yuan(Math.abs(m.amount)), yuan(balance), "system", "", m.voucher
      ].map(cell).join(",")
    })
    return [
      ["记账时间", "微信支付业务单号", "资金流水单号", "业务名称", "业务类型", "收支类型", "收支金额（元）", "账户结余（元）", "资金变更提交申请人", "备注", "业务凭证号"].join(","),
      ...rows,
      ["资金流水总笔数", "收入笔数", "收入金额", "支出笔数", "支出金额"].join(","),
      [moves.length, incomeCount, yuan(income), expenseCount, yuan(expense)].map(cell).join(",")
    ].join("\r\n") + "\r\n"
  }

  /** The bytes behind a download URL's token (gzipped when the bill was asked that way). */
  billFile(token: string | null): Buffer | undefined {
    return token === null ? undefined : this.bills.get(token)
  }

  // ---- the routes ----

  /** The business rules, one per endpoint, for the emulator's routes. */
  rules(): ReadonlyArray<RuledEndpoint> {
    const t = pay.transactions
    return [
      ruleOf(t.jsapi.post, (r, now) => this.prepay("JSAPI", r, now)),
      ruleOf(t.app.post, (r, now) => this.prepay("APP", r, now)),
      ruleOf(t.h5.post, (r, now) => this.prepay("MWEB", r, now)),
      ruleOf(t.native.post, (r, now) => this.prepay("NATIVE", r, now)),
      ruleOf(t.outTradeNo._out_trade_no_.get, (r) => this.queryOrder(this.orders.get(r.out_trade_no), r.mchid)),
      ruleOf(t.id._transaction_id_.get, (r) => {
        const key = this.byTransaction.get(r.transaction_id)
        return this.queryOrder(key !== undefined ? this.orders.get(key) : undefined, r.mchid)
      }),
      ruleOf(t.outTradeNo._out_trade_no_.close.post, (r) => this.close(r.out_trade_no, r.mchid)),
      ruleOf(refund.domestic.refunds.post, (r, now) => this.createRefund(r, now)),
      ruleOf(refund.domestic.refunds._out_refund_no_.get, (r) => {
        const found = this.refunds.get(r.out_refund_no)
        return found === undefined ? ApiFailure.of(ResourceNotExists, "退款单不存在") : { status: 200, body: this.refundView(found) }
      }),
      ruleOf(refund.domestic.refunds._refund_id_.applyAbnormalRefund.post, (r, now) => this.applyAbnormalRefund(r.refund_id, r.out_refund_no, now)),
      ruleOf(bill.tradebill.get, (r, now, origin) => {
        const bad = this.checkDate(r.bill_date, now)
        if (bad !== undefined) return bad
        const content = this.tradeBill(r.bill_date, r.bill_type ?? "ALL")
        return content === undefined ? ApiFailure.of(NoStatementExist, "账单不存在") : this.billAnswer(content, r.tar_type === "GZIP", origin)
      }),
      ruleOf(bill.fundflowbill.get, (r, now, origin) => {
        const bad = this.checkDate(r.bill_date, now)
        if (bad !== undefined) return bad
        const content = (r.account_type ?? "BASIC") === "BASIC" ? this.fundFlowBill(r.bill_date) : undefined
        return content === undefined ? ApiFailure.of(NoStatementExist, "账单不存在") : this.billAnswer(content, r.tar_type === "GZIP", origin)
      })
    ]
  }
}
