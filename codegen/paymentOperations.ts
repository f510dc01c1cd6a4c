/**
 * The operations whose sandbox answers come from the payment flow's state and rules
 * (`Payments.rules()` in src/sandbox/Payments.ts), by `"METHOD /path"`. Generator input (it marks
 * them "stateful" in docs/endpoints.md), read before any code exists; the surface and codes tests
 * compare it with the rules the sandbox has.
 */
export const PAYMENT_OPERATIONS: ReadonlyArray<string> = [
  "POST /v3/pay/transactions/jsapi",
  "POST /v3/pay/transactions/app",
  "POST /v3/pay/transactions/h5",
  "POST /v3/pay/transactions/native",
  "GET /v3/pay/transactions/out-trade-no/{out_trade_no}",
  "GET /v3/pay/transactions/id/{transaction_id}",
  "POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close",
  "POST /v3/refund/domestic/refunds",
  "GET /v3/refund/domestic/refunds/{out_refund_no}",
  "POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund",
  "GET /v3/bill/tradebill",
  "GET /v3/bill/fundflowbill"
]
