/** 商家券 / 消费卡 (busifavor) wire schemas. */
import { Schema } from "effect"
import { BoundedString, PatternString, Rfc3339, UrlString } from "./common.js"

// ---- POST /v3/marketing/busifavor/coupons/{card_id}/send → 200 (发放消费卡) ----

export interface SendConsumptionCardParams {
  /** 消费卡 card_id */
  readonly card_id: string
}
export const SendConsumptionCardParams: Schema.Schema<SendConsumptionCardParams> = Schema.Struct({
  card_id: BoundedString(1, 28)
})

export interface SendConsumptionCardBody {
  readonly appid: string
  readonly openid: string
  /** Idempotency key: letters and digits. */
  readonly out_request_no: string
  /** Not earlier than 24 h before now (checked by WeChat Pay, not here: clocks differ). */
  readonly send_time: string
}
export const SendConsumptionCardBody: Schema.Schema<SendConsumptionCardBody> = Schema.Struct({
  appid: BoundedString(1, 18),
  openid: BoundedString(1, 28),
  out_request_no: PatternString(1, 32, /^[0-9A-Za-z]+$/, "[0-9A-Za-z]"),
  send_time: Rfc3339
})

/** The input of `Busifavor.sendConsumptionCard`. */
export interface SendConsumptionCardRequest extends SendConsumptionCardParams, SendConsumptionCardBody {}

export interface SendConsumptionCardResponse {
  readonly card_code: string
}
export const SendConsumptionCardResponse: Schema.Schema<SendConsumptionCardResponse> = Schema.Struct({
  card_code: BoundedString(1, 15)
})

// ---- POST /v3/marketing/busifavor/callbacks → 200 (设置商家券事件通知地址) ----

export interface SetCallbacksBody {
  /** The calling merchant's mchid (optional: WeChat Pay takes it from the signature). */
  readonly mchid?: string | undefined
  /** Absolute http(s) URL, at most 256 characters. */
  readonly notify_url: string
}
export const SetCallbacksBody: Schema.Schema<SetCallbacksBody> = Schema.Struct({
  mchid: Schema.optional(BoundedString(1, 32)),
  notify_url: UrlString(1, 256, "any")
})

export interface SetCallbacksResponse {
  readonly update_time: string
  readonly notify_url: string
  readonly mchid: string
}
export const SetCallbacksResponse: Schema.Schema<SetCallbacksResponse> = Schema.Struct({
  update_time: Schema.String,
  notify_url: Schema.String,
  mchid: Schema.String
})

// ---- GET /v3/marketing/busifavor/callbacks?mchid= → 200 (查询商家券事件通知地址) ----

export interface GetCallbacksQuery {
  readonly mchid: string
}
export const GetCallbacksQuery: Schema.Schema<GetCallbacksQuery> = Schema.Struct({
  mchid: BoundedString(1, 32)
})

export interface GetCallbacksResponse {
  readonly notify_url: string
  readonly mchid: string
}
export const GetCallbacksResponse: Schema.Schema<GetCallbacksResponse> = Schema.Struct({
  notify_url: Schema.String,
  mchid: Schema.String
})
