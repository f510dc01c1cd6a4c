import type { OperationOverlay } from "../overlay.js"

/**
 * 商家券 / 消费卡 (busifavor, /v3/marketing/busifavor): the request rows of the official pages. Its three
 * curated endpoints (发放消费卡, the callbacks' POST and GET) are in codegen/curated.ts.
 */

export const marketingBusifavor: Readonly<Record<string, OperationOverlay>> = {
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
  }
}
