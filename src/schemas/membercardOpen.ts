/** 会员卡开放 (membercard-open) wire schemas. */
import { Schema } from "effect"
import { BoundedString, PositiveInt } from "./common.js"

// ---- POST /v3/marketing/membercard-open/cards/{card_id}/codes/{code}/bonus/prepare → 204 ----

export const PrepareBonusRequest = Schema.Struct({
  /** path */
  card_id: BoundedString(1, 32),
  /** path: the user's member card code */
  code: BoundedString(1, 32),
  out_trade_no: BoundedString(1, 32),
  /** The direct merchant's own mchid. */
  mchid: BoundedString(1, 32),
  /** Service-provider mode only. */
  sub_mchid: Schema.optional(BoundedString(1, 32)),
  bonus_value: PositiveInt
})
export type PrepareBonusRequest = typeof PrepareBonusRequest.Type
