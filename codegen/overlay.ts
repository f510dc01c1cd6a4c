/**
 * What the catalogue (vendor/wechatpay-openapi) does not say, or says wrongly, written by hand
 * from the official docs: the types of an overlay entry, the entries shared by several families,
 * and the list of files the generator reads (`overlaySources`). The generator
 * (codegen/generator/overlay.ts) checks every file against the catalogue on each run: an unknown
 * key, a field path or operation that matches nothing, or a code class src/errors/codes.ts does
 * not declare fails the generation, naming the file, the operation and the field.
 *
 * Keys are operations: `"METHOD /v3/path"`, the path as in the catalogue (placeholders included).
 *
 *   errors    extra code classes of src/errors/codes.ts the endpoint's page documents, added to
 *             `commonErrors`
 *   required  body fields (dotted paths, through arrays) to make required or optional
 *   upload    a multipart upload's accepted file types (extensions) and size limit in bytes, from its page
 *   fields    request fields (dotted paths from the flat input: path, query, header and body fields,
 *             through arrays): lengths in characters, a pattern (JavaScript RegExp source), an enum,
 *             a format, numeric bounds, array sizes
 *   rules     "one of" rules between body fields that the page's prose states
 *   answer    the page's 应答参数 table: fields always present, fields not in the answer, enums
 *   page      the official page the entry's facts come from
 *
 * Family files under codegen/overlay/ hold the entries written from the official pages, one file
 * per family; entries for one operation in two files are merged (a value given twice fails).
 * A curated operation (codegen/curated.ts) has no entry: its hand-written schemas hold its rows.
 */
import type { FieldRuleKind } from "../src/schemas/common.js"
import * as familyFiles from "./overlay/index.js"

/**
 * Formats a request string may be declared with: `https-url` (https://, no query string, as the
 * notify_url rows say), `url` (http or https), `rfc3339` (yyyy-MM-DDTHH:mm:ss+TIMEZONE), `date`
 * (yyyy-MM-DD), `ip` (IPv4 or IPv6).
 */
export type StringFormat = "https-url" | "url" | "rfc3339" | "date" | "ip"

export interface FieldOverlay {
  readonly maxLength?: number
  readonly minLength?: number
  readonly pattern?: string
  readonly enum?: ReadonlyArray<string>
  readonly format?: StringFormat
  /** Numbers the page types `int` (amounts in 分) where the catalogue says `number`. */
  readonly integer?: true
  /** Numbers: inclusive bounds (`total` ≥ 1). */
  readonly minimum?: number
  readonly maximum?: number
  /** Arrays: how many items. */
  readonly minItems?: number
  readonly maxItems?: number
}

/**
 * A rule between body fields the page's prose states (dotted paths; the paths' parent objects
 * must be the same): `exactlyOne` (one and only one of them), `atMostOne`, `atLeastOne`, or
 * `together` (all or none).
 */
export interface FieldRule {
  readonly rule: FieldRuleKind
  readonly fields: ReadonlyArray<string>
}

/** What the page's 应答参数 table says of the answer. */
export interface AnswerOverlay {
  /** Fields (dotted, through arrays) the table marks 必填: the answer always carries them. */
  readonly required?: ReadonlyArray<string>
  /** Fields the catalogue puts in the answer that the page and the official SDKs do not show there. */
  readonly remove?: ReadonlyArray<string>
  /** Documented values of answer fields (typed open: more may come). */
  readonly enums?: Readonly<Record<string, ReadonlyArray<string>>>
}

export interface OperationOverlay {
  /** The official page an entry's facts come from (pay.weixin.qq.com/doc/v3/…). */
  readonly page?: string
  readonly errors?: ReadonlyArray<string>
  readonly required?: { readonly add?: ReadonlyArray<string>; readonly remove?: ReadonlyArray<string> }
  readonly fields?: Readonly<Record<string, FieldOverlay>>
  readonly rules?: ReadonlyArray<FieldRule>
  readonly answer?: AnswerOverlay
  readonly upload?: { readonly types?: ReadonlyArray<string>; readonly maxBytes?: number }
}

const MB = 1024 * 1024
/** The image pages' formats: JPG (JPEG), BMP, PNG. */
const IMAGE_TYPES = ["jpg", "bmp", "png"]

