import type { OperationOverlay } from "../overlay.js"
import { IMAGE_TYPES, MB } from "./fileLimits.js"

/**
 * 营销 (marketing): where the catalogue's enums are copied from a neighbour and the official SDKs'
 * models (generated from WeChat Pay's own specs) say what the field takes.
 */

/** 指定派发对象 (支付有礼 advanced_setting): wechatpay-go services/giftactivity DeliveryUserCategory. */
const DELIVERY_USER_CATEGORY = ["DELIVERY_ALL_PERSON", "DELIVERY_MEMBER_PERSON"]

export const marketing: Readonly<Record<string, OperationOverlay>> = {
  "GET /v3/marketing/busifavor/stocks/{stock_id}/couponcodes": {
    // 查询商家券批次的预存 code (query status 券code状态): AVAILABLE 可用 / DISPATCHED 已发放 (wechatpay-go
    // services/merchantexclusivecoupon CouponCodeStatus, ListCouponCodesRequest.Status). The catalogue gives the
    // coupons' own states (SENDED, USED, EXPIRED, DELETED, DEACTIVATED), which are not a code's.
    fields: { status: { enum: ["AVAILABLE", "DISPATCHED"] } }
  },
  "POST /v3/marketing/favor/coupon-stocks": {
    // 创建代金券批次 pattern_info.background_color: COLOR010 … COLOR102 (wechatpay-go services/cashcoupons
    // BackgroundColor, the same in wechatpay-java cashcoupons). The catalogue shares 商家券's enum (Color010 …).
    fields: {
      "pattern_info.background_color": {
        enum: ["COLOR010", "COLOR020", "COLOR030", "COLOR040", "COLOR050", "COLOR060", "COLOR070", "COLOR080", "COLOR081", "COLOR082", "COLOR090", "COLOR100", "COLOR101", "COLOR102"]
      }
    }
  },
  "POST /v3/marketing/paygiftactivity/unique-threshold-activity": {
    // 创建全场满额送活动 advanced_setting.delivery_user_category: the catalogue points it at the award types
    // (BUSIFAVOR); wechatpay-go giftactivity DeliveryUserCategory has the two audiences.
    fields: { "advanced_setting.delivery_user_category": { enum: DELIVERY_USER_CATEGORY } }
  },
  "GET /v3/marketing/paygiftactivity/activities": {
    answer: { enums: { "data.advanced_setting.delivery_user_category": DELIVERY_USER_CATEGORY } }
  },
  "GET /v3/marketing/paygiftactivity/activities/{activity_id}": {
    answer: { enums: { "advanced_setting.delivery_user_category": DELIVERY_USER_CATEGORY } }
  },
  // 文件上传: the types and size limits each page gives its file
  "POST /v3/marketing/favor/media/image-upload": {
    required: { add: ["meta.filename"] },
    fields: { "meta.filename": { minLength: 1, maxLength: 128 } },
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter9_0_1.shtml (图片上传(营销专用): JPG、BMP、PNG, 2M)
    upload: { types: IMAGE_TYPES, maxBytes: 2 * MB }
  },
  "POST /v3/marketing/shopping-receipt/shoppingreceipts": {
    // the catalogue's field doc (上传电子小票: PNG、JPG, 200KB)
    upload: { types: ["png", "jpg"], maxBytes: 200 * 1024 }
  }
}
