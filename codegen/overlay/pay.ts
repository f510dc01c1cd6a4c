import type { FieldOverlay, OperationOverlay } from "../overlay.js"

/**
 * 基础支付, merchant (直连商户) edition (/v3/pay/transactions): JSAPI / APP / H5 / Native 下单, 查询订单
 * (by transaction_id and by out_trade_no), 关闭订单. From the official merchant pages
 * (pay.weixin.qq.com/doc/v3/merchant/…: the same request rows as the partner edition, with appid / mchid
 * for sp_appid / sp_mchid / sub_appid / sub_mchid) and wechatpay-go's services/payments models
 * (jsapi / app / h5 / native PrepayRequest, Amount, Payer, SceneInfo, StoreInfo, H5Info, GoodsDetail;
 * services/payments Transaction, TransactionAmount, TransactionPayer), and the error
 * classes each page's 业务错误码 table documents.
 */

// Error classes shared by several pages (their "业务错误码" tables in the current official docs,
// pay.weixin.qq.com/doc/v3/...): only the codes beyond `commonErrors`, one list per table.

/** 下单 (merchant JSAPI/APP/Native; the partner APP/H5/Native pages: the codes every verified 下单 table shares). */
const PREPAY_ERRORS = ["AppidMchidNotMatch", "MchNotExists", "OutTradeNoUsed"]
/** 查询订单 (by transaction_id or out_trade_no), merchant and partner. */
const QUERY_ORDER_ERRORS = ["MchNotExists", "RuleLimit", "TradeError", "OrderNotExist"]
/** 关闭订单, merchant and partner. */
const CLOSE_ORDER_ERRORS = ["MchNotExists", "RuleLimit", "TradeError"]

/** 商户订单号: 6-32 个字符, 只能是数字、大小写字母_-|* (the 下单 pages' out_trade_no row). */
const OUT_TRADE_NO = "^[0-9A-Za-z_\\-|*]+$"

/**
 * The 下单 request rows the four merchant pages share: appid / mchid string(32); description string(127);
 * out_trade_no string(32) 6-32 个字符 数字、大小写字母_-|*; time_expire rfc3339 (yyyy-MM-DDTHH:mm:ss+TIMEZONE;
 * wechatpay-go: 订单失效时间，格式为rfc3339格式); attach string(128); notify_url string(255), 直接可访问的 https
 * 地址, 不能携带参数 (wechatpay-go: 有效性 1. HTTPS 2. 不允许携带查询串); goods_tag string(32); amount.total
 * integer 订单总金额 单位为分 (at least 1 分); amount.currency string(16) CNY (境内商户号仅支持人民币); detail.invoice_id string(32);
 * detail.goods_detail: merchant_goods_id string(32) 由半角的大小写字母、数字、中划线、下划线中的一种或几种组成,
 * wechatpay_goods_id string(32), goods_name string(256), quantity 用户购买的数量; scene_info.payer_client_ip
 * string(45) IPv4/IPv6; scene_info.device_id string(32); scene_info.store_info: id string(32), name string(256),
 * area_code string(32), address string(512).
 *
 * notify_url's https rule lets plain http through on a loopback host only (src/schemas/common.ts UrlString):
 * the sandbox can call it back, WeChat Pay never could.
 */
const PREPAY_FIELDS: Readonly<Record<string, FieldOverlay>> = {
  appid: { maxLength: 32 },
  mchid: { maxLength: 32 },
  description: { maxLength: 127 },
  out_trade_no: { minLength: 6, maxLength: 32, pattern: OUT_TRADE_NO },
  time_expire: { format: "rfc3339" },
  attach: { maxLength: 128 },
  notify_url: { maxLength: 255, format: "https-url" },
  goods_tag: { maxLength: 32 },
  "amount.total": { minimum: 1 },
  "amount.currency": { maxLength: 16, enum: ["CNY"] },
  "detail.invoice_id": { maxLength: 32 },
  "detail.goods_detail.merchant_goods_id": { maxLength: 32, pattern: "^[0-9A-Za-z_\\-]+$" },
  "detail.goods_detail.wechatpay_goods_id": { maxLength: 32 },
  "detail.goods_detail.goods_name": { maxLength: 256 },
  "detail.goods_detail.quantity": { minimum: 1 },
  "scene_info.payer_client_ip": { maxLength: 45, format: "ip" },
  "scene_info.device_id": { maxLength: 32 },
  "scene_info.store_info.id": { maxLength: 32 },
  "scene_info.store_info.name": { maxLength: 256 },
  "scene_info.store_info.area_code": { maxLength: 32 },
  "scene_info.store_info.address": { maxLength: 512 }
}