/** `[0-9A-Za-z_\-|*]`, the discount-card codes' alphabet (先享卡 docs). */
const CARD_CODE = "^[0-9A-Za-z_\\-|*]+$"

// Error classes shared by several pages (their "业务错误码" tables in the current official docs,
// pay.weixin.qq.com/doc/v3/...): only the codes beyond `commonErrors`, one list per table.

/** 下单 (merchant JSAPI/APP/Native; the partner APP/H5/Native pages: the codes every verified 下单 table shares). */
const PREPAY_ERRORS = ["AppidMchidNotMatch", "MchNotExists", "OutTradeNoUsed"]
/** 查询订单 (by transaction_id or out_trade_no), merchant and partner. */
const QUERY_ORDER_ERRORS = ["MchNotExists", "RuleLimit", "TradeError", "OrderNotExist"]
/** 关闭订单, merchant and partner. */
const CLOSE_ORDER_ERRORS = ["MchNotExists", "RuleLimit", "TradeError"]
/** 申请交易账单 / 申请资金账单. */
const BILL_ERRORS = ["NoStatementExist", "StatementCreating"]

const seeded: Readonly<Record<string, OperationOverlay>> = {
  // ---- 先享卡 (discount-card) ---------------------------------------------------------------
  // The service went offline (the wiki pages, 2020); what follows is what those pages and
  // docs/wechatpay-v3.md (§4.1, §4.2) say; the two curated ones are in codegen/curated.ts.
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
  },

  // ---- 商家券 / 消费卡 (busifavor) -------------------------------------------------------------
  "POST /v3/marketing/busifavor/stocks": {
    // https://pay.weixin.qq.com/docs/partner/products/merchant-exclusive-coupon/apilist.html (创建商家券:
    // string(21)/(15)/(20)/(15)/(128); 字数上限 = characters)
    fields: {
      stock_name: { maxLength: 21 },
      belong_merchant: { maxLength: 15 },
      comment: { maxLength: 20 },
      goods_name: { maxLength: 15 },
      out_request_no: { maxLength: 128 }
    }
  },
  "GET /v3/marketing/busifavor/stocks/{stock_id}": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter9_2_2.shtml (查询商家券详情: stock_id string[1,20])
    fields: { stock_id: { minLength: 1, maxLength: 20 } }
  },
  "PATCH /v3/marketing/busifavor/stocks/{stock_id}": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter9_2_12.shtml (修改商家券基本信息: string[1,N]);
    // https://pay.weixin.qq.com/doc/v3/merchant/4015716868 (description string(1000), merchant_name string(16))
    fields: {
      stock_id: { minLength: 1, maxLength: 20 },
      "custom_entrance.mini_programs_info.mini_programs_appid": { minLength: 1, maxLength: 32 },
      "custom_entrance.mini_programs_info.mini_programs_path": { minLength: 1, maxLength: 128 },
      "custom_entrance.mini_programs_info.entrance_words": { minLength: 1, maxLength: 5 },
      "custom_entrance.mini_programs_info.guiding_words": { minLength: 1, maxLength: 6 },
      "custom_entrance.appid": { minLength: 1, maxLength: 32 },
      "custom_entrance.hall_id": { minLength: 1, maxLength: 64 },
      comment: { minLength: 1, maxLength: 20 },
      goods_name: { minLength: 1, maxLength: 15 },
      "display_pattern_info.description": { maxLength: 1000 },
      "display_pattern_info.merchant_name": { maxLength: 16 }
    }
  },
  "PATCH /v3/marketing/busifavor/stocks/{stock_id}/budget": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter9_2_11.shtml (修改批次预算: string[1,N])
    fields: {
      stock_id: { minLength: 1, maxLength: 20 },
      modify_budget_request_no: { minLength: 1, maxLength: 128 }
    }
  },
  "POST /v3/marketing/busifavor/stocks/{stock_id}/couponcodes": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter9_2_6.shtml (上传预存code: stock_id string[1,20],
    // each code 【1,32】, upload_request_no string[1,128]); https://pay.weixin.qq.com/docs/merchant/apis/
    // merchant-exclusive-coupon/busi-favor/upload-coupon-code.html (the code alphabet: 0-9 a-z A-Z, space, - _ \ / = |;
    // coupon_code_list 必填 there, the catalogue leaves it optional)
    required: { add: ["coupon_code_list"] },
    fields: {
      stock_id: { minLength: 1, maxLength: 20 },
      coupon_code_list: { minLength: 1, maxLength: 32, pattern: "^[0-9a-zA-Z _\\-\\\\/=|]+$" },
      upload_request_no: { minLength: 1, maxLength: 128 }
    }
  },
  "POST /v3/marketing/busifavor/coupons/use": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter9_2_3.shtml (核销用户券: string[1,N]);
    // https://pay.weixin.qq.com/docs/partner/apis/merchant-exclusive-coupon/coupon/use-coupon.html
    // (the current page: use_request_no string(128), the old one said [1,32])
    fields: {
      coupon_code: { minLength: 1, maxLength: 32 },
      stock_id: { minLength: 1, maxLength: 20 },
      appid: { minLength: 1, maxLength: 32 },
      use_time: { minLength: 1, maxLength: 32 },
      use_request_no: { minLength: 1, maxLength: 128 },
      openid: { minLength: 1, maxLength: 128 }
    }
  },
  "POST /v3/marketing/busifavor/coupons/associate": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3_partner/apis/chapter9_2_9.shtml (关联订单信息: string[1,N]; the
    // catalogue's coupon_code 8..15 and minLength 128 are wrong); the current page agrees on 128:
    // https://pay.weixin.qq.com/docs/partner/apis/merchant-exclusive-coupon/coupon/associate-trade-info.html
    fields: {
      stock_id: { minLength: 1, maxLength: 20 },
      coupon_code: { minLength: 1, maxLength: 32 },
      out_trade_no: { minLength: 1, maxLength: 128 },
      out_request_no: { minLength: 1, maxLength: 128 }
    }
  },
  "POST /v3/marketing/busifavor/coupons/disassociate": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter9_2_10.shtml (取消关联订单信息: string[1,N]; the
    // catalogue's coupon_code 8..15 and minLength 128 are wrong)
    fields: {
      stock_id: { minLength: 1, maxLength: 20 },
      coupon_code: { minLength: 1, maxLength: 32 },
      out_trade_no: { minLength: 1, maxLength: 128 },
      out_request_no: { minLength: 1, maxLength: 128 }
    }
  },
  "POST /v3/marketing/busifavor/coupons/return": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter9_2_13.shtml (申请退券: string[1,N])
    fields: {
      coupon_code: { minLength: 1, maxLength: 32 },
      stock_id: { minLength: 1, maxLength: 20 },
      return_request_no: { minLength: 1, maxLength: 128 }
    }
  },
  "GET /v3/marketing/busifavor/users/{openid}/coupons/{coupon_code}/appids/{appid}": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter9_2_5.shtml (查询用户单张券详情: string[1,N])
    fields: {
      coupon_code: { minLength: 1, maxLength: 32 },
      appid: { minLength: 1, maxLength: 32 },
      openid: { minLength: 1, maxLength: 128 }
    }
  },
  "POST /v3/marketing/busifavor/subsidy/pay-receipts": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter9_2_16.shtml (营销补差付款: string[min, max]; the pages'
    // string[28, 32] ids keep only their maximum here: a 28-character minimum is beyond what the schemas'
    // arbitraries generate, and the surface test samples every input)
    fields: {
      stock_id: { minLength: 1, maxLength: 20 },
      coupon_code: { minLength: 1, maxLength: 128 },
      transaction_id: { maxLength: 32 },
      payer_merchant: { minLength: 1, maxLength: 32 },
      payee_merchant: { minLength: 1, maxLength: 32 },
      description: { minLength: 1, maxLength: 1024 },
      out_subsidy_no: { minLength: 1, maxLength: 128 }
    }
  },
  "GET /v3/marketing/busifavor/subsidy/pay-receipts": {
    // https://pay.weixin.qq.com/doc/v3/partner/4017171346 (查询营销补差付款单列表: string[min, max])
    fields: {
      stock_id: { minLength: 1, maxLength: 20 },
      coupon_code: { minLength: 1, maxLength: 128 },
      out_subsidy_no: { minLength: 1, maxLength: 128 }
    }
  },
  "GET /v3/marketing/busifavor/subsidy/pay-receipts/{subsidy_receipt_id}": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4017147336 (查询营销补差付款单详情: string[28, 32], the maximum kept)
    fields: { subsidy_receipt_id: { maxLength: 32 } }
  },
  "POST /v3/marketing/busifavor/subsidy/return-receipts": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter9_2_17.shtml (营销补差回退: string[min, max]; string[28, 32]: the maximum kept)
    fields: {
      stock_id: { minLength: 1, maxLength: 20 },
      coupon_code: { minLength: 1, maxLength: 128 },
      transaction_id: { maxLength: 32 },
      refund_id: { maxLength: 32 },
      payer_merchant: { minLength: 1, maxLength: 32 },
      payee_merchant: { minLength: 1, maxLength: 32 },
      description: { minLength: 1, maxLength: 1024 },
      out_subsidy_return_no: { minLength: 1, maxLength: 128 }
    }
  },
  "GET /v3/marketing/busifavor/subsidy/return-receipts/{subsidy_return_receipt_id}": {
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter9_2_21.shtml (查询商家券营销补差回退单详情: string[28, 32], the maximum kept)
    fields: { subsidy_return_receipt_id: { maxLength: 32 } }
  },
  "POST /v3/marketing/busifavor/product-coupons/send": {
    // https://pay.weixin.qq.com/doc/v3/partner/4015595255 (向用户发放商品券)
    fields: {
      openid: { maxLength: 128 },
      appid: { maxLength: 32 },
      stock_id: { maxLength: 128 },
      out_request_no: { maxLength: 128 },
      member_card_id: { maxLength: 32 }
    }
  },
  "POST /v3/marketing/busifavor/coupons/deactivate": {
    // https://pay.weixin.qq.com/docs/merchant/apis/merchant-exclusive-coupon/coupon/deactivate-coupon.html (使券失效)
    fields: {
      deactivate_request_no: { maxLength: 128 },
      deactivate_reason: { maxLength: 64 }
    }
  },

  // ---- 会员卡开放 (membercard-open) -----------------------------------------------------------
  "GET /v3/marketing/membercard-open/cards/{card_id}": {
    // https://pay.weixin.qq.com/docs/merchant/apis/membership-card/member-card-base/get-member-card.html (查询会员卡模板信息)
    fields: { card_id: { maxLength: 32 } }
  },
  "PATCH /v3/marketing/membercard-open/cards/{card_id}": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-card-base/update-member-card.html (修改会员卡模板信息)
    fields: {
      card_id: { maxLength: 32 },
      appid: { maxLength: 32 },
      logo_url: { maxLength: 128 },
      title: { maxLength: 10 },
      background_picture_url: { maxLength: 128 },
      description: { maxLength: 500 },
      service_phone: { maxLength: 32 },
      init_level: { maxLength: 5 }
    }
  },
  "GET /v3/marketing/membercard-open/cards/{card_id}/codes/{code}": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-card-base/get-member-code-info.html (查询用户会员卡信息)
    fields: { card_id: { maxLength: 32 }, code: { maxLength: 32 } }
  },
  "PATCH /v3/marketing/membercard-open/cards/{card_id}/codes/{code}": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-card-base/update-member-code-info.html (修改用户会员卡信息;
    // its background_picture_url string(32) is left out: an image URL from 图片上传 is longer, and the GET page says 128)
    fields: {
      card_id: { maxLength: 32 },
      code: { maxLength: 32 },
      membership_number: { maxLength: 32 },
      level: { maxLength: 5 },
      out_request_no: { maxLength: 32 }
    }
  },
  "POST /v3/marketing/membercard-open/cards/{card_id}/codes/{code}/unavailable": {
    // https://pay.weixin.qq.com/docs/merchant/apis/membership-card/member-card-base/set-code-unavailable.html (作废用户会员卡)
    fields: { card_id: { maxLength: 32 }, code: { maxLength: 32 }, reason: { maxLength: 30 } }
  },
  "POST /v3/marketing/membercard-open/cards/{card_id}/codes/deposit": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-card-base/deposit-custom-code.html (导入会员Code: each code string(32))
    fields: { card_id: { maxLength: 32 }, code: { maxLength: 32 } }
  },
  "POST /v3/marketing/membercard-open/cards/{card_id}/users/import": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-card-base/import-user-member-card-by-openid.html (根据openid导入用户会员卡)
    fields: {
      card_id: { maxLength: 32 },
      openid: { maxLength: 128 },
      code: { maxLength: 32 },
      out_request_no: { maxLength: 128 }
    }
  },
  "POST /v3/marketing/membercard-open/cards/{card_id}/phone-membercard/import": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-card-base/import-user-member-card-by-phone-number.html (根据手机号导入用户会员卡)
    fields: {
      card_id: { maxLength: 32 },
      encrypted_phone_number: { maxLength: 512 },
      code: { maxLength: 32 },
      out_request_no: { maxLength: 32 }
    }
  },
  "GET /v3/marketing/membercard-open/cards": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4012547108 (查询会员卡模板列表: brand_id string(16), appid string(32))
    fields: { brand_id: { maxLength: 16 }, appid: { maxLength: 32 } }
  },
  "POST /v3/marketing/membercard-open/cards": {
    // https://pay.weixin.qq.com/docs/merchant/apis/membership-card/member-card-base/create-member-card.html (创建会员卡模板)
    fields: {
      appid: { maxLength: 32 },
      logo_url: { maxLength: 128 },
      title: { maxLength: 10 },
      background_picture_url: { maxLength: 128 },
      description: { maxLength: 500 },
      service_phone: { maxLength: 32 }
    }
  },
  "POST /v3/marketing/membercard-open/cards/{card_id}/qrcode": {
    // https://pay.weixin.qq.com/docs/merchant/apis/membership-card/member-card-invest/create-membership-card-qr-code.html (创建会员卡二维码)
    fields: {
      card_id: { maxLength: 32 },
      activate_url: { maxLength: 128 },
      activate_appid: { maxLength: 32 },
      activate_path: { maxLength: 128 },
      outer_str: { maxLength: 32 }
    }
  },
  "POST /v3/marketing/membercard-open/cards/{card_id}/permission-tokens": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-card-invest/merchant-pre-authorization.html
    // (商户预授权; activate_type's values AUTO_ACTIVATE / JUMP_ACTIVATE are given in prose only)
    fields: {
      card_id: { maxLength: 32 },
      activate_type: { enum: ["AUTO_ACTIVATE", "JUMP_ACTIVATE"] },
      activate_url: { maxLength: 128 },
      activate_appid: { maxLength: 32 },
      activate_path: { maxLength: 128 },
      outer_str: { maxLength: 32 }
    }
  },
  "POST /v3/marketing/membercard-open/cards/{card_id}/codes/{code}/activate": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-card-invest/activate-membership-card.html (激活会员卡(跳转型激活))
    fields: { card_id: { maxLength: 32 }, code: { maxLength: 32 }, membership_number: { maxLength: 32 } }
  },
  "GET /v3/marketing/membercard-open/cards/{card_id}/decrypt-code": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-card-invest/encrypted-code-decode.html (加密code解码)
    fields: { card_id: { maxLength: 32 }, encrypt_code: { maxLength: 128 } }
  },
  "POST /v3/marketing/membercard-open/cards/{card_id}/codes/{code}/bonus/commit": {
    // https://pay.weixin.qq.com/docs/merchant/apis/membership-card/member-service/set-member-card-rights.html (设置支付后展示的积分到账:
    // the direct merchant's body is out_trade_no, mchid, bonus_value; the catalogue makes sub_mchid required)
    required: { remove: ["sub_mchid"] },
    fields: {
      card_id: { maxLength: 32 },
      code: { maxLength: 32 },
      out_trade_no: { maxLength: 32 },
      mchid: { maxLength: 32 }
    }
  },
  "POST /v3/marketing/membercard-open/phonenumber-member/import": {
    // https://pay.weixin.qq.com/doc/v3/partner/4017171998 (导入加密手机号提醒会员领卡: string[1,512], string[1,128])
    fields: {
      encrypted_phone_number: { minLength: 1, maxLength: 512 },
      outer_str: { minLength: 1, maxLength: 128 }
    }
  },
  "GET /v3/marketing/membercard-open/phonenumber-member/search": {
    // https://pay.weixin.qq.com/doc/v3/partner/4017172062 (通过加密手机号查询会员领卡状态: string[1, 32], string[1, 512])
    fields: {
      card_id: { minLength: 1, maxLength: 32 },
      encrypted_phone_number: { minLength: 1, maxLength: 512 }
    }
  },
  "PATCH /v3/marketing/membercard-open/cards/{card_id}/rights": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-service/commit-member-bonus.html (设置会员卡模板权益项)
    fields: { card_id: { maxLength: 32 } }
  },
  "PATCH /v3/marketing/membercard-open/cards/{card_id}/codes/{code}/rights": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-service/set-user-card-rights.html (设置用户会员权益信息)
    fields: {
      card_id: { maxLength: 32 },
      code: { maxLength: 32 },
      out_request_no: { maxLength: 128 },
      member_price_word: { maxLength: 8 },
      fapiao_jump_word: { maxLength: 6 }
    }
  },
  "POST /v3/marketing/membercard-open/cards/{card_id}/upgrade": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-card-base/upgrade-member-card.html (老会员卡模板升级)
    fields: { card_id: { maxLength: 32 }, brand_id: { maxLength: 16 }, appid: { maxLength: 32 } }
  },
  "GET /v3/marketing/membercard-open/user/cards": {
    // https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-card-base/list-user-card.html (查询用户在品牌下所有会员卡)
    fields: { openid: { maxLength: 128 }, appid: { maxLength: 32 } }
  },

  // ---- 文件上传 (uploads): the types and size limits each page gives its file -------------------
  "POST /v3/merchant/media/upload": {
    required: { add: ["meta.filename"] },
    fields: { "meta.filename": { minLength: 1, maxLength: 128 } },
    // https://pay.weixin.qq.com/doc/v3/partner/4012760509 (图片上传: JPG、BMP、PNG, 2M)
    upload: { types: IMAGE_TYPES, maxBytes: 2 * MB }
  },
  "POST /v3/merchant/media/video_upload": {
    required: { add: ["meta.filename"] },
    fields: { "meta.filename": { minLength: 1, maxLength: 128 } },
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter2_1_2.shtml (视频上传: avi、wmv、mpeg、mp4、mov、mkv、flv、f4v、m4v、rmvb, 5M)
    upload: { types: ["avi", "wmv", "mpeg", "mp4", "mov", "mkv", "flv", "f4v", "m4v", "rmvb"], maxBytes: 5 * MB }
  },
  "POST /v3/marketing/favor/media/image-upload": {
    required: { add: ["meta.filename"] },
    fields: { "meta.filename": { minLength: 1, maxLength: 128 } },
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter9_0_1.shtml (图片上传(营销专用): JPG、BMP、PNG, 2M)
    upload: { types: IMAGE_TYPES, maxBytes: 2 * MB }
  },
  "POST /v3/merchant-service/images/upload": {
    required: { add: ["meta.filename"] },
    fields: { "meta.filename": { minLength: 1, maxLength: 128 } },
    // https://pay.weixin.qq.com/doc/v3/partner/4012467222 (商户上传反馈图片: jpg、bmp、png, 2M)
    upload: { types: IMAGE_TYPES, maxBytes: 2 * MB }
  },
  "POST /v3/marketing/shopping-receipt/shoppingreceipts": {
    // the catalogue's field doc (上传电子小票: PNG、JPG, 200KB)
    upload: { types: ["png", "jpg"], maxBytes: 200 * 1024 }
  },
  "POST /v3/new-tax-control-fapiao/fapiao-applications/upload-fapiao-file": {
    // the catalogue's field doc (上传电子发票文件: PDF、OFD, 2M)
    upload: { types: ["pdf", "ofd"], maxBytes: 2 * MB }
  },

  // ---- 基础支付 (pay), merchant ------------------------------------------------------------------
  "POST /v3/pay/transactions/jsapi": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4012525167 (JSAPI下单)
    errors: PREPAY_ERRORS
  },
  "POST /v3/pay/transactions/app": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4012525136 (APP下单)
    errors: PREPAY_ERRORS
  },
  "POST /v3/pay/transactions/h5": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4012525153 (H5下单: also 403 RULE_LIMIT)
    errors: [...PREPAY_ERRORS, "RuleLimit"]
  },
  "POST /v3/pay/transactions/native": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4012525171 (Native下单)
    errors: PREPAY_ERRORS
  },
  "GET /v3/pay/transactions/id/{transaction_id}": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4013070354 (微信支付订单号查询订单)
    errors: QUERY_ORDER_ERRORS
  },
  "GET /v3/pay/transactions/out-trade-no/{out_trade_no}": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4013070356 (商户订单号查询订单)
    errors: QUERY_ORDER_ERRORS
  },
  "POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close": {
    // https://pay.weixin.qq.com/doc/v3/merchant/4013070360 (关闭订单)
    errors: CLOSE_ORDER_ERRORS
  },

  // ---- 基础支付 (pay), partner (服务商) -----------------------------------------------------------
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
    ]
  },
  "POST /v3/pay/partner/transactions/app": {
    // https://pay.weixin.qq.com/doc/v3/partner/4012523526 (APP下单)
    errors: PREPAY_ERRORS
  },
  "POST /v3/pay/partner/transactions/h5": {
    // https://pay.weixin.qq.com/doc/v3/partner/4012523544 (H5下单)
    errors: PREPAY_ERRORS
  },
  "POST /v3/pay/partner/transactions/native": {
    // https://pay.weixin.qq.com/doc/v3/partner/4012523551 (Native下单)
    errors: PREPAY_ERRORS
  },
  "GET /v3/pay/partner/transactions/id/{transaction_id}": {
    // https://pay.weixin.qq.com/doc/v3/partner/4012738969 (微信支付订单号查询订单)
    errors: QUERY_ORDER_ERRORS
  },
  "GET /v3/pay/partner/transactions/out-trade-no/{out_trade_no}": {
    // pay.weixin.qq.com/doc/v3/partner, 商户订单号查询订单 (the same table as by transaction_id)
    errors: QUERY_ORDER_ERRORS
  },
  "POST /v3/pay/partner/transactions/out-trade-no/{out_trade_no}/close": {
    // https://pay.weixin.qq.com/doc/v3/partner/4012759669 (关闭订单)
    errors: CLOSE_ORDER_ERRORS
  },

  // ---- 退款 (refund) ---------------------------------------------------------------------------
  "POST /v3/refund/domestic/refunds": {
    // https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create.html (退款申请; MCH_NOT_EXISTS as 404)
    errors: ["NotEnough", "UserAccountAbnormal", "MchNotExists"]
  },
  "GET /v3/refund/domestic/refunds/{out_refund_no}": {
    // https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/query-by-out-refund-no.html (MCH_NOT_EXISTS as 404)
    errors: ["MchNotExists"]
  },
  "POST /v3/refund/domestic/refunds/{refund_id}/apply-abnormal-refund": {
    // https://pay.weixin.qq.com/docs/merchant/apis/refund/refunds/create-abnormal-refund.html
    // documents only common codes (RESOURCE_NOT_EXISTS for an unknown refund_id)
    errors: []
  },

  // ---- 账单 (bill) -----------------------------------------------------------------------------
  "GET /v3/bill/tradebill": {
    // https://pay.weixin.qq.com/docs/merchant/apis/bill-download/trade-bill/get-trade-bill.html
    errors: BILL_ERRORS
  },
  "GET /v3/bill/fundflowbill": {
    // https://pay.weixin.qq.com/docs/merchant/apis/bill-download/fund-bill/get-fund-bill.html
    errors: BILL_ERRORS
  }
}

/** One file of overlay entries, named for the generator's messages. */
export interface OverlaySource {
  /** Its path from the repository root. */
  readonly file: string
  readonly entries: Readonly<Record<string, OperationOverlay>>
}

/** Every overlay file the generator reads: this one, then each family file (its export is its file name). */
export const overlaySources: ReadonlyArray<OverlaySource> = [
  { file: "codegen/overlay.ts", entries: seeded },
  ...Object.entries(familyFiles as Readonly<Record<string, Readonly<Record<string, OperationOverlay>>>>).map(([name, entries]) => ({ file: `codegen/overlay/${name}.ts`, entries }))
]
