/** Helpers for the payment-flow tests: order bodies and the generated endpoints. */
import { bill } from "../../src/v3/bill.js"
import { pay } from "../../src/v3/pay.js"
import { refund } from "../../src/v3/refund.js"
import { APPID, MCHID, OPENID } from "../support/constants.js"

export const v3 = { pay, refund, bill }
export const t = pay.transactions

/** A notify URL nobody listens on: deliveries fail fast (refused), nothing leaves the machine. */
export const NOWHERE = "http://127.0.0.1:9/notify"

/** A JSAPI prepay body. */
export const jsapiOrder = (out_trade_no: string, total: number, notify_url: string = NOWHERE) => ({
  appid: APPID,
  mchid: MCHID,
  description: "Image形象店-深圳腾大-QQ公仔",
  out_trade_no,
  notify_url,
  amount: { total, currency: "CNY" as const },
  payer: { openid: OPENID }
})

/** A refund body for a whole or partial amount. */
export const refundOf = (out_trade_no: string, out_refund_no: string, refundAmount: number, total: number, notify_url?: string) => ({
  out_trade_no,
  out_refund_no,
  amount: { refund: refundAmount, total, currency: "CNY" as const },
  ...(notify_url !== undefined ? { notify_url } : {})
})
