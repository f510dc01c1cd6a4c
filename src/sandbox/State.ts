/**
 * The sandbox's world: discount cards, discount-card orders, consumption cards and member cards,
 * with the business rules WeChat Pay applies to our four endpoints. Plain mutable maps owned by
 * one sandbox: JavaScript runs one handler at a time, so every check-then-apply is atomic.
 */
import * as Busifavor from "../api/Busifavor.js"
import * as DiscountCardApi from "../api/DiscountCard.js"
import * as MembercardOpen from "../api/MembercardOpen.js"
import { InvalidRequest, ParamError, ResourceNotExists } from "../errors/codes.js"
import { Schema } from "effect"
import type { ObjectiveCompletionRecord, OrderObjective, OrderReward, RewardUsageRecord } from "../schemas/discountCard.js"
import { rfc3339ToMillis } from "../schemas/common.js"
import type { AddUserRecordsRequest, UpdateOrderRequest } from "../schemas/discountCard.js"
import type { SendConsumptionCardRequest } from "../schemas/busifavor.js"
import type { PrepareBonusRequest } from "../schemas/membercardOpen.js"
import { ApiFailure } from "./Protocol.js"
import { type Answer, ruleOf, type RuledEndpoint, type StatefulFamily } from "./Rules.js"

// ---- the entities (as `sandbox.state` and `GET /__sandbox/state` show them) ----

export interface DiscountCard {
  readonly out_card_code: string
  readonly card_template_id: string
  readonly objective_completion_records: ReadonlyArray<ObjectiveCompletionRecord>
  readonly reward_usage_records: ReadonlyArray<RewardUsageRecord>
}

export interface DiscountCardOrder {
  readonly out_order_no: string
  readonly order_id: string
  readonly objectives: ReadonlyArray<OrderObjective>
  readonly rewards: ReadonlyArray<OrderReward>
}

export interface ConsumptionCardSend {
  readonly out_request_no: string
  readonly openid: string
  readonly send_time: string
  readonly card_code: string
}

export interface ConsumptionCard {
  readonly card_id: string
  readonly appid: string
  readonly sent: ReadonlyArray<ConsumptionCardSend>
}

export interface BonusPreparation {
  readonly out_trade_no: string
  readonly mchid: string
  readonly sub_mchid?: string
  readonly bonus_value: number
}

export interface MemberCardCode {
  readonly code: string
  readonly openid?: string
  /** `UNAVAILABLE` codes answer 用户会员卡无效. */
  readonly state: "ACTIVE" | "UNAVAILABLE"
  readonly bonus_prepared: ReadonlyArray<BonusPreparation>
}

export interface MemberCard {
  readonly card_id: string
  /** Without the bonus service, prepareBonus answers 没有开通会员积分权益服务. */
  readonly bonus_enabled: boolean
  readonly codes: Readonly<Record<string, MemberCardCode>>
}

export interface SandboxState {
  readonly discountCards: Readonly<Record<string, DiscountCard>>
  readonly discountCardOrders: Readonly<Record<string, DiscountCardOrder>>
  readonly consumptionCards: Readonly<Record<string, ConsumptionCard>>
  readonly memberCards: Readonly<Record<string, MemberCard>>
}

// ---- seeding ----

const SeedMemberCardCode = Schema.Struct({
  code: Schema.String,
  openid: Schema.optional(Schema.String),
  state: Schema.optional(Schema.Literal("ACTIVE", "UNAVAILABLE"))
})

/** What can be seeded: entities by their ids; an id that exists is replaced (its history cleared). */
export const SeedData = Schema.Struct({
  discountCards: Schema.optional(Schema.Array(Schema.Struct({ out_card_code: Schema.String, card_template_id: Schema.String }))),
  discountCardOrders: Schema.optional(Schema.Array(Schema.Struct({ out_order_no: Schema.String, order_id: Schema.optional(Schema.String) }))),
  consumptionCards: Schema.optional(Schema.Array(Schema.Struct({ card_id: Schema.String, appid: Schema.String }))),
  memberCards: Schema.optional(Schema.Array(Schema.Struct({
    card_id: Schema.String,
    bonus_enabled: Schema.optional(Schema.Boolean),
    codes: Schema.optional(Schema.Array(SeedMemberCardCode))
  })))
})
export type SeedData = typeof SeedData.Type

