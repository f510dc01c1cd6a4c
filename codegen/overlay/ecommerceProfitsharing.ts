import type { OperationOverlay } from "../overlay.js"

/**
 * 平台收付通（分账） (e-commerce profit sharing): 请求分账, 请求分账回退, 查询分账回退结果, 完结分账, 添加/删除分账接收方.
 * From the official pages (doc/v3/partner/4012691594, the apiv3 wiki's chapter7_4_3 and chapter7_4_7) and
 * wechatpay-java's service/ecommerceprofitsharing models where the pages' tables were not to be read.
 */

/** 商户分账单号 / 商户回退单号: 只能是数字、大小写字母_-|*@ (wechatpay-java CreateOrderRequest, CreateReturnOrderRequest, FinishOrderRequest). */
const ORDER_NO = "^[0-9A-Za-z_\\-|*@]+$"

export const ecommerceProfitsharing: Readonly<Record<string, OperationOverlay>> = {
  "POST /v3/ecommerce/profitsharing/orders": {
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012691594",
    // 请求分账 (doc/v3/partner/4012691594): 对同一笔订单最多能发起50次分账请求, 每次请求最多分给50个接收方;
    // out_order_no 只能是数字、大小写字母_-|*@ and receivers.amount 单位为分, 只能为整数 (wechatpay-java).
    fields: {
      out_order_no: { pattern: ORDER_NO },
      receivers: { maxItems: 50 },
      "receivers.amount": { minimum: 1 }
    }
  },
  "POST /v3/ecommerce/profitsharing/returnorders": {
    page: "https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter7_4_3.shtml",
    // 请求分账回退 (wiki apiv3_partner chapter7_4_3): sub_mchid string[1,32], order_id string[1,64] / out_order_no
    // string[1,64] 二选一 (微信分账单号和商户分账单号二选一填写), out_return_no string[1,64] (只能是数字、大小写字母_-|*@,
    // wechatpay-java CreateReturnOrderRequest), amount 单位为分.
    fields: {
      sub_mchid: { maxLength: 32 },
      order_id: { maxLength: 64 },
      out_order_no: { maxLength: 64 },
      out_return_no: { maxLength: 64, pattern: ORDER_NO },
      amount: { minimum: 1 }
    },
    rules: [{ rule: "atLeastOne", fields: ["order_id", "out_order_no"] }]
  },
  "GET /v3/ecommerce/profitsharing/returnorders": {
    page: "https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter7_4_3.shtml",
    // 查询分账回退结果: the numbers of 请求分账回退 (sub_mchid string[1,32]; order_id, out_order_no, out_return_no string[1,64]).
    fields: {
      sub_mchid: { maxLength: 32 },
      order_id: { maxLength: 64 },
      out_order_no: { maxLength: 64 },
      out_return_no: { maxLength: 64 }
    }
  },
  "POST /v3/ecommerce/profitsharing/finish-order": {
    // 完结分账: out_order_no 只能是数字、大小写字母_-|*@ (wechatpay-java FinishOrderRequest).
    fields: { out_order_no: { pattern: ORDER_NO } }
  },
  "POST /v3/ecommerce/profitsharing/receivers/add": {
    page: "https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter7_4_7.shtml",
    // 添加分账接收方 (wiki apiv3 chapter7_4_7): appid string[1,32], account string[1,64], name string[1,256],
    // encrypted_name string[1,10240]; relation_type string[1,32] 子商户与接收方的关系, 本字段值为枚举: SUPPLIER 供应商,
    // DISTRIBUTOR 分销商, SERVICE_PROVIDER 服务商, PLATFORM 平台, OTHERS 其他 (wechatpay-java AddReceiverRequest; the
    // catalogue put the receiver types MERCHANT_ID / PERSONAL_OPENID there).
    fields: {
      appid: { maxLength: 32 },
      account: { maxLength: 64 },
      name: { maxLength: 256 },
      encrypted_name: { maxLength: 10240 },
      relation_type: { enum: ["SUPPLIER", "DISTRIBUTOR", "SERVICE_PROVIDER", "PLATFORM", "OTHERS"] }
    }
  }
}
