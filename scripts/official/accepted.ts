/**
 * Differences between the generated surface and the official SDKs that stand, each with its
 * reason (read by crosscheck.ts). A difference that is a defect is fixed in the overlay instead.
 * `operation` and `where` match exactly (a string) or by pattern; an unset key matches anything.
 * Every entry must match at least one difference (crosscheck.ts fails on a stale one).
 */
import type { DifferenceKind } from "./crosscheck.js"

export interface Accepted {
  readonly sdk?: "wechatpay-go" | "wechatpay-java"
  readonly operation?: string | RegExp
  readonly where?: string | RegExp
  readonly kind?: DifferenceKind
  readonly reason: string
}

const PREPAY = /^POST \/v3\/pay\/(partner\/)?transactions\/(jsapi|app|h5|native)$/
const QUERY = /^GET \/v3\/pay\/(partner\/)?transactions\/(id|out-trade-no)\/\{[a-z_]+\}$/

/**
 * Why an answer field the catalogue shows and an SDK model lacks is kept: it is optional, so an
 * answer without it decodes; an answer with it keeps it (a decoder drops what its schema does not
 * name); WeChat Pay adds answer fields after an SDK's models are generated. Request-only fields
 * the catalogue copied into answers are not kept: the overlay removes them (answer.remove).
 */
const OPTIONAL_ANSWER_FIELD =
  "an optional answer field the catalogue documents and the SDK's model lacks: an answer without it decodes, an answer with it keeps it " +
  "(removing it would drop what WeChat Pay sends); not a request field copied into the answer"

/** Why a request field the catalogue shows and the SDK models lack is kept. */
const OPTIONAL_REQUEST_FIELD =
  "an optional request field the catalogue documents (with its description) and the SDK's model lacks: nothing is sent unless the caller " +
  "sets it, and a merchant whose page shows it can"

export const accepted: ReadonlyArray<Accepted> = [
  // ---- 基础支付 (pay) ---------------------------------------------------------------------------
  {
    operation: PREPAY,
    where: /^request body\.(payer|payer\.identity|subsidy_info|settle_info\.subsidy_amount)$/,
    kind: "extra field",
    reason:
      "features a merchant applies for separately, so described in the catalogue: 实名支付 (payer.identity, 需单独申请权限; on APP/H5/Native " +
      "payer holds identity alone) and 微信分付 贴息 (subsidy_info, settle_info.subsidy_amount). The SDKs' 下单 models predate them; optional"
  },
  {
    sdk: "wechatpay-go",
    operation: "POST /v3/pay/transactions/jsapi",
    where: "request body.payer.openid",
    kind: "optionality",
    reason: "the JSAPI下单 page: payer.openid 必填 string(128) (codegen/overlay/pay.ts); wechatpay-go's jsapi Payer marks it omitempty. The page is the first source"
  },
  {
    operation: QUERY,
    where: "answer.installment_info",
    kind: "extra field",
    reason: "使用的商户贴息信息 (微信分付), the answer side of subsidy_info: present only for such orders; optional"
  },
  {
    operation: QUERY,
    where: "answer.scene_info",
    kind: "extra field",
    reason:
      "the 查询订单 page's 应答 table has scene_info.device_id (codegen/overlay/pay.ts; the request-only payer_client_ip and store_info are " +
      "removed); the SDKs' Transaction models leave scene_info out"
  },

  // ---- 退款, 账单 (refund, bill): the page's values win -----------------------------------------
  {
    operation: "POST /v3/refund/domestic/refunds",
    where: "request body.funds_account",
    kind: "enum values",
    reason:
      "the 退款申请 page: funds_account 可选取值 AVAILABLE / UNSETTLED (codegen/overlay/refund.ts); the SDKs' request enum has AVAILABLE " +
      "only. The page is the first source"
  },
  {
    operation: "GET /v3/bill/tradebill",
    where: "request query.bill_type",
    kind: "enum values",
    reason:
      "the 申请交易账单 page: bill_type 可选取值 ALL / SUCCESS / REFUND (codegen/overlay/bill.ts); wechatpay-java's BillType also has " +
      "ALL_SPECIAL, SUC_SPECIAL, REF_SPECIAL and RECHARGE_REFUND, which the page does not offer. The page is the first source"
  },
  {
    operation: "GET /v3/bill/sub-merchant-fundflowbill",
    where: "request query.account_type",
    kind: "enum values",
    reason: "the catalogue's 资金账户类型 adds DEPOSIT to the SDK's ALL / BASIC / OPERATION / FEES: a value the caller chooses, never sent by default"
  },
  {
    operation: "GET /v3/bill/fundflowbill",
    where: "request query.sub_mchid",
    kind: "extra field",
    reason: `二级商户号 (nullable in the catalogue): ${OPTIONAL_REQUEST_FIELD}`
  },

  // ---- 分账 (profit sharing) ---------------------------------------------------------------------
  {
    sdk: "wechatpay-go",
    operation: /^POST \/v3\/profitsharing\/orders(\/unfreeze)?$/,
    where: "request body.notify_url",
    kind: "extra field",
    reason: "wechatpay-java's CreateOrderRequest / UnfreezeOrderRequest have notify_url (taken from them); wechatpay-go's models predate it"
  },

  // ---- 证书 (certificates) -----------------------------------------------------------------------
  {
    operation: "GET /v3/certificates",
    where: "request query.algorithm_type",
    kind: "extra field",
    reason: `证书算法版本 (SM2, for 国密 certificates): ${OPTIONAL_REQUEST_FIELD}`
  },

  // ---- 商家券 curated ------------------------------------------------------------------------------
  {
    operation: "GET /v3/marketing/busifavor/callbacks",
    where: "request query.mchid",
    kind: "optionality",
    reason:
      "a curated endpoint (src/api/Busifavor.ts, docs/wechatpay-v3.md): its mchid is required there and by the catalogue (查询商家券事件通知地址); " +
      "wechatpay-go sends it only when set. Requiring it refuses no request WeChat Pay accepts"
  },

  {
    operation: "POST /v3/marketing/busifavor/coupons/send",
    where: /^answer\.(stock_id|coupon_code|out_request_no)$/,
    kind: "extra field",
    reason:
      "the SDKs nest the 发券结果 in send_coupon_result (taken from them, so the answer has it); the catalogue puts the three at the top. " +
      "Both shapes decode (all optional) until a page settles which WeChat Pay sends"
  },

  // ---- answer and request fields only the catalogue shows -------------------------------------
  {
    operation: /^(GET|POST) \/v3\/(marketing|goldplan|partner-transfer|transfer|ecommerce\/profitsharing|refund\/domestic)\//,
    where: /^answer\./,
    kind: "extra field",
    reason: OPTIONAL_ANSWER_FIELD
  },
  {
    operation: /^(GET|POST) \/v3\/(marketing|transfer|ecommerce)\//,
    where: /^request (body|query)\./,
    kind: "extra field",
    reason: OPTIONAL_REQUEST_FIELD
  }
]
