/**
 * What a rate limit is, for `RateLimit` (`effect-wechatpay/rate-limit`, which exports these) and for
 * the generated table of the limits WeChat Pay's docs state (`documentedLimits.ts`).
 */
import type { Duration } from "effect"

export interface Limit {
  /** Requests per `window`. */
  readonly limit: number
  /** Default 1 second. */
  readonly window?: Duration.DurationInput | undefined
}

export interface EndpointLimit extends Limit {
  readonly method: string
  /** The URL template as documented, e.g. `/v3/marketing/busifavor/coupons/{coupon_code}/send`. */
  readonly path: string
}
