/**
 * Request constraints from the official pages (codegen/overlay/): bad input is a
 * `RequestValidationError` naming every failing field, and nothing is signed or sent; the sandbox
 * shares the schemas, so it refuses the same input.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Sandbox } from "../../src/sandbox/index.js"
import { v3 } from "../../src/v3/index.js"

const refundBody = { out_refund_no: "R1", amount: { refund: 1, total: 1, currency: "CNY" as const } }

describe("request constraints from the official pages", () => {
  it.effect("退款申请: transaction_id和out_trade_no二选一; neither is refused unsent, naming both", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const before = (yield* sandbox.requests).length
      const e = yield* Effect.flip(v3.refund.domestic.refunds.post(refundBody))
      expect(e._tag).toBe("RequestValidationError")
      if (e._tag !== "RequestValidationError") return
      expect(e.fields).toEqual(["transaction_id", "out_trade_no"])
      expect(e.message).toContain("at least one of transaction_id, out_trade_no must be given")
      expect((yield* sandbox.requests).length).toBe(before)
    }).pipe(Effect.provide(Sandbox.layer())))

  it.effect("every failing field is named at once, across path, query and body", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(v3.refund.domestic.refunds.post({
        out_trade_no: "T1",
        out_refund_no: "a b",
        notify_url: "http://example.com/notify",
        amount: { refund: 0, total: -5, currency: "CNY" }
      }))
      expect(e._tag).toBe("RequestValidationError")
      if (e._tag !== "RequestValidationError") return
      expect([...(e.fields ?? [])].sort()).toEqual(["amount.refund", "amount.total", "notify_url", "out_refund_no"])
    }).pipe(Effect.provide(Sandbox.layer())))
})
