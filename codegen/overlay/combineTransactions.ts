import type { FieldOverlay, OperationOverlay } from "../overlay.js"

/**
 * 合单支付 (combine-transactions): 合单下单 JSAPI / APP / H5 / Native, 个人收款 下单-小程序, 合单查询订单,
 * 合单关闭订单. The catalogue's operations serve 普通商户, 普通服务商 and 平台商户 alike; where the editions'
 * tables differ the looser bound is kept (子单 1-50 for 服务商 / 平台商户, 2-10 for 普通商户; 合单商户订单号
 * 最短2个字符 on the 平台商户 pages, 6~32 on the 服务商 / 普通商户 pages). The alphabet `_-|*` is that of the
 * current pages (the 2020-2022 wiki pages also allowed `@`; the 2025 APP page lists only `_-*`).
 */

/** 合单商户订单号 / 子单商户订单号: 只能是数字、大小写字母_-|* (current pages). */
const ORDER_NO = "^[0-9A-Za-z_\\-|*]+$"

/** What the four 合单下单 tables (JSAPI, APP, H5, Native) say alike; each entry adds what its own table says. */
const PREPAY_FIELDS: Readonly<Record<string, FieldOverlay>> = {
  combine_appid: { maxLength: 32 },
  combine_mchid: { maxLength: 32 },
  combine_out_trade_no: { minLength: 2, maxLength: 32, pattern: ORDER_NO },
  "scene_info.payer_client_ip": { maxLength: 45, format: "ip" },
  sub_orders: { minItems: 1, maxItems: 50 },
  "sub_orders.mchid": { maxLength: 32 },
  "sub_orders.attach": { maxLength: 128 },
  "sub_orders.out_trade_no": { minLength: 2, maxLength: 32, pattern: ORDER_NO },
  "sub_orders.sub_mchid": { maxLength: 32 },
  "sub_orders.amount.total_amount": { minimum: 1 },
  time_start: { format: "rfc3339" },
  time_expire: { format: "rfc3339" }
}

/** 合单关闭订单's 商品单订单号: 只能是数字、大小写字母_-|*@ (doc/v3/partner/4015973150). */
const CLOSE_ORDER_NO = "^[0-9A-Za-z_\\-|*@]+$"

