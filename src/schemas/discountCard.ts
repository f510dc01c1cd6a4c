/** 先享卡 (discount card) wire schemas. Field names and limits as in the WeChat Pay docs. */
import { Schema } from "effect"
import { BoundedString, ChangeType, Fen, NoFourByteString, NumericId, PatternString, PositiveInt, Rfc3339, Int } from "./common.js"

// ---- POST /v3/discount-card/cards/{out_card_code}/add-user-records → 204 ----

export const ObjectiveCompletionRecord = Schema.Struct({
  objective_completion_serial_no: BoundedString(1, 32),
  objective_id: BoundedString(1, 32),
  completion_time: Rfc3339,
  completion_type: ChangeType,
  description: BoundedString(1, 20),
  completion_count: PositiveInt,
  remark: Schema.optional(BoundedString(1, 50))
})
export type ObjectiveCompletionRecord = typeof ObjectiveCompletionRecord.Type

export const RewardUsageRecord = Schema.Struct({
  reward_usage_serial_no: BoundedString(1, 32),
  reward_id: BoundedString(1, 32),
  usage_time: Rfc3339,
  usage_type: ChangeType,
  description: BoundedString(1, 20),
  usage_count: PositiveInt,
  amount: Fen,
  remark: Schema.optional(BoundedString(1, 50))
})
export type RewardUsageRecord = typeof RewardUsageRecord.Type

export const AddUserRecordsRequest = Schema.Struct({
  /** path: 商户领卡号 */
  out_card_code: PatternString(1, 32, /^[0-9A-Za-z_\-|*]+$/, "[0-9A-Za-z_-|*]"),
  card_template_id: BoundedString(1, 64),
  /** The docs allow at most one record per call. */
  objective_completion_records: Schema.optional(Schema.Array(ObjectiveCompletionRecord).pipe(Schema.maxItems(1))),
  reward_usage_records: Schema.optional(Schema.Array(RewardUsageRecord))
})
export type AddUserRecordsRequest = typeof AddUserRecordsRequest.Type

// ---- PATCH /v3/discount-card/orders/{out_order_no} → 200 ----

export const OrderObjective = Schema.Struct({
  objective_serial_no: BoundedString(1, 32),
  objective_id: NumericId,
  count: Int,
  performance_time: Rfc3339,
  performance_description: NoFourByteString.pipe(Schema.minLength(1)),
  performance_type: ChangeType,
  remark: Schema.optional(NoFourByteString)
})
export type OrderObjective = typeof OrderObjective.Type

export const OrderReward = Schema.Struct({
  reward_serial_no: BoundedString(1, 32),
  reward_id: NumericId,
  count: Int,
  amount: Schema.Int.pipe(Schema.nonNegative()),
  reward_time: Rfc3339,
  description: NoFourByteString.pipe(Schema.minLength(1)),
  reward_type: ChangeType,
  remark: Schema.optional(NoFourByteString)
})
export type OrderReward = typeof OrderReward.Type

export const UpdateOrderRequest = Schema.Struct({
  /** path: 商户先享卡订单号 */
  out_order_no: BoundedString(1, 64),
  objectives: Schema.optional(Schema.Array(OrderObjective).pipe(Schema.maxItems(5))),
  rewards: Schema.optional(Schema.Array(OrderReward).pipe(Schema.maxItems(5)))
}).pipe(
  Schema.filter((r) =>
    (r.objectives?.length ?? 0) + (r.rewards?.length ?? 0) > 0 ||
    { path: ["objectives"], message: "at least one of objectives or rewards must be present and non-empty" }
  )
)
export type UpdateOrderRequest = typeof UpdateOrderRequest.Type

export const UpdateOrderResponse = Schema.Struct({
  out_order_no: Schema.String,
  order_id: Schema.String
})
export type UpdateOrderResponse = typeof UpdateOrderResponse.Type