/**
 * The WeChat Pay docs' own example entities, so their examples run verbatim. The membercard
 * prepare page uses `478515832665` as both card id and code; the other membercard pages use card
 * `pbLatjvWOibDc5-TBnbUk1pD12o0` with that code: both exist.
 */
export const docsExamples: SeedData = {
  discountCards: [{ out_card_code: "6e8369071cd942c0476613f9d1ce9ca3", card_template_id: "87789b2f25177433bcbf407e8e471f95" }],
  discountCardOrders: [{ out_order_no: "233bcbf407e87789b8e471f251774f95", order_id: "15646546545165651651" }],
  consumptionCards: [{ card_id: "pIJMr5MMiIkO_93VtPyIiEk2DZ4w", appid: "wxd678efh567hg6787" }],
  memberCards: [
    { card_id: "pbLatjvWOibDc5-TBnbUk1pD12o0", codes: [{ code: "478515832665", openid: "obLatjjwDolFjRRd3doGIdwNWRZo" }] },
    { card_id: "478515832665", codes: [{ code: "478515832665" }] }
  ]
}

const noContent: Answer = { status: 204 }

/** Key-order-independent JSON: "the same content" for idempotency. */
export const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v)

const invalid = (message: string, detail?: Record<string, unknown>) =>
  ApiFailure.of(InvalidRequest, message, detail)

const notFound = (message: string) => ApiFailure.of(ResourceNotExists, message)

const DAY_MS = 24 * 60 * 60 * 1000

/**
 * Idempotency over a list of records keyed by a serial number: a serial already recorded with the
 * same content is skipped, with other content it is an INVALID_REQUEST. Checked for the whole
 * request before anything is applied, so a refused request changes nothing.
 */
const newRecords = <A>(
  existing: ReadonlyArray<A>,
  incoming: ReadonlyArray<A> | undefined,
  serialOf: (a: A) => string,
  field: string
): Array<A> | ApiFailure => {
  const known = new Map(existing.map((r) => [serialOf(r), canonical(r)]))
  const out: Array<A> = []
  for (const record of incoming ?? []) {
    const serial = serialOf(record)
    const before = known.get(serial)
    if (before === undefined) {
      known.set(serial, canonical(record))
      out.push(record)
    } else if (before !== canonical(record)) {
      return invalid(`${field} ${serial} 已存在且内容不同`, { field, value: serial, issue: "serial number reused with different content", location: "body" })
    }
  }
  return out
}

const randomDigits = (n: number): string => {
  let s = String(1 + Math.floor(Math.random() * 9))
  while (s.length < n) s += String(Math.floor(Math.random() * 10))
  return s
}

/** The card families (先享卡, 商家券 consumption cards, 会员卡): their entities and the rules of our curated endpoints. */
export class Store implements StatefulFamily {
  private discountCards = new Map<string, DiscountCard>()
  private orders = new Map<string, DiscountCardOrder>()
  private consumptionCards = new Map<string, ConsumptionCard>()
  private memberCards = new Map<string, MemberCard>()
  /** out_request_no → the send it produced (merchant-wide, as WeChat scopes 商户单据号). */
  private sends = new Map<string, { readonly card_id: string; readonly appid: string; readonly send: ConsumptionCardSend }>()
  private cardCodes = new Set<string>()

  constructor(readonly mchid: string) {}

  rules(): ReadonlyArray<RuledEndpoint> {
    return [
      ruleOf(DiscountCardApi.addUserRecords, (r) => this.addUserRecords(r)),
      ruleOf(DiscountCardApi.updateOrder, (r) => this.updateOrder(r)),
      ruleOf(Busifavor.sendConsumptionCard, (r, now) => this.sendConsumptionCard(r, now)),
      ruleOf(MembercardOpen.prepareBonus, (r) => this.prepareBonus(r))
    ]
  }

