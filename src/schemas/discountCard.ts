/** 先享卡 (discount card) wire schemas. Field names and limits as in the WeChat Pay docs. */
import { Schema } from "effect"
import { BoundedString, ChangeType, Fen, NoFourByteString, NumericId, PatternString, PositiveInt, Rfc3339, Int } from "./common.js"

// ---- POST /v3/discount-card/cards/{out_card_code}/add-user-records → 204 ----

export interface ObjectiveCompletionRecord {
  readonly objective_completion_serial_no: string
  readonly objective_id: string
  readonly completion_time: string
  readonly completion_type: ChangeType
  readonly description: string
  readonly completion_count: number
  readonly remark?: string | undefined
}
export const ObjectiveCompletionRecord: Schema.Schema<ObjectiveCompletionRecord> = Schema.Struct({
  objective_completion_serial_no: BoundedString(1, 32),
  objective_id: BoundedString(1, 32),
  completion_time: Rfc3339,
  completion_type: ChangeType,
  description: BoundedString(1, 20),
  completion_count: PositiveInt,
  remark: Schema.optional(BoundedString(1, 50))
})

export interface RewardUsageRecord {
  readonly reward_usage_serial_no: string
  readonly reward_id: string
  readonly usage_time: string
  readonly usage_type: ChangeType
  readonly description: string
  readonly usage_count: number
  readonly amount: number
  readonly remark?: string | undefined
}
export const RewardUsageRecord: Schema.Schema<RewardUsageRecord> = Schema.Struct({
  reward_usage_serial_no: BoundedString(1, 32),
  reward_id: BoundedString(1, 32),
  usage_time: Rfc3339,
  usage_type: ChangeType,
  description: BoundedString(1, 20),
  usage_count: PositiveInt,
  amount: Fen,
  remark: Schema.optional(BoundedString(1, 50))
})

export interface AddUserRecordsParams {
  /** 商户领卡号 */
  readonly out_card_code: string
}
export const AddUserRecordsParams: Schema.Schema<AddUserRecordsParams> = Schema.Struct({
  out_card_code: PatternString(1, 32, /^[0-9A-Za-z_\-|*]+$/, "[0-9A-Za-z_-|*]")
})

export interface AddUserRecordsBody {
  readonly card_template_id: string
  /** The docs allow at most one record per call. */
  readonly objective_completion_records?: ReadonlyArray<ObjectiveCompletionRecord> | undefined
  readonly reward_usage_records?: ReadonlyArray<RewardUsageRecord> | undefined
}
export const AddUserRecordsBody: Schema.Schema<AddUserRecordsBody> = Schema.Struct({
  card_template_id: BoundedString(1, 64),
  objective_completion_records: Schema.optional(Schema.Array(ObjectiveCompletionRecord).pipe(Schema.maxItems(1))),
  reward_usage_records: Schema.optional(Schema.Array(RewardUsageRecord))
})

/** The input of `DiscountCard.addUserRecords`: path parameter and body fields together. */
export interface AddUserRecordsRequest extends AddUserRecordsParams, AddUserRecordsBody {}

// ---- PATCH /v3/discount-card/orders/{out_order_no} → 200 ----

export interface OrderObjective {
  readonly objective_serial_no: string
  readonly objective_id: NumericId
  readonly count: number
  readonly performance_time: string
  readonly performance_description: string
  readonly performance_type: ChangeType
  readonly remark?: string | undefined
}
export const OrderObjective: Schema.Schema<OrderObjective> = Schema.Struct({
  objective_serial_no: BoundedString(1, 32),
  objective_id: NumericId,
  count: Int,
  performance_time: Rfc3339,
  performance_description: NoFourByteString.pipe(Schema.minLength(1)),
  performance_type: ChangeType,
  remark: Schema.optional(NoFourByteString)
})

export interface OrderReward {
  readonly reward_serial_no: string
  readonly reward_id: NumericId
  readonly count: number
  readonly amount: number
  readonly reward_time: string
  readonly description: string
  readonly reward_type: ChangeType
  readonly remark?: string | undefined
}
export const OrderReward: Schema.Schema<OrderReward> = Schema.Struct({
  reward_serial_no: BoundedString(1, 32),
  reward_id: NumericId,
  count: Int,
  amount: Schema.Int.pipe(Schema.nonNegative()),
  reward_time: Rfc3339,
  description: NoFourByteString.pipe(Schema.minLength(1)),
  reward_type: ChangeType,
  remark: Schema.optional(NoFourByteString)
})

export interface UpdateOrderParams {
  /** 商户先享卡订单号 */
  readonly out_order_no: string
}
export const UpdateOrderParams: Schema.Schema<UpdateOrderParams> = Schema.Struct({
  out_order_no: BoundedString(1, 64)
})

export interface UpdateOrderBody {
  readonly objectives?: ReadonlyArray<OrderObjective> | undefined
  readonly rewards?: ReadonlyArray<OrderReward> | undefined
}
export const UpdateOrderBody: Schema.Schema<UpdateOrderBody> = Schema.Struct({
  objectives: Schema.optional(Schema.Array(OrderObjective).pipe(Schema.maxItems(5))),
  rewards: Schema.optional(Schema.Array(OrderReward).pipe(Schema.maxItems(5)))
}).pipe(
  Schema.filter((r) =>
    (r.objectives?.length ?? 0) + (r.rewards?.length ?? 0) > 0 ||
    { path: ["objectives"], message: "at least one of objectives or rewards must be present and non-empty" }
  )
)

/** The input of `DiscountCard.updateOrder`. */
export interface UpdateOrderRequest extends UpdateOrderParams, UpdateOrderBody {}

export interface UpdateOrderResponse {
  readonly out_order_no: string
  readonly order_id: string
}
export const UpdateOrderResponse: Schema.Schema<UpdateOrderResponse> = Schema.Struct({
  out_order_no: Schema.String,
  order_id: Schema.String
})