/**
 * scene_info's rows: payer_client_ip 必填 within scene_info; store_info.id 必填, name / area_code / address
 * 选填 (wechatpay-go payments SceneInfo.PayerClientIp and StoreInfo.Id without omitempty, the other three
 * with it). The catalogue has store_info the other way round.
 */
const SCENE_REQUIRED = {
  add: ["scene_info.payer_client_ip", "scene_info.store_info.id"],
  remove: ["scene_info.store_info.name", "scene_info.store_info.area_code", "scene_info.store_info.address"]
} as const

/**
 * The H5下单 rows beyond PREPAY_FIELDS (merchant and partner pages alike): scene_info.h5_info 必填 object:
 * type 必填 string(32) 场景类型 iOS / Android / Wap, app_name 选填 string(64), app_url 选填 string(128),
 * bundle_id 选填 string(128), package_name 选填 string(128); scene_info.payer_client_ip 必填 (wechatpay-go h5
 * SceneInfo: PayerClientIp and H5Info without omitempty; H5Info.Type likewise).
 */
const H5_FIELDS: Readonly<Record<string, FieldOverlay>> = {
  "scene_info.h5_info.type": { maxLength: 32, enum: ["iOS", "Android", "Wap"] },
  "scene_info.h5_info.app_name": { maxLength: 64 },
  "scene_info.h5_info.app_url": { maxLength: 128 },
  "scene_info.h5_info.bundle_id": { maxLength: 128 },
  "scene_info.h5_info.package_name": { maxLength: 128 }
}

const H5_REQUIRED = {
  add: ["scene_info.payer_client_ip", "scene_info.store_info.id", "scene_info.h5_info", "scene_info.h5_info.type"],
  remove: SCENE_REQUIRED.remove
} as const

/**
 * 查询订单 应答 (the same table by transaction_id and by out_trade_no): appid, mchid, out_trade_no,
 * trade_state and trade_state_desc 必填; transaction_id (支付成功后才有), trade_type, bank_type, attach,
 * success_time (支付成功时返回), payer, amount, scene_info, promotion_detail 选填. The catalogue copies the
 * 下单 request into the answer: description, time_expire, notify_url, goods_tag, limit_pay, support_fapiao,
 * detail and scene_info's payer_client_ip / store_info are neither on the page's 应答 table nor in
 * wechatpay-go's payments Transaction (amount, appid, attach, bank_type, mchid, out_trade_no, payer,
 * promotion_detail, success_time, trade_state, trade_state_desc, trade_type, transaction_id; the page
 * adds scene_info.device_id).
 */
const QUERY_ANSWER_REMOVE = [
  "description",
  "time_expire",
  "notify_url",
  "goods_tag",
  "limit_pay",
  "support_fapiao",
  "detail",
  "scene_info.payer_client_ip",
  "scene_info.store_info"
] as const

const QUERY_ANSWER = {
  required: ["appid", "mchid", "out_trade_no", "trade_state", "trade_state_desc"],
  remove: QUERY_ANSWER_REMOVE,
  enums: {
    // 交易类型: JSAPI 公众号支付 / NATIVE 扫码支付 / APP / MICROPAY 付款码支付 / MWEB H5支付 / FACEPAY 刷脸支付
    trade_type: ["JSAPI", "NATIVE", "APP", "MICROPAY", "MWEB", "FACEPAY"],
    // 交易状态: SUCCESS 支付成功 / REFUND 转入退款 / NOTPAY 未支付 / CLOSED 已关闭 / REVOKED 已撤销（仅付款码支付会返回）/
    // USERPAYING 用户支付中（仅付款码支付会返回）/ PAYERROR 支付失败（仅付款码支付会返回）; ACCEPT 已接收，等待扣款
    // (wechatpay-java service/payments/model Transaction.TradeStateEnum)
    trade_state: ["SUCCESS", "REFUND", "NOTPAY", "CLOSED", "REVOKED", "USERPAYING", "PAYERROR", "ACCEPT"]
  }
} as const

/**
 * The partner (服务商) 下单 rows: the merchant pages' rows (PREPAY_FIELDS) with the four ids for appid /
 * mchid: sp_appid, sp_mchid, sub_appid (选填), sub_mchid, each string(32) (the partner JSAPI/APP/H5/Native pages
 * cited below; wechatpay-go services/partnerpayments PrepayRequest), settle_info.profit_sharing
 * boolean, and for JSAPI payer.sp_openid / payer.sub_openid string(128) 用户在服务商appid / 子商户appid下的唯一标识
 * (二选一: wechatpay-go partnerpayments jsapi Payer, both omitempty).
 */
const PARTNER_PREPAY_FIELDS: Readonly<Record<string, FieldOverlay>> = {
  ...Object.fromEntries(Object.entries(PREPAY_FIELDS).filter(([k]) => k !== "appid" && k !== "mchid")),
  sp_appid: { maxLength: 32 },
  sp_mchid: { maxLength: 32 },
  sub_appid: { maxLength: 32 },
  sub_mchid: { maxLength: 32 }
}

