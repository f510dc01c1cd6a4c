/**
 * Notification (callback) schemas: the envelope WeChat Pay posts, and the decrypted `resource`
 * of each event type of our product families. Resource structs keep unknown fields (WeChat adds
 * fields over time), so a new field never breaks a merchant's handler.
 */
import { Schema } from "effect"

const open = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const optionalString = Schema.optional(Schema.String)

export const EncryptedResource = Schema.Struct({
  algorithm: Schema.Literal("AEAD_AES_256_GCM"),
  ciphertext: Schema.String,
  associated_data: Schema.optional(Schema.String),
  nonce: Schema.String,
  original_type: optionalString
})

/** The JSON body of every v3 notification. */
export const Envelope = Schema.Struct({
  id: Schema.String,
  create_time: Schema.String,
  event_type: Schema.String,
  resource_type: Schema.String,
  summary: Schema.String,
  resource: EncryptedResource
})
export type Envelope = typeof Envelope.Type

// ---- resources ----

/** 先享卡 events (USER_ACCEPTED, AGREEMENT_ENDED, USER_PAID) share the card's fields. */
export const DiscountCardResource = Schema.Struct(
  {
    appid: optionalString,
    openid: optionalString,
    mchid: optionalString,
    card_id: optionalString,
    card_template_id: optionalString,
    out_card_code: optionalString,
    create_time: optionalString,
    state: optionalString,
    unfinished_reason: optionalString,
    total_amount: Schema.optional(Schema.Union(Schema.String, Schema.Number)),
    time_range: Schema.optional(Schema.Struct({ begin_time: optionalString, end_time: optionalString })),
    objectives: Schema.optional(Schema.Array(Schema.Struct({ objective_id: Schema.optional(Schema.Union(Schema.String, Schema.Number)) }, open))),
    rewards: Schema.optional(Schema.Array(Schema.Struct({ reward_id: Schema.optional(Schema.Union(Schema.String, Schema.Number)) }, open)))
  },
  open
)
export type DiscountCardResource = typeof DiscountCardResource.Type

/** 商家券 COUPON.SEND: a coupon (or consumption card) reached a user. */
export const CouponSendResource = Schema.Struct(
  {
    event_type: optionalString,
    coupon_code: optionalString,
    stock_id: optionalString,
    send_time: optionalString,
    openid: optionalString,
    unionid: optionalString,
    send_channel: Schema.String,
    send_merchant: Schema.String,
    attach_info: Schema.optional(
      Schema.Struct({
        transaction_id: optionalString,
        act_code: optionalString,
        hall_code: optionalString,
        hall_belong_mch_id: Schema.optional(Schema.Number),
        card_id: optionalString,
        code: optionalString,
        activity_id: optionalString
      }, open)
    )
  },
  open
)
export type CouponSendResource = typeof CouponSendResource.Type

/** 会员卡 MEMBERCARD.* events: a user took, activated or changed a member card. */
export const MemberCardResource = Schema.Struct(
  {
    event_type: optionalString,
    card_id: optionalString,
    code: optionalString,
    event_time: Schema.String,
    openid: Schema.String,
    unionid: optionalString
  },
  open
)
export type MemberCardResource = typeof MemberCardResource.Type

/**
 * 支付成功通知 TRANSACTION.SUCCESS: the paid transaction, as the query answers it. Typed for types
 * and presence only (a verified notification never fails on a length or an enum WeChat Pay adds).
 * https://pay.weixin.qq.com/doc/v3/merchant/4012791861
 */
export const TransactionResource = Schema.Struct(
  {
    appid: Schema.String,
    mchid: Schema.String,
    out_trade_no: Schema.String,
    transaction_id: Schema.String,
    trade_type: Schema.String,
    trade_state: Schema.String,
    trade_state_desc: Schema.String,
    bank_type: Schema.String,
    attach: optionalString,
    success_time: Schema.String,
    payer: Schema.Struct({ openid: optionalString }, open),
    amount: Schema.Struct(
      { total: Schema.Number, payer_total: Schema.optional(Schema.Number), currency: optionalString, payer_currency: optionalString },
      open
    ),
    scene_info: Schema.optional(Schema.Struct({ device_id: optionalString }, open)),
    promotion_detail: Schema.optional(Schema.Array(open))
  },
  open
)
export type TransactionResource = typeof TransactionResource.Type

/**
 * 退款结果通知 REFUND.SUCCESS / REFUND.ABNORMAL / REFUND.CLOSED: the refund as it ended
 * (`success_time` only on SUCCESS). https://pay.weixin.qq.com/doc/v3/merchant/4012791865
 */
