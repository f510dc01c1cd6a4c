import type { OperationOverlay } from "../overlay.js"

/**
 * 分账 (profitsharing, merchant and partner): 请求分账, 查询分账结果, 请求分账回退, 查询分账回退结果,
 * 解冻剩余资金, 查询剩余待分金额, 添加/删除分账接收方, 申请分账账单, 查询最大分账比例. From the official
 * pages (pay.weixin.qq.com/doc/v3/…, the apiv3 wiki pages where the new ones were not to be had) and,
 * where the pages' tables were not to be read, wechatpay-go's services/profitsharing (models.go: fields
 * without `omitempty`, enums; api_*.go: 错误码列表).
 */

/** 商户分账单号: 只能是数字、大小写字母_-|*@ (请求分账, 解冻剩余资金, 查询分账结果). */
const OUT_ORDER_NO = "^[0-9A-Za-z_\\-|*@]+$"

/**
 * 接收方的分账结果 (wechatpay-go DetailStatus) and 分账失败原因: wechatpay-go's DetailFailReason has the first five,
 * the catalogue's 请求分账 answer all eight (the answer enums stay open).
 */
const DETAIL_RESULT = ["PENDING", "SUCCESS", "CLOSED"]
const DETAIL_FAIL_REASON = [
  "ACCOUNT_ABNORMAL",
  "NO_RELATION",
  "RECEIVER_HIGH_RISK",
  "RECEIVER_REAL_NAME_NOT_VERIFIED",
  "NO_AUTH",
  "RECEIVER_RECEIPT_LIMIT",
  "PAYER_ACCOUNT_ABNORMAL",
  "INVALID_REQUEST"
]

/** The 分账单 answer (OrdersEntity in wechatpay-go; 查询分账结果's 应答参数 table: the four top fields 必填). */
const ORDER_ANSWER_REQUIRED = [
  "transaction_id",
  "out_order_no",
  "order_id",
  "state",
  "receivers.amount",
  "receivers.description",
  "receivers.type",
  "receivers.account",
  "receivers.result",
  "receivers.detail_id"
]

/** The 分账回退单 answer (ReturnOrdersEntity in wechatpay-go: these without `omitempty`). */
const RETURN_ANSWER_REQUIRED = [
  "order_id",
  "out_order_no",
  "out_return_no",
  "return_id",
  "return_mchid",
  "amount",
  "description",
  "result",
  "create_time"
]