/**
 * 查询订单 应答, partner edition: wechatpay-go services/partnerpayments Transaction (amount, sp_appid, sub_appid,
 * sp_mchid, sub_mchid, attach, bank_type, out_trade_no, payer, promotion_detail, success_time, trade_state,
 * trade_state_desc, trade_type, transaction_id) and wechatpay-java service/partnerpayments/model Transaction: the
 * catalogue copies the 下单 request into this answer too (QUERY_ANSWER_REMOVE, and settle_info). scene_info stays
 * (the 查询订单 table's scene_info.device_id).
 */
const PARTNER_QUERY_ANSWER = {
  remove: [...QUERY_ANSWER_REMOVE, "settle_info"],
  enums: QUERY_ANSWER.enums
} as const

export const pay: Readonly<Record<string, OperationOverlay>> = {
  "POST /v3/pay/transactions/jsapi": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4012525167 (JSAPI下单)
    errors: PREPAY_ERRORS,
    page: "https://pay.weixin.qq.com/doc/v3/merchant/4012525167",
    // JSAPI下单: the rows of PREPAY_FIELDS; payer 必填 object, payer.openid 必填 string(128) 用户在商户appid下的
    // 唯一标识. 应答: prepay_id 必填 string(64).
    fields: { ...PREPAY_FIELDS, "payer.openid": { maxLength: 128 } },
    // payer.openid 必填 on the page (wechatpay-go's jsapi Payer marks it omitempty)
    required: { add: ["payer.openid", ...SCENE_REQUIRED.add], remove: SCENE_REQUIRED.remove },
    answer: { required: ["prepay_id"] }
  },
  "POST /v3/pay/transactions/app": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4012525136 (APP下单)
    errors: PREPAY_ERRORS,
    page: "https://pay.weixin.qq.com/doc/v3/merchant/4012525136",
    // APP下单: the rows of PREPAY_FIELDS (appid is the 移动应用 appid). 应答: prepay_id 必填 string(64).
    fields: PREPAY_FIELDS,
    required: SCENE_REQUIRED,
    answer: { required: ["prepay_id"] }
  },
  "POST /v3/pay/transactions/h5": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4012525153 (H5下单: also 403 RULE_LIMIT)
    errors: [...PREPAY_ERRORS, "RuleLimit"],
    page: "https://pay.weixin.qq.com/doc/v3/merchant/4012525153",
    // H5下单: the rows of PREPAY_FIELDS and H5_FIELDS; scene_info 必填 object. 应答: h5_url 必填 string(512).
    fields: { ...PREPAY_FIELDS, ...H5_FIELDS },
    required: H5_REQUIRED,
    answer: { required: ["h5_url"] }
  },
  "POST /v3/pay/transactions/native": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4012525171 (Native下单)
    errors: PREPAY_ERRORS,
    page: "https://pay.weixin.qq.com/doc/v3/merchant/4012791877",
    // Native下单 (the stored page: appid / mchid 必填 string(32), description 必填 string(127) 不能超过127个字符,
    // out_trade_no 必填 string(32) 6-32个字符内 只能是数字、大小写字母_-|*, time_expire 选填 rfc3339): the rows of
    // PREPAY_FIELDS. 应答: code_url 必填 string(64).
    fields: PREPAY_FIELDS,
    required: SCENE_REQUIRED,
    answer: { required: ["code_url"] }
  },
  "GET /v3/pay/transactions/id/{transaction_id}": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4013070354 (微信支付订单号查询订单)
    errors: QUERY_ORDER_ERRORS,
    page: "https://pay.weixin.qq.com/doc/v3/merchant/4013070354",
    // 微信支付订单号查询订单: path transaction_id 必填 string(32); query mchid 必填 string(32). 应答: QUERY_ANSWER
    // (the catalogue's answer here has no payer / promotion_detail: nothing to add them to).
    fields: { transaction_id: { maxLength: 32 }, mchid: { maxLength: 32 } },
    answer: QUERY_ANSWER
  },
  "GET /v3/pay/transactions/out-trade-no/{out_trade_no}": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4013070356 (商户订单号查询订单)
    errors: QUERY_ORDER_ERRORS,
    page: "https://pay.weixin.qq.com/doc/v3/merchant/4013070356",
    // 商户订单号查询订单: path out_trade_no 必填 string(32) 商户下单时传入的商户系统内部订单号 (the 下单 alphabet);
    // query mchid 必填 string(32) 商户下单时传入的商户号. 应答: QUERY_ANSWER.
    fields: { out_trade_no: { maxLength: 32, pattern: OUT_TRADE_NO }, mchid: { maxLength: 32 } },
    answer: QUERY_ANSWER
  },
  "POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4013070360 (关闭订单)
    errors: CLOSE_ORDER_ERRORS,
    page: "https://pay.weixin.qq.com/doc/v3/merchant/4013070360",
    // 关闭订单: path out_trade_no 必填 string(32) (the 下单 alphabet); body mchid 必填 string(32). 应答: 204 No Content.
    fields: { out_trade_no: { maxLength: 32, pattern: OUT_TRADE_NO }, mchid: { maxLength: 32 } }
  },
  "POST /v3/pay/partner/transactions/jsapi": {
    // https://pay.weixin.qq.com/doc/v3/partner/4012523579 (JSAPI下单: the longer partner table)
    errors: [
      ...PREPAY_ERRORS,
      "OrderClosed",
      "AccountError",
      "RuleLimit",
      "TradeError",
      "OrderNotExist",
      "BankError",
      "InvalidTransactionid",
      "OpenidMismatch"
    ],
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012523579",
    // JSAPI下单 (partner): PARTNER_PREPAY_FIELDS; 应答 prepay_id 必填 string(64).
    fields: { ...PARTNER_PREPAY_FIELDS, "payer.sp_openid": { maxLength: 128 }, "payer.sub_openid": { maxLength: 128 } },
    rules: [{ rule: "atLeastOne", fields: ["payer.sp_openid", "payer.sub_openid"] }],
    required: SCENE_REQUIRED,
    answer: { required: ["prepay_id"] }
  },
  "POST /v3/pay/partner/transactions/app": {
    // https://pay.weixin.qq.com/doc/v3/partner/4012523526 (APP下单)
    errors: PREPAY_ERRORS,
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012523526",
    // APP下单 (partner): PARTNER_PREPAY_FIELDS; 应答 prepay_id 必填 string(64).
    fields: PARTNER_PREPAY_FIELDS,
    required: SCENE_REQUIRED,
    answer: { required: ["prepay_id"] }
  },
  "POST /v3/pay/partner/transactions/h5": {
    // https://pay.weixin.qq.com/doc/v3/partner/4012523544 (H5下单)
    errors: PREPAY_ERRORS,
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012523544",
    // H5下单 (partner): PARTNER_PREPAY_FIELDS and H5_FIELDS; 应答 h5_url 必填 string(512).
    fields: { ...PARTNER_PREPAY_FIELDS, ...H5_FIELDS },
    required: H5_REQUIRED,
    answer: { required: ["h5_url"] }
  },
  "POST /v3/pay/partner/transactions/native": {
    // https://pay.weixin.qq.com/doc/v3/partner/4012523551 (Native下单)
    errors: PREPAY_ERRORS,
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012523551",
    // Native下单 (partner): PARTNER_PREPAY_FIELDS; 应答 code_url 必填 string(64).
    fields: PARTNER_PREPAY_FIELDS,
    required: SCENE_REQUIRED,
    answer: { required: ["code_url"] }
  },
  "GET /v3/pay/partner/transactions/id/{transaction_id}": {
    // https://pay.weixin.qq.com/doc/v3/partner/4012738969 (微信支付订单号查询订单)
    errors: QUERY_ORDER_ERRORS,
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012738969",
    // 微信支付订单号查询订单 (partner): path transaction_id string(32); query sp_mchid / sub_mchid string(32).
    fields: { transaction_id: { maxLength: 32 }, sp_mchid: { maxLength: 32 }, sub_mchid: { maxLength: 32 } },
    answer: PARTNER_QUERY_ANSWER
  },
  "GET /v3/pay/partner/transactions/out-trade-no/{out_trade_no}": {
    // pay.weixin.qq.com/doc/v3/partner, 商户订单号查询订单 (the same table as by transaction_id)
    errors: QUERY_ORDER_ERRORS,
    // 商户订单号查询订单 (partner; the same table as by transaction_id): path out_trade_no string(32) of the 下单
    // alphabet; query sp_mchid / sub_mchid string(32).
    fields: { out_trade_no: { maxLength: 32, pattern: OUT_TRADE_NO }, sp_mchid: { maxLength: 32 }, sub_mchid: { maxLength: 32 } },
    answer: PARTNER_QUERY_ANSWER
  },
  "POST /v3/pay/partner/transactions/out-trade-no/{out_trade_no}/close": {
    // https://pay.weixin.qq.com/doc/v3/partner/4012759669 (关闭订单)
    errors: CLOSE_ORDER_ERRORS,
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012759669",
    // 关闭订单 (partner): path out_trade_no string(32) (the 下单 alphabet); body sp_mchid / sub_mchid string(32).
    fields: { out_trade_no: { maxLength: 32, pattern: OUT_TRADE_NO }, sp_mchid: { maxLength: 32 }, sub_mchid: { maxLength: 32 } }
  }
}