export const RefundResource = Schema.Struct(
  {
    mchid: Schema.String,
    out_trade_no: Schema.String,
    transaction_id: Schema.String,
    out_refund_no: Schema.String,
    refund_id: Schema.String,
    refund_status: Schema.String,
    success_time: optionalString,
    user_received_account: Schema.String,
    amount: Schema.Struct(
      { total: Schema.Number, refund: Schema.Number, payer_total: Schema.Number, payer_refund: Schema.Number },
      open
    )
  },
  open
)
export type RefundResource = typeof RefundResource.Type

// ---- events: the envelope with its decrypted resource ----

const eventFields = {
  id: Schema.String,
  create_time: Schema.String,
  resource_type: Schema.String,
  summary: Schema.String
}

/** What WeChat Pay's envelope says of an event type: its `summary`, and its resource's `original_type` (also the AEAD associated data). */
export interface EventTypeFacts {
  readonly summary: string
  readonly originalType: string
}

const facts = new Map<string, EventTypeFacts>()

/**
 * An event type with its own schema, declared once: its name, resource and envelope facts. Each
 * event also gets `_tag` (its `event_type`, or `"Other"`): TypeScript cannot narrow a union
 * whose fallback member has `event_type: string`, but it narrows `_tag` perfectly.
 */
const event = <T extends string, R extends Schema.Schema.AnyNoContext>(type: T, resource: R, envelope: EventTypeFacts) => {
  facts.set(type, envelope)
  return Schema.Struct({ ...eventFields, event_type: Schema.Literal(type), resource }).pipe(Schema.attachPropertySignature("_tag", type))
}

export const DiscountCardUserAccepted = event("DISCOUNT_CARD.USER_ACCEPTED", DiscountCardResource, { summary: "先享卡用户领卡通知", originalType: "discount-card" })
export const DiscountCardAgreementEnded = event("DISCOUNT_CARD.AGREEMENT_ENDED", DiscountCardResource, { summary: "先享卡守约状态变化通知", originalType: "discount-card" })
export const DiscountCardUserPaid = event("DISCOUNT_CARD.USER_PAID", DiscountCardResource, { summary: "先享卡扣费状态通知", originalType: "discount-card" })
export const CouponSend = event("COUPON.SEND", CouponSendResource, { summary: "商家券用户领券通知", originalType: "busifavor" })
export const MemberCardAcceptCard = event("MEMBERCARD.ACCEPT_CARD", MemberCardResource, { summary: "会员卡领卡通知", originalType: "membercard" })
export const MemberCardActivateCard = event("MEMBERCARD.ACTIVATE_CARD", MemberCardResource, { summary: "会员卡激活通知", originalType: "membercard" })
export const MemberCardUsercardManage = event("MEMBERCARD.USERCARD_MANAGE", MemberCardResource, { summary: "会员卡信息变动通知", originalType: "membercard" })
export const TransactionSuccess = event("TRANSACTION.SUCCESS", TransactionResource, { summary: "支付成功", originalType: "transaction" })
export const RefundSuccess = event("REFUND.SUCCESS", RefundResource, { summary: "退款成功", originalType: "refund" })
export const RefundAbnormal = event("REFUND.ABNORMAL", RefundResource, { summary: "退款异常", originalType: "refund" })
export const RefundClosed = event("REFUND.CLOSED", RefundResource, { summary: "退款关闭", originalType: "refund" })

/** The event types with their own schema, in declaration order. */
export const knownEventTypes = [...facts.keys()] as ReadonlyArray<Exclude<NotificationEvent["_tag"], "Other">>

/** The envelope facts of a known event type. */
export const eventTypeFacts = (eventType: string): EventTypeFacts | undefined => facts.get(eventType)

/** Any other event type (`_tag: "Other"`): the decrypted resource as parsed JSON. */
export const OtherEvent = Schema.Struct({
  ...eventFields,
  event_type: Schema.String.pipe(Schema.filter((t) => !facts.has(t) || `${t} has its own schema`)),
  resource: Schema.Unknown
}).pipe(Schema.attachPropertySignature("_tag", "Other"))

export const NotificationEvent = Schema.Union(
  DiscountCardUserAccepted,
  DiscountCardAgreementEnded,
  DiscountCardUserPaid,
  CouponSend,
  MemberCardAcceptCard,
  MemberCardActivateCard,
  MemberCardUsercardManage,
  TransactionSuccess,
  RefundSuccess,
  RefundAbnormal,
  RefundClosed,
  OtherEvent
)
export type NotificationEvent = typeof NotificationEvent.Type
