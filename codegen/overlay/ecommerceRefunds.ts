import type { OperationOverlay } from "../overlay.js"

/**
 * 平台收付通（退款） (/v3/ecommerce/refunds): 申请退款, 查询单笔退款 by 微信支付退款单号 and by 商户退款单号.
 * The catalogue's 申请退款 body is the 个人收款 edition's (individual_auth_id, combine_transaction_id and
 * transaction_id 必填) while the same operation serves the ordinary 平台收付通 refund, whose table has no
 * combine_transaction_id and makes transaction_id / out_trade_no 二选一: both are made optional here.
 */

/** 商户退款单号: 只能是数字、大小写字母_-|*@ (wiki chapter7_6_1; wechatpay-java ecommercerefund CreateRefundRequest). */
const OUT_REFUND_NO = "^[0-9A-Za-z_\\-|*@]+$"

/**
 * 查询单笔退款 应答 (docs/partner/apis/ecommerce-refund/refunds/query-refund.html): refund_id, out_refund_no,
 * transaction_id, out_trade_no 必填; channel 选填 (ORIGINAL / BALANCE / OTHER_BALANCE / OTHER_BANKCARD);
 * user_received_account 选填.
 */
const QUERY_ANSWER = {
  required: ["refund_id", "out_refund_no", "transaction_id", "out_trade_no"],
  enums: { channel: ["ORIGINAL", "BALANCE", "OTHER_BALANCE", "OTHER_BANKCARD"] }
} as const

export const ecommerceRefunds: Readonly<Record<string, OperationOverlay>> = {
  "POST /v3/ecommerce/refunds/apply": {
    page: "https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter7_6_1.shtml",
    // 申请退款 (平台收付通, wiki apiv3_partner chapter7_6_1): sub_mchid string[1,32] 是, sp_appid string[1,32] 是,
    // sub_appid string[1,32] 否, transaction_id string[1,32] 二选一 out_trade_no string[1,32], out_refund_no
    // string[1,64] 是 只能是数字、大小写字母_-|*@, reason string[1,80] 否. 个人收款 edition
    // (pay.weixin.qq.com/docs/merchant/apis/personal-collections/create-refund.html): individual_auth_id 必填
    // string(32), combine_transaction_id 必填 string(32), transaction_id 必填 string(32), notify_url 选填
    // string(256) 外网可访问的url,不能携带参数. Both: amount.refund / amount.total in 分.
    required: { remove: ["transaction_id", "combine_transaction_id"] },
    fields: {
      individual_auth_id: { maxLength: 32 },
      sub_mchid: { maxLength: 32 },
      sp_appid: { maxLength: 32 },
      sub_appid: { maxLength: 32 },
      combine_transaction_id: { maxLength: 32 },
      transaction_id: { maxLength: 32 },
      out_trade_no: { maxLength: 32 },
      out_refund_no: { minLength: 1, maxLength: 64, pattern: OUT_REFUND_NO },
      reason: { maxLength: 80 },
      notify_url: { maxLength: 256, format: "https-url" },
      "amount.refund": { minimum: 1 },
      "amount.total": { minimum: 1 }
    },
    // 二选一 on the ordinary page; the 个人收款 edition requires transaction_id, which satisfies it too
    rules: [{ rule: "atLeastOne", fields: ["transaction_id", "out_trade_no"] }]
  },
  "GET /v3/ecommerce/refunds/id/{refund_id}": {
    page: "https://pay.weixin.qq.com/docs/partner/apis/ecommerce-refund/refunds/query-refund.html",
    // 查询单笔退款（按微信支付退款单号）: refund_id path 必填 string(32); sub_mchid query 必填 string(32) (optional
    // here: the 个人收款 edition queries with individual_auth_id). 应答 as QUERY_ANSWER.
    fields: {
      refund_id: { maxLength: 32 },
      sub_mchid: { maxLength: 32 }
    },
    answer: QUERY_ANSWER
  },
  "GET /v3/ecommerce/refunds/out-refund-no/{out_refund_no}": {
    page: "https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter7_6_2.shtml",
    // 查询退款 (wiki chapter7_6_2, by 商户退款单号): out_refund_no path (the table says string[1,32], its answer and
    // 申请退款 string[1,64]: 64 kept), sub_mchid query string[1,32]; 应答 refund_id / out_refund_no / transaction_id
    // 必填 是 (and out_trade_no 必填 on the by-refund_id page, the same answer: "两种查询方式返回结果一致").
    fields: {
      out_refund_no: { minLength: 1, maxLength: 64 },
      sub_mchid: { maxLength: 32 }
    },
    answer: QUERY_ANSWER
  }
}
