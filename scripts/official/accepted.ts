/**
 * Differences between the generated surface and the official SDKs that stand, each with its
 * reason (read by crosscheck.ts). A difference that is a defect is fixed in the overlay instead.
 * `operation` and `where` match exactly (a string) or by pattern; an unset key matches anything.
 */
import type { DifferenceKind } from "./crosscheck.js"

export interface Accepted {
  readonly sdk?: "wechatpay-go" | "wechatpay-java"
  readonly operation?: string | RegExp
  readonly where?: string | RegExp
  readonly kind?: DifferenceKind
  readonly reason: string
}

export const accepted: ReadonlyArray<Accepted> = []