export const profitsharing: Readonly<Record<string, OperationOverlay>> = {
  "POST /v3/profitsharing/orders": {
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012690683",
    // 请求分账 (pay.weixin.qq.com/doc/v3/partner/4012690683; the wiki's chapter8_1_1 table): sub_mchid string(32),
    // appid string(32) 选填, sub_appid string(32), transaction_id string(32), out_order_no string[1,64] 只能是数字、
    // 大小写字母_-|*@, receivers 最多可有50个分账接收方 (每次请求最多分给50个接收方); receivers.amount 单位为分, 只能为整数.
    // 错误码 (wechatpay-go api_orders.go CreateOrder): NOT_ENOUGH 403 分账金额不足, RATELIMIT_EXCEED 429.
    errors: ["NotEnough"],
    fields: {
      sub_mchid: { maxLength: 32 },
      appid: { maxLength: 32 },
      sub_appid: { maxLength: 32 },
      transaction_id: { maxLength: 32 },
      out_order_no: { maxLength: 64, pattern: OUT_ORDER_NO },
      receivers: { maxItems: 50 },
      "receivers.amount": { minimum: 1 }
    },
    answer: {
      required: ORDER_ANSWER_REQUIRED,
      enums: { state: ["PROCESSING", "FINISHED"], "receivers.result": DETAIL_RESULT }
    }
  },
  "GET /v3/profitsharing/orders/{out_order_no}": {
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012466850",
    // 查询分账结果 (doc/v3/partner/4012466850, doc/v3/merchant/4012525210): out_order_no string(64), sub_mchid
    // string(32), transaction_id string(32); 应答参数 transaction_id, out_order_no, order_id, state 必填, receivers 选填;
    // state PROCESSING 处理中 / FINISHED 分账完成 (the catalogue gave state the receivers' result values and result the
    // fail reasons: corrected). 错误码 (wechatpay-go QueryOrder): RESOURCE_NOT_EXISTS 404 记录不存在, RATELIMIT_EXCEED 429.
    errors: ["ResourceNotExists"],
    fields: {
      out_order_no: { maxLength: 64, pattern: OUT_ORDER_NO },
      sub_mchid: { maxLength: 32 },
      transaction_id: { maxLength: 32 }
    },
    answer: {
      required: ORDER_ANSWER_REQUIRED,
      enums: {
        state: ["PROCESSING", "FINISHED"],
        "receivers.result": DETAIL_RESULT,
        "receivers.fail_reason": DETAIL_FAIL_REASON
      }
    }
  },
  "POST /v3/profitsharing/orders/unfreeze": {
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012466860",
    // 解冻剩余资金 (doc/v3/partner/4012466860, doc/v3/merchant/4012526374): sub_mchid string(32), transaction_id
    // string(32), out_order_no string(64) 只能是数字、大小写字母_-|*@, description string(80) 必填.
    // 错误码 (wechatpay-go UnfreezeOrder): NOT_ENOUGH 403 分账金额为0, RATELIMIT_EXCEED 429.
    errors: ["NotEnough"],
    fields: {
      sub_mchid: { maxLength: 32 },
      transaction_id: { maxLength: 32 },
      out_order_no: { maxLength: 64, pattern: OUT_ORDER_NO },
      description: { maxLength: 80 }
    },
    answer: {
      required: ORDER_ANSWER_REQUIRED,
      enums: { state: ["PROCESSING", "FINISHED"], "receivers.result": DETAIL_RESULT }
    }
  },
  "POST /v3/profitsharing/return-orders": {
    page: "https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter8_1_3.shtml",
    // 请求分账回退 (wiki apiv3 chapter8_1_3): order_id string[1,64] / out_order_no string[1,64] 二选一 (微信分账单号与
    // 商户分账单号二选一填写), out_return_no string[1,64], return_mchid string[1,32], amount int 单位为分.
    // 错误码 (wechatpay-go CreateReturnOrder): RATELIMIT_EXCEED 429 商户发起分账回退的频率过高.
    errors: [],
    fields: {
      order_id: { maxLength: 64 },
      out_order_no: { maxLength: 64 },
      out_return_no: { maxLength: 64 },
      return_mchid: { maxLength: 32 },
      amount: { minimum: 1 }
    },
    rules: [{ rule: "atLeastOne", fields: ["order_id", "out_order_no"] }],
    answer: {
      required: RETURN_ANSWER_REQUIRED,
      enums: {
        result: ["PROCESSING", "SUCCESS", "FAILED"],
        fail_reason: ["ACCOUNT_ABNORMAL", "BALANCE_NOT_ENOUGH", "TIME_OUT_CLOSED", "PAYER_ACCOUNT_ABNORMAL", "INVALID_REQUEST"]
      }
    }
  },
  "GET /v3/profitsharing/return-orders/{out_return_no}": {
    page: "https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter8_1_3.shtml",
    // 查询分账回退结果: the same numbers as 请求分账回退 (out_return_no, out_order_no string[1,64]); both required in
    // wechatpay-go's QueryReturnOrderRequest. 错误码 (wechatpay-go QueryReturnOrder): RESOURCE_NOT_EXISTS 404
    // 分账回退单不存在, RATELIMIT_EXCEED 429.
    errors: ["ResourceNotExists"],
    fields: {
      out_return_no: { maxLength: 64 },
      out_order_no: { maxLength: 64 }
    },
    answer: { required: RETURN_ANSWER_REQUIRED }
  },
  "GET /v3/profitsharing/transactions/{transaction_id}/amounts": {
    // 查询剩余待分金额: transaction_id string(32) (the family's 微信订单号 rows); 应答参数 transaction_id, unsplit_amount
    // (wechatpay-go QueryOrderAmountResponse, no `omitempty`). 错误码 (wechatpay-go QueryOrderAmount): RATELIMIT_EXCEED 429.
    errors: [],
    fields: { transaction_id: { maxLength: 32 } },
    answer: { required: ["transaction_id", "unsplit_amount"] }
  },
  "POST /v3/profitsharing/receivers/add": {
    page: "https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter8_1_8.shtml",
    // 添加分账接收方 (wiki apiv3_partner chapter8_1_8): sub_mchid string[1,32], appid string[1,32], sub_appid
    // string[1,32], type string[1,32], account string[1,64], name string[1,1024] (加密); custom_relation 本字段最多10个字
    // (wechatpay-go AddReceiverRequest). relation_type: the 11 values wechatpay-go's ReceiverRelationType lists (as generated).
    // 应答 account, type, relation_type (no `omitempty`). 错误码 (wechatpay-go AddReceiver): RATELIMIT_EXCEED 429.
    errors: [],
    fields: {
      sub_mchid: { maxLength: 32 },
      appid: { maxLength: 32 },
      sub_appid: { maxLength: 32 },
      account: { maxLength: 64 },
      name: { maxLength: 1024 },
      custom_relation: { maxLength: 10 }
    },
    answer: { required: ["type", "account", "relation_type"] }
  },
  "POST /v3/profitsharing/receivers/delete": {
    page: "https://pay.weixin.qq.com/doc/v3/merchant/4012529590",
    // 删除分账接收方 (doc/v3/merchant/4012529590): appid 必填 string(32), type 必填, account 必填 string(64).
    // 应答 account, type (wechatpay-go DeleteReceiverResponse). 错误码 (wechatpay-go DeleteReceiver): RATELIMIT_EXCEED 429.
    errors: [],
    fields: {
      appid: { maxLength: 32 },
      account: { maxLength: 64 }
    },
    answer: { required: ["type", "account"] }
  },
  "GET /v3/profitsharing/bills": {
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012715572",
    // 申请分账账单 (doc/v3/partner/4012715572, doc/v3/merchant/4012529628): sub_mchid 选填 string(12), bill_date 必填
    // string(10) 格式YYYY-MM-DD, tar_type GZIP. 应答 download_url, hash_type (SHA1), hash_value (wechatpay-go
    // SplitBillResponse). 错误码 (wechatpay-go SplitBill): NO_STATEMENT_EXIST 400 账单文件不存在, RATELIMIT_EXCEED 429.
    errors: ["NoStatementExist"],
    fields: {
      sub_mchid: { maxLength: 12 },
      bill_date: { format: "date" }
    },
    answer: { required: ["download_url", "hash_type", "hash_value"] }
  },
  "GET /v3/profitsharing/merchant-configs/{sub_mchid}": {
    // 查询最大分账比例: 应答 sub_mchid, max_ratio (万分比) (wechatpay-go QueryMerchantRatioResponse, no `omitempty`).
    // 错误码 (wechatpay-go QueryMerchantRatio): RATELIMIT_EXCEED 429 商户发起查询的频率过高.
    errors: [],
    answer: { required: ["sub_mchid", "max_ratio"] }
  }
}
