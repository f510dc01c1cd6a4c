/**
 * The curated endpoints: operations whose chain leaf in src/v3 is a hand-written declaration from
 * src/api/<module>.ts instead of a generated one, by module and export. Listed here once; the
 * generator takes from this table which leaves are hand-written, which names its family modules
 * import, and which endpoints docs/endpoints.md calls stateful. Each declaration's method and
 * path are checked against its operation on every run.
 *
 * A curated operation's request rows live in its hand-written schemas (src/schemas/<module>.ts),
 * not in the overlay: an overlay entry for one would not be applied, so the generator refuses it.
 */

export interface CuratedModuleEntry {
  /** The sandbox keeps state for its endpoints (src/sandbox/State.ts): docs/endpoints.md says "stateful". */
  readonly stateful: boolean
  /** Export name in src/api/<module>.ts → the operation it is the leaf of (`"METHOD /v3/path"`). */
  readonly endpoints: Readonly<Record<string, string>>
}

export const CURATED = {
  DiscountCard: {
    stateful: true,
    endpoints: {
      // 增加用户记录: https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter6_3_2.shtml and docs/wechatpay-v3.md §4.1
      // (out_card_code string[1,32] of 数字、大小写字母_-|*, card_template_id [1,64], the records' ids [1,32],
      // INCREASE | DECREASE, description [1,20], remark [1,50]; the catalogue gives the enums in prose)
      addUserRecords: "POST /v3/discount-card/cards/{out_card_code}/add-user-records",
      // 更新先享卡订单: https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/payscore/discount-card/chapter3_2.shtml and
      // docs/wechatpay-v3.md §4.2 (out_order_no [1,64]; performance_type / reward_type INCREASE | DECREASE)
      updateOrder: "PATCH /v3/discount-card/orders/{out_order_no}"
    }
  },
  Busifavor: {
    stateful: true,
    endpoints: {
      // 发放消费卡 (the path is busifavor's, the product 消费卡): https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/marketing/coupons/chapter3_1.shtml
      // as docs/wechatpay-v3.md §4.3 gives it (card_id [1,28], appid [1,18], openid [1,28], out_request_no [1,32])
      sendConsumptionCard: "POST /v3/marketing/busifavor/coupons/{card_id}/send",
      setCallbacks: "POST /v3/marketing/busifavor/callbacks",
      getCallbacks: "GET /v3/marketing/busifavor/callbacks"
    }
  },
  MembercardOpen: {
    stateful: true,
    endpoints: {
      // 支付结果页展示会员积分: https://pay.weixin.qq.com/docs/partner/apis/membership-card/member-service/rights-expire-remind.html
      // and docs/wechatpay-v3.md §4.4 (string(32) each; sub_mchid optional for direct merchants, the catalogue marks it required)
      prepareBonus: "POST /v3/marketing/membercard-open/cards/{card_id}/codes/{code}/bonus/prepare"
    }
  }
} as const satisfies Readonly<Record<string, CuratedModuleEntry>>

/** The hand-written endpoint modules under src/api/ a curated leaf comes from. */
export type CuratedModule = keyof typeof CURATED

export const CURATED_MODULES: ReadonlyArray<CuratedModule> = Object.keys(CURATED) as Array<CuratedModule>

export interface CuratedLeafOf<M extends string = string> {
  readonly module: M
  readonly export: string
}

/** Operation key → hand-written leaf, from a table like `CURATED`; an operation listed twice is a mistake. */
export const leavesOf = <M extends string>(table: Readonly<Record<M, CuratedModuleEntry>>): ReadonlyMap<string, CuratedLeafOf<M>> => {
  const leaves = new Map<string, CuratedLeafOf<M>>()
  for (const module of Object.keys(table) as Array<M>) {
    for (const [name, key] of Object.entries(table[module].endpoints)) {
      const before = leaves.get(key)
      if (before !== undefined) throw new Error(`codegen/curated.ts: "${key}" is both ${before.module}.${before.export} and ${module}.${name}`)
      leaves.set(key, { module, export: name })
    }
  }
  return leaves
}

/** Operation key → its hand-written leaf. */
export const curatedLeaves: ReadonlyMap<string, CuratedLeafOf<CuratedModule>> = leavesOf(CURATED)