  clear(): void {
    this.discountCards.clear()
    this.orders.clear()
    this.consumptionCards.clear()
    this.memberCards.clear()
    this.sends.clear()
    this.cardCodes.clear()
  }

  seed(data: SeedData): void {
    for (const c of data.discountCards ?? []) {
      this.discountCards.set(c.out_card_code, { ...c, objective_completion_records: [], reward_usage_records: [] })
    }
    for (const o of data.discountCardOrders ?? []) {
      this.orders.set(o.out_order_no, { out_order_no: o.out_order_no, order_id: o.order_id ?? randomDigits(20), objectives: [], rewards: [] })
    }
    for (const c of data.consumptionCards ?? []) {
      const previous = this.consumptionCards.get(c.card_id)
      for (const s of previous?.sent ?? []) this.sends.delete(s.out_request_no)
      this.consumptionCards.set(c.card_id, { ...c, sent: [] })
    }
    for (const m of data.memberCards ?? []) {
      const codes: Record<string, MemberCardCode> = {}
      for (const c of m.codes ?? []) {
        codes[c.code] = { code: c.code, ...(c.openid !== undefined ? { openid: c.openid } : {}), state: c.state ?? "ACTIVE", bonus_prepared: [] }
      }
      this.memberCards.set(m.card_id, { card_id: m.card_id, bonus_enabled: m.bonus_enabled ?? true, codes })
    }
  }

  /** A deep copy: callers may keep it while the sandbox moves on. */
  snapshot(): SandboxState {
    return structuredClone({
      discountCards: Object.fromEntries(this.discountCards),
      discountCardOrders: Object.fromEntries(this.orders),
      consumptionCards: Object.fromEntries(this.consumptionCards),
      memberCards: Object.fromEntries(this.memberCards)
    })
  }

  // ---- POST /v3/discount-card/cards/{out_card_code}/add-user-records ----
  addUserRecords(r: AddUserRecordsRequest): Answer | ApiFailure {
    const card = this.discountCards.get(r.out_card_code)
    if (card === undefined) return notFound("先享卡不存在")
    if (card.card_template_id !== r.card_template_id) {
      return invalid("卡模板ID与用户的先享卡不匹配", { field: "card_template_id", value: r.card_template_id, issue: "does not match the card", location: "body" })
    }
    const objectives = newRecords(card.objective_completion_records, r.objective_completion_records, (x) => x.objective_completion_serial_no, "objective_completion_serial_no")
    if (objectives instanceof ApiFailure) return objectives
    const rewards = newRecords(card.reward_usage_records, r.reward_usage_records, (x) => x.reward_usage_serial_no, "reward_usage_serial_no")
    if (rewards instanceof ApiFailure) return rewards
    this.discountCards.set(card.out_card_code, {
      ...card,
      objective_completion_records: [...card.objective_completion_records, ...objectives],
      reward_usage_records: [...card.reward_usage_records, ...rewards]
    })
    return noContent
  }

  // ---- PATCH /v3/discount-card/orders/{out_order_no} ----
  updateOrder(r: UpdateOrderRequest): Answer | ApiFailure {
    const order = this.orders.get(r.out_order_no)
    if (order === undefined) return notFound("先享卡订单不存在")
    const objectives = newRecords(order.objectives, r.objectives, (x) => x.objective_serial_no, "objective_serial_no")
    if (objectives instanceof ApiFailure) return objectives
    const rewards = newRecords(order.rewards, r.rewards, (x) => x.reward_serial_no, "reward_serial_no")
    if (rewards instanceof ApiFailure) return rewards
    this.orders.set(order.out_order_no, { ...order, objectives: [...order.objectives, ...objectives], rewards: [...order.rewards, ...rewards] })
    return { status: 200, body: { out_order_no: order.out_order_no, order_id: order.order_id } }
  }

