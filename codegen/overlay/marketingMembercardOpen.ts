import type { OperationOverlay } from "../overlay.js"

/**
 * 会员卡开放 (membercard-open, /v3/marketing/membercard-open): the request rows of the official pages.
 * Its curated endpoint (支付结果页展示会员积分, prepareBonus) is in codegen/curated.ts.
 */

export const marketingMembercardOpen: Readonly<Record<string, OperationOverlay>> = {
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
  }
}
