/** The README's "Finding an endpoint" example, kept here so `npm test` type-checks it. */
import { Effect } from "effect"
import { pay } from "../src/v3/pay.js"
import { v3 } from "../src/v3/index.js"

export const order = v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: "1217752501201407033233368018", mchid: "1230000109" })
export const same = pay.transactions.outTradeNo._out_trade_no_.get
export const state = order.pipe(Effect.map((o) => o.trade_state))
