/**
 * The payment flow's endpoints carry their documented codes (codegen/overlay/<family>.ts, from the official
 * pages' 错误码 tables) on top of the common ones: each is a typed class in the error channel.
 */
import { describe, expect, it } from "@effect/vitest"
import type * as Endpoint from "../../src/api/Endpoint.js"
import { commonErrors } from "../../src/errors/errors.js"
import * as Codes from "../../src/errors/codes.js"
import { PAYMENT_OPERATIONS } from "../../codegen/paymentOperations.js"
import { Payments, type PaymentsConfig } from "../../src/sandbox/Payments.js"
import { t, v3 } from "./support.js"
import { MCHID } from "../support/constants.js"

type Code = keyof typeof Codes
const PREPAY: ReadonlyArray<Code> = ["AppidMchidNotMatch", "MchNotExists", "OutTradeNoUsed"]
const QUERY: ReadonlyArray<Code> = ["MchNotExists", "RuleLimit", "TradeError", "OrderNotExist"]

const documented: ReadonlyArray<readonly [Endpoint.Endpoint<any, any, any>, ReadonlyArray<Code>]> = [
  [t.jsapi.post, PREPAY],
  [t.app.post, PREPAY],
  [t.h5.post, [...PREPAY, "RuleLimit"]],
  [t.native.post, PREPAY],
  [t.id._transaction_id_.get, QUERY],
  [t.outTradeNo._out_trade_no_.get, QUERY],
  [t.outTradeNo._out_trade_no_.close.post, ["MchNotExists", "RuleLimit", "TradeError"]],
  [v3.refund.domestic.refunds.post, ["NotEnough", "UserAccountAbnormal", "MchNotExists"]],
  [v3.refund.domestic.refunds._out_refund_no_.get, ["MchNotExists"]],
  [v3.refund.domestic.refunds._refund_id_.applyAbnormalRefund.post, []],
  [v3.bill.tradebill.get, ["NoStatementExist", "StatementCreating"]],
  [v3.bill.fundflowbill.get, ["NoStatementExist", "StatementCreating"]]
]

describe("documented codes", () => {
  for (const [endpoint, codes] of documented) {
    it(`${endpoint.spec.method} ${endpoint.spec.path}: the common codes and ${codes.join(", ") || "no other"}`, () => {
      const declared = new Set(endpoint.spec.schemas().errors.map((cls) => cls.code))
      const wanted = [...commonErrors.map((cls) => cls.code), ...codes.map((name) => Codes[name].code)]
      expect([...declared].sort()).toEqual([...new Set(wanted)].sort())
    })
  }
})

describe("the stateful payment operations", () => {
  it("are exactly the endpoints Payments rules (the list the generator and the surface test read)", () => {
    const ruled = new Payments({ mchid: MCHID, refundDelayMillis: 60_000 } satisfies PaymentsConfig).rules().map((r) => `${r.endpoint.spec.method} ${r.endpoint.spec.path}`)
    expect([...ruled].sort()).toEqual([...PAYMENT_OPERATIONS].sort())
  })
})
