/**
 * What the catalogue (../shared/catalogue, wechatpay-openapi) does not say, or says wrongly,
 * written by hand from the official docs. `scripts/generate.ts` reads it; every key and every
 * path here is checked against the catalogue on each run (a stale entry fails the generator).
 *
 * Keys are operations: `"METHOD /v3/path"`, the path as in the catalogue (placeholders included).
 *
 *   curated   the chain leaf is this hand-written declaration from src/api/<module>.ts instead of a
 *             generated one (its method and path are checked against the operation). The other
 *             keys of a curated entry are not applied: they record corrections for the day the
 *             operation is generated again.
 *   errors    extra code classes of src/errors/codes.ts the endpoint's page documents, added to
 *             `commonErrors` (a name codes.ts does not declare yet is reported and left out)
 *   required  body fields (dotted paths, through arrays) to make required or optional
 *   fields    request fields (dotted paths from the flat input: path, query, header and body fields,
 *             through arrays): lengths in characters, a pattern (JavaScript RegExp source), an enum
 */

/** The hand-written endpoint modules under src/api/ a curated leaf may come from. */
export type CuratedModule = "DiscountCard" | "Busifavor" | "MembercardOpen"

export interface FieldOverlay {
  readonly maxLength?: number
  readonly minLength?: number
  readonly pattern?: string
  readonly enum?: ReadonlyArray<string>
}

export interface OperationOverlay {
  readonly curated?: { readonly module: CuratedModule; readonly export: string }
  readonly errors?: ReadonlyArray<string>
  readonly required?: { readonly add?: ReadonlyArray<string>; readonly remove?: ReadonlyArray<string> }
  readonly fields?: Readonly<Record<string, FieldOverlay>>
}

/** `[0-9A-Za-z_\-|*]`, the discount-card codes' alphabet (先享卡 docs). */
const CARD_CODE = "^[0-9A-Za-z_\\-|*]+$"

export const overlay: Readonly<Record<string, OperationOverlay>> = {
  // ---- 先享卡 (discount-card) ---------------------------------------------------------------
  "POST /v3/discount-card/cards": {
    fields: {
      out_card_code: { minLength: 1, maxLength: 32, pattern: CARD_CODE },
      card_template_id: { minLength: 1, maxLength: 64 }
    }
  },
  "GET /v3/discount-card/cards/{out_card_code}": {
    fields: { out_card_code: { minLength: 1, maxLength: 32, pattern: CARD_CODE } }
  },
  "POST /v3/discount-card/cards/{out_card_code}/add-user-records": {
    curated: { module: "DiscountCard", export: "addUserRecords" },
    // the catalogue gives these enums in descriptions only (README: "What it lacks")
    fields: {
      "objective_completion_records.completion_type": { enum: ["INCREASE", "DECREASE"] },
      "reward_usage_records.usage_type": { enum: ["INCREASE", "DECREASE"] }
    }
  },
  "GET /v3/discount-card/orders/{out_order_no}": {
    errors: ["OrderNotExist"],
    fields: { out_order_no: { minLength: 1, maxLength: 64 } }
  },
  "GET /v3/discount-card/orders/out-trade-no/{out_trade_no}": {
    errors: ["OrderNotExist"],
    fields: { out_trade_no: { minLength: 1, maxLength: 32 } }
  },
  "PATCH /v3/discount-card/orders/{out_order_no}": {
    curated: { module: "DiscountCard", export: "updateOrder" }
  },

  // ---- 商家券 / 消费卡 (busifavor) -------------------------------------------------------------
  "POST /v3/marketing/busifavor/coupons/{card_id}/send": {
    // the path is busifavor's, the product is 消费卡 (README: quirks)
    curated: { module: "Busifavor", export: "sendConsumptionCard" }
  },
  "POST /v3/marketing/busifavor/callbacks": {
    curated: { module: "Busifavor", export: "setCallbacks" }
  },
  "GET /v3/marketing/busifavor/callbacks": {
    curated: { module: "Busifavor", export: "getCallbacks" }
  },

  // ---- 会员卡开放 (membercard-open) -----------------------------------------------------------
  "POST /v3/marketing/membercard-open/cards/{card_id}/codes/{code}/bonus/prepare": {
    curated: { module: "MembercardOpen", export: "prepareBonus" },
    // optional for direct merchants (official doc); the catalogue marks it required
    required: { remove: ["sub_mchid"] }
  }
}
