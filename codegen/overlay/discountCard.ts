import type { OperationOverlay } from "../overlay.js"

/**
 * 先享卡 (discount-card). The service went offline (the wiki pages, 2020); what follows is what those
 * pages and docs/wechatpay-v3.md (§4.1, §4.2) say. Its two curated endpoints are in codegen/curated.ts.
 */

/** `[0-9A-Za-z_\\-|*]`, the discount-card codes' alphabet (先享卡 docs). */
const CARD_CODE = "^[0-9A-Za-z_\\-|*]+$"

export const discountCard: Readonly<Record<string, OperationOverlay>> = {
  "POST /v3/discount-card/cards": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter6_3_1.shtml (预受理领卡请求: out_card_code string[1,32]
    // of 数字、大小写字母_-|*, card_template_id string[1,64], appid string[10,32], notify_url string[1,255])
    fields: {
      out_card_code: { minLength: 1, maxLength: 32, pattern: CARD_CODE },
      card_template_id: { minLength: 1, maxLength: 64 },
      appid: { minLength: 10, maxLength: 32 },
      notify_url: { minLength: 1, maxLength: 255 }
    }
  },
  "GET /v3/discount-card/cards/{out_card_code}": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter6_3_3.shtml (查询先享卡订单: out_card_code string[1,32])
    fields: { out_card_code: { minLength: 1, maxLength: 32, pattern: CARD_CODE } }
  },
  "GET /v3/discount-card/orders/{out_order_no}": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/payscore/discount-card/chapter3_1.shtml (通过先享卡订单号查询订单;
    // out_order_no 1..64 as in docs/wechatpay-v3.md §4.2). ORDER_NOT_EXIST was here before this pass; its table was not re-read.
    errors: ["OrderNotExist"],
    fields: { out_order_no: { minLength: 1, maxLength: 64 } }
  },
  "GET /v3/discount-card/orders/out-trade-no/{out_trade_no}": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/payscore/discount-card/chapter3_1.shtml (the same page, by out_trade_no).
    // ORDER_NOT_EXIST was here before this pass; its table was not re-read.
    errors: ["OrderNotExist"],
    fields: { out_trade_no: { minLength: 1, maxLength: 32 } }
  }
}
