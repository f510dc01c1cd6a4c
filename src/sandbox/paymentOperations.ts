/**
 * The operations whose sandbox answers come from the payment flow's state and rules
 * (`Payments.rules()`), by `"METHOD /path"`. A module of its own, without imports, so that the
 * generator (which marks them "stateful" in docs/endpoints.md) can read it before any code exists.
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
