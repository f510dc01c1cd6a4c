import type { OperationOverlay } from "../overlay.js"

/**
 * 退款 (refund, /v3/refund/domestic): 退款申请, 查询单笔退款（通过商户退款单号）, 发起异常退款. From the
 * official pages (merchant and partner editions: the catalogue's operations serve both, `sub_mchid`
 * stays optional) and wechatpay-go's services/refunddomestic models (CreateRequest, AmountReq,
 * GoodsDetail, Refund, Amount and their enums), and the error classes the pages document
 * (NOT_ENOUGH, USER_ACCOUNT_ABNORMAL, MCH_NOT_EXISTS; RESOURCE_NOT_EXISTS is common).
 */

/** 商户退款单号: 只能是数字、大小写字母_-|*@ (both editions and wechatpay-go CreateRequest.OutRefundNo). */
const OUT_REFUND_NO = "^[0-9A-Za-z_\\-|*@]+$"

/**
 * 应答 (the Refund model, the same on the three pages): fields wechatpay-go's `Refund` / `Amount`
 * serialize without omitempty, which the wiki's 应答 table (chapter4_2_10) marks 必填 是 for the ids,
 * channel, user_received_account and create_time; success_time (状态为SUCCESS时返回), funds_account,
 * amount.from and promotion_detail are optional.
 */
const REFUND_ANSWER = {
  required: [
    "refund_id",
    "out_refund_no",
    "transaction_id",
    "out_trade_no",
    "channel",
    "user_received_account",
    "create_time",
    "status",
    "amount",
    "amount.total",
    "amount.refund",
    "amount.payer_total",
    "amount.payer_refund",
    "amount.settlement_refund",
    "amount.settlement_total",
    "amount.discount_refund",
    "amount.currency"
  ],
  enums: {
    // 退款状态: SUCCESS 退款成功 / CLOSED 退款关闭 / PROCESSING 退款处理中 / ABNORMAL 退款异常 (wechatpay-go Status)
    status: ["SUCCESS", "CLOSED", "PROCESSING", "ABNORMAL"],
    // 退款渠道: ORIGINAL 原路退款 / BALANCE 退回到余额 / OTHER_BALANCE / OTHER_BANKCARD (wechatpay-go Channel)
    channel: ["ORIGINAL", "BALANCE", "OTHER_BALANCE", "OTHER_BANKCARD"],
    // 资金账户: UNSETTLED / AVAILABLE / UNAVAILABLE / OPERATION / BASIC (wechatpay-go FundsAccount); ECNY_BASIC
    // 数字人民币基本账户 (wechatpay-java service/refund/model FundsAccount)
    funds_account: ["UNSETTLED", "AVAILABLE", "UNAVAILABLE", "OPERATION", "BASIC", "ECNY_BASIC"],
    // 出资账户类型: AVAILABLE / UNAVAILABLE (wechatpay-go Account)
    "amount.from.account": ["AVAILABLE", "UNAVAILABLE"],
    // 优惠范围: GLOBAL 全场代金券 / SINGLE 单品优惠 (wechatpay-go Scope); 优惠类型: COUPON / DISCOUNT (Type)
    "promotion_detail.scope": ["GLOBAL", "SINGLE"],
    "promotion_detail.type": ["COUPON", "DISCOUNT"]
  }
} as const

export const refund: Readonly<Record<string, OperationOverlay>> = {
  "POST /v3/refund/domestic/refunds": {
    // https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create.html (退款申请; MCH_NOT_EXISTS as 404)
    errors: ["NotEnough", "UserAccountAbnormal", "MchNotExists"],
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012886219",
    // 退款申请 (partner doc/v3/partner/4012886219; merchant pay.weixin.qq.com/docs/merchant/products/refund/apilist.html):
    // sub_mchid string(32) (partner only); transaction_id 选填 string(32), out_trade_no 选填 string(32):
    // "transaction_id和out_trade_no必须二选一进行传参"; out_refund_no 必填 string(64) 只能是数字、大小写字母_-|*@;
    // reason 选填 string(80); notify_url 选填 string(256) 外网可访问的url,不能携带参数 (notify_url 注意事项: https);
    // funds_account 选填, 可选取值 AVAILABLE / UNSETTLED; amount.refund 必填 integer 退款金额 (币种最小单位);
    // amount.total 必填 integer 原订单金额; amount.currency 必填 string(16) 固定传:CNY; amount.from 选填
    // (account AVAILABLE / UNAVAILABLE, wechatpay-go Account). goods_detail.merchant_goods_id: 由半角的大小写字母、
    // 数字、中划线、下划线中的一种或几种组成 (wechatpay-go GoodsDetail).
    fields: {
      sub_mchid: { maxLength: 32 },
      transaction_id: { maxLength: 32 },
      out_trade_no: { maxLength: 32 },
      out_refund_no: { minLength: 1, maxLength: 64, pattern: OUT_REFUND_NO },
      reason: { maxLength: 80 },
      notify_url: { maxLength: 256, format: "https-url" },
      funds_account: { enum: ["AVAILABLE", "UNSETTLED"] },
      "amount.refund": { minimum: 1 },
      "amount.total": { minimum: 1 },
      "amount.currency": { maxLength: 16, enum: ["CNY"] },
      "amount.from.account": { enum: ["AVAILABLE", "UNAVAILABLE"] },
      "goods_detail.merchant_goods_id": { pattern: "^[0-9A-Za-z_\\-]+$" }
    },
    // 二选一 is at least one: both may be sent (the wiki edition: 优先级 transaction_id > out_trade_no)
    rules: [{ rule: "atLeastOne", fields: ["transaction_id", "out_trade_no"] }],
    answer: REFUND_ANSWER
  },
  "GET /v3/refund/domestic/refunds/{out_refund_no}": {
    // https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/query-by-out-refund-no.html (MCH_NOT_EXISTS as 404)
    errors: ["MchNotExists"],
    page: "https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter4_2_10.shtml",
    // 查询单笔退款（通过商户退款单号） (wiki chapter4_2_10: out_refund_no path string[1, 64] 只能是数字、大小写字母_-|*@;
    // 应答 refund_id / out_refund_no / transaction_id / out_trade_no / channel / user_received_account / create_time
    // 必填 是, success_time 否); the partner edition adds query sub_mchid string(32).
    fields: {
      out_refund_no: { minLength: 1, maxLength: 64, pattern: OUT_REFUND_NO },
      sub_mchid: { maxLength: 32 }
    },
    answer: REFUND_ANSWER
  },
  "POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund": {
    // https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create-abnormal-refund.html
    // documents only common codes (RESOURCE_NOT_EXISTS for an unknown refund_id)
    errors: [],
    page: "https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create-abnormal-refund.html",
    // 发起异常退款 (merchant page; partner https://pay.weixin.qq.com/doc/v3/partner/4017150905): refund_id path
    // string(32); sub_mchid string(32) (partner); out_refund_no 必填 string(64); type 必填 USER_BANK_CARD /
    // MERCHANT_BANK_CARD (as generated); bank_type 选填 string(16) (a closed enum, as generated); bank_account 选填 string(1024) (encrypted);
    // real_name 选填 string(1024) (encrypted); "若退款至用户此字段必填" for the last three (tied to type's value:
    // no one-of rule). 应答: the refund (same model as 退款申请).
    fields: {
      refund_id: { maxLength: 32 },
      sub_mchid: { maxLength: 32 },
      out_refund_no: { minLength: 1, maxLength: 64 },
      bank_account: { maxLength: 1024 },
      real_name: { maxLength: 1024 }
    },
    answer: REFUND_ANSWER
  }
}
