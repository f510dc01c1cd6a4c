/** 会员卡开放 (membercard-open) wire schemas. */
import { Schema } from "effect"
import { BoundedString, PositiveInt } from "./common.js"

// ---- POST /v3/marketing/membercard-open/cards/{card_id}/codes/{code}/bonus/prepare → 204 ----

export interface PrepareBonusParams {
  readonly card_id: string
  /** The user's member card code. */
  readonly code: string
}
export const PrepareBonusParams: Schema.Schema<PrepareBonusParams> = Schema.Struct({
  card_id: BoundedString(1, 32),
  code: BoundedString(1, 32)
})

export interface PrepareBonusBody {
  readonly out_trade_no: string
  /** The direct merchant's own mchid. */
  readonly mchid: string
  /** Service-provider mode only. */
  readonly sub_mchid?: string | undefined
  readonly bonus_value: number
}
export const PrepareBonusBody: Schema.Schema<PrepareBonusBody> = Schema.Struct({
  out_trade_no: BoundedString(1, 32),
  mchid: BoundedString(1, 32),
  sub_mchid: Schema.optional(BoundedString(1, 32)),
  bonus_value: PositiveInt
})

/** The input of `MembercardOpen.prepareBonus`. */
export interface PrepareBonusRequest extends PrepareBonusParams, PrepareBonusBody {}