  // ---- POST /v3/marketing/busifavor/coupons/{card_id}/send ----
  sendConsumptionCard(r: SendConsumptionCardRequest, nowMillis: number): Answer | ApiFailure {
    const card = this.consumptionCards.get(r.card_id)
    if (card === undefined) return notFound("消费卡不存在")
    const previous = this.sends.get(r.out_request_no)
    if (previous !== undefined) {
      const same = previous.card_id === r.card_id && previous.appid === r.appid && previous.send.openid === r.openid &&
        previous.send.send_time === r.send_time
      if (!same) {
        return invalid("商户单据号重复，且请求内容与原请求不一致", { field: "out_request_no", value: r.out_request_no, issue: "reused with different content", location: "body" })
      }
      // A repeat of the same request answers what the first one did, and records nothing.
      return { status: 200, body: { card_code: previous.send.card_code } }
    }
    if (card.appid !== r.appid) {
      return invalid("appid与消费卡的归属appid不一致", { field: "appid", value: r.appid, issue: "not the card's appid", location: "body" })
    }
    if (rfc3339ToMillis(r.send_time) < nowMillis - DAY_MS) {
      return ApiFailure.of(ParamError, "请求发卡时间不能早于当前时间24小时", {
        field: "/send_time",
        value: r.send_time,
        issue: "earlier than 24 hours before now",
        location: "body"
      })
    }
    if (card.sent.some((s) => s.openid === r.openid)) {
      return invalid("用户已领取过该消费卡", { field: "openid", value: r.openid, issue: "one card_code per user per card_id", location: "body" })
    }
    let card_code = randomDigits(12)
    while (this.cardCodes.has(card_code)) card_code = randomDigits(12)
    this.cardCodes.add(card_code)
    const send: ConsumptionCardSend = { out_request_no: r.out_request_no, openid: r.openid, send_time: r.send_time, card_code }
    this.sends.set(r.out_request_no, { card_id: r.card_id, appid: r.appid, send })
    this.consumptionCards.set(card.card_id, { ...card, sent: [...card.sent, send] })
    // 商家券领券事件 (COUPON.SEND) for the new card; a repeated request above triggers none.
    const resource = {
      event_type: "EVENT_TYPE_BUSICOUPON_SEND",
      coupon_code: card_code,
      stock_id: r.card_id,
      send_time: r.send_time,
      openid: r.openid,
      send_channel: "BUSICOUPON_SEND_CHANNEL_API",
      send_merchant: this.mchid
    }
    return { status: 200, body: { card_code }, events: [{ eventType: "COUPON.SEND", resource }] }
  }

  // ---- POST /v3/marketing/membercard-open/cards/{card_id}/codes/{code}/bonus/prepare ----
  prepareBonus(r: PrepareBonusRequest): Answer | ApiFailure {
    // The documented answers for this endpoint are all 400 INVALID_REQUEST, with these messages.
    if (r.mchid !== this.mchid) {
      return invalid("商户号无效", { field: "mchid", value: r.mchid, issue: "not the calling merchant", location: "body" })
    }
    const card = this.memberCards.get(r.card_id)
    if (card === undefined) return invalid("会员卡ID无效")
    const code = card.codes[r.code]
    if (code === undefined) return invalid("code不存在")
    if (code.state !== "ACTIVE") return invalid("用户会员卡无效")
    if (!card.bonus_enabled) return invalid("没有开通会员积分权益服务")
    const entry: BonusPreparation = {
      out_trade_no: r.out_trade_no,
      mchid: r.mchid,
      ...(r.sub_mchid !== undefined ? { sub_mchid: r.sub_mchid } : {}),
      bonus_value: r.bonus_value
    }
    const previous = code.bonus_prepared.find((b) => b.out_trade_no === r.out_trade_no)
    if (previous !== undefined) {
      if (canonical(previous) === canonical(entry)) return noContent
      return invalid("商户订单号重复，且请求内容与原请求不一致", { field: "out_trade_no", value: r.out_trade_no, issue: "reused with different content", location: "body" })
    }
    this.memberCards.set(card.card_id, {
      ...card,
      codes: { ...card.codes, [code.code]: { ...code, bonus_prepared: [...code.bonus_prepared, entry] } }
    })
    return noContent
  }
}