export const combineTransactions: Readonly<Record<string, OperationOverlay>> = {
  "POST /v3/combine-transactions/jsapi": {
    page: "https://pay.weixin.qq.com/docs/partner/apis/ecommerce-combine-payment/mini-program-prepay.html",
    // 合单下单-JSAPI/小程序 (普通服务商 / 平台商户, POST /v3/combine-transactions/jsapi): combine_appid string(32),
    // combine_mchid string(32), combine_out_trade_no string(32) 最短2个字符,最长32个字符 只能是数字、大小写字母_-|*;
    // scene_info.device_id string(16), payer_client_ip string(45) IPv4/IPv6; sub_orders 最多支持商品单条数:50
    // (服务商 page pay.weixin.qq.com/docs/partner/products/combine-payment/apilist-jsapi.html: 1-50笔);
    // sub_orders.mchid string(32), attach string(128), out_trade_no string(32) 最短2个 _-|*, sub_mchid string(32),
    // detail string(6000), description string(127), sub_appid string(32), goods_tag string(32);
    // amount.total_amount 子单金额,单位为分; time_start / time_expire 按照rfc3339格式; notify_url string(255)
    // (合单下单-JSAPI, docs/partner/apis/combine-payment-identity/orders/jsapi-prepay.html) 不能携带参数, https.
    fields: {
      ...PREPAY_FIELDS,
      "scene_info.device_id": { maxLength: 16 },
      "sub_orders.detail": { maxLength: 6000 },
      "sub_orders.description": { maxLength: 127 },
      "sub_orders.sub_appid": { maxLength: 32 },
      "sub_orders.goods_tag": { maxLength: 32 },
      notify_url: { maxLength: 255, format: "https-url" }
    }
  },
  "POST /v3/combine-transactions/app": {
    page: "https://pay.weixin.qq.com/doc/v3/partner/4015973099",
    // 合单下单-APP (doc/v3/partner/4015973099, 普通服务商 / 平台商户): combine_appid string(32), combine_mchid string(32),
    // combine_out_trade_no string(32) 数字、大小写字母以及特殊符号_-*; sub_orders 最多支持子单条数:50; time_start /
    // time_expire 按照rfc3339格式; prepay_id 选填 string(64) (追加订单). 服务商 page
    // (docs/partner/products/combine-payment/apilist-app.html): scene_info.device_id string(16), payer_client_ip
    // string(45); 1-50笔子单; sub_orders.mchid string(32), attach string(128), out_trade_no string(32) _-|*, sub_mchid
    // string(32). Wiki chapter7_3_1 (电商平台 服务商): notify_url string[1,256] 不能携带参数; total_amount 单位为分.
    fields: {
      ...PREPAY_FIELDS,
      "scene_info.device_id": { maxLength: 16 },
      prepay_id: { maxLength: 64 },
      notify_url: { maxLength: 256, format: "https-url" }
    }
  },
  "POST /v3/combine-transactions/h5": {
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012760626",
    // 合单下单-H5 (doc/v3/partner/4012760626, 普通服务商 / 平台商户): combine_appid string(32), combine_mchid string(32),
    // combine_out_trade_no string(32) 最短2个字符,最长32个字符 _-|*; scene_info.payer_client_ip string(45),
    // device_id string(32); sub_orders 最多支持子单条数:50; sub_orders.mchid string(32), attach string(128),
    // out_trade_no string(32) 最短2个 _-|*, sub_mchid string(32), description string(128), goods_tag string(32).
    // Wiki chapter5_1_2: h5_info.type 枚举值 iOS / Android / Wap.
    fields: {
      ...PREPAY_FIELDS,
      "scene_info.device_id": { maxLength: 32 },
      "scene_info.h5_info.type": { enum: ["iOS", "Android", "Wap"] },
      "sub_orders.description": { maxLength: 128 },
      "sub_orders.goods_tag": { maxLength: 32 },
      notify_url: { format: "https-url" }
    }
  },
  "POST /v3/combine-transactions/native": {
    page: "https://pay.weixin.qq.com/docs/partner/apis/ecommerce-combine-payment/native-prepay.html",
    // 合单下单-NATIVE (普通服务商 / 平台商户): combine_appid string(32), combine_mchid string(32), combine_out_trade_no
    // string(32) 最短2个字符,最长32个字符 _-|*; sub_orders 最多支持子单条数:50; time_start / time_expire 按照rfc3339格式;
    // notify_url 必填 不能携带参数。必须使用https协议. 服务商 page (docs/partner/products/combine-payment/apilist-native.html):
    // device_id string(16), payer_client_ip string(45), sub_orders.mchid string(32), attach string(128),
    // out_trade_no string(32), sub_mchid string(32). Wiki chapter7_3_5: notify_url string[1,256].
    fields: {
      ...PREPAY_FIELDS,
      "scene_info.device_id": { maxLength: 16 },
      notify_url: { maxLength: 256, format: "https-url" }
    }
  },
  "POST /v3/combine-transactions/miniprogram": {
    page: "https://pay.weixin.qq.com/docs/merchant/apis/personal-collections/mini-program-prepay.html",
    // 个人收款 下单-小程序 (平台商户): combine_appid 必填 string(32), combine_mchid 必填 string(32), combine_out_trade_no
    // 必填 string(32) (its alphabet is garbled on the stored page: left out); sub_orders 最多支持商品单条数:10;
    // time_expire 按照rfc3339格式; notify_url 选填 string(255) (notify-url 注意事项: https, no query).
    fields: {
      combine_appid: { maxLength: 32 },
      combine_mchid: { maxLength: 32 },
      combine_out_trade_no: { maxLength: 32 },
      sub_orders: { maxItems: 10 },
      time_expire: { format: "rfc3339" },
      notify_url: { maxLength: 255, format: "https-url" }
    }
  },
  "GET /v3/combine-transactions/out-trade-no/{combine_out_trade_no}": {
    page: "https://pay.weixin.qq.com/docs/partner/apis/ecommerce-combine-payment/query-order.html",
    // 合单查询订单 (普通服务商 / 平台商户; doc/v3/partner/4015973142 the same): combine_out_trade_no path string(32)
    // 要求32个字符内,只能是数字、大小写字母_-|*; 应答 combine_appid 必填, combine_mchid 必填, combine_out_trade_no 必填,
    // combine_payer_info / sub_orders / scene_info 选填. Wiki chapter5_1_11: sub_orders.trade_type 枚举值 NATIVE /
    // JSAPI / APP / MWEB.
    fields: { combine_out_trade_no: { maxLength: 32, pattern: ORDER_NO } },
    answer: {
      required: ["combine_appid", "combine_mchid", "combine_out_trade_no"],
      enums: { "sub_orders.trade_type": ["NATIVE", "JSAPI", "APP", "MWEB"] }
    }
  },
  "POST /v3/combine-transactions/out-trade-no/{combine_out_trade_no}/close": {
    page: "https://pay.weixin.qq.com/doc/v3/partner/4015973150",
    // 合单关闭订单 (doc/v3/partner/4015973150, 普通服务商 / 平台商户): combine_out_trade_no path string(32); combine_appid
    // 必填 string(32); sub_orders 必填 (wiki chapter7_3_12: 最多支持子单条数:50); sub_orders.mchid 必填 string(32),
    // out_trade_no 必填 string(32) 只能是数字、大小写字母_-|*@, sub_mchid 选填 string(32), sub_appid 选填 string(32).
    // 应答 204. 业务错误码 (merchant edition docs/merchant/apis/combine-payment-identity/orders/close-order.html,
    // the table as far as it was read): 202 USER_PAYING, 400 APPID_MCHID_NOT_MATCH, 400 MCH_NOT_EXISTS,
    // 400 ORDER_CLOSED, 403 ACCOUNT_ERROR, 403 OUT_TRADE_NO_USED.
    // (202 USER_PAYING is a 2xx: the close endpoint answers it as success, no error class)
    errors: ["AppidMchidNotMatch", "MchNotExists", "OrderClosed", "AccountError", "OutTradeNoUsed"],
    fields: {
      combine_out_trade_no: { maxLength: 32 },
      combine_appid: { maxLength: 32 },
      sub_orders: { maxItems: 50 },
      "sub_orders.mchid": { maxLength: 32 },
      "sub_orders.out_trade_no": { maxLength: 32, pattern: CLOSE_ORDER_NO },
      "sub_orders.sub_mchid": { maxLength: 32 },
      "sub_orders.sub_appid": { maxLength: 32 }
    }
  }
}
