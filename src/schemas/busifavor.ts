/** 商家券 / 消费卡 (busifavor) wire schemas. */
import { Schema } from "effect"
import { BoundedString, PatternString, Rfc3339 } from "./common.js"

// ---- POST /v3/marketing/busifavor/coupons/{card_id}/send → 200 (发放消费卡) ----

export const SendConsumptionCardRequest = Schema.Struct({
  /** path: 消费卡 card_id */
  card_id: BoundedString(1, 28),
  appid: BoundedString(1, 18),
  openid: BoundedString(1, 28),
  /** Idempotency key: letters and digits. */
  out_request_no: PatternString(1, 32, /^[0-9A-Za-z]+$/, "[0-9A-Za-z]"),
  /** Not earlier than 24 h before now (checked by WeChat Pay, not here: clocks differ). */
  send_time: Rfc3339
})
export type SendConsumptionCardRequest = typeof SendConsumptionCardRequest.Type

export const SendConsumptionCardResponse = Schema.Struct({
  card_code: BoundedString(1, 15)
})
export type SendConsumptionCardResponse = typeof SendConsumptionCardResponse.Type
