/**
 * Fault injection: the next matching request(s) get a spoiled answer. Each fault says whether
 * the request's business effect happens:
 *
 * | fault                        | answer                                        | business effect |
 * |------------------------------|-----------------------------------------------|-----------------|
 * | `status`                     | that status/code/message/detail, signed       | no (replaces the handler) |
 * | `garbage-body`               | a signed non-JSON body (status 200 default)    | no (replaces the handler) |
 * | `drop`                       | connection destroyed, no answer               | no; yes with `afterHandler: true` (the answer is lost after the change) |
 * | `delay`                      | the real answer, `millis` later               | yes |
 * | `bad-signature`, `missing-signature-headers`, `stale-timestamp`, `unknown-serial`, `signature-probe` | the real answer, its signature spoiled | yes |
 *
 * A fault is used up by the next matching request whatever it carries (it is the network or the
 * gateway misbehaving, before WeChat Pay checks the signature). In memory the emulator runs in the
 * caller's fiber, so a client timeout during a `delay` interrupts it and nothing is applied; over a
 * socket the server finishes the request on its own.
 */
import { Schema } from "effect"
import type { SignatureTampering } from "./Protocol.js"

export const Fault = Schema.Union(
  Schema.Struct({
    type: Schema.Literal("status"),
    status: Schema.Int.pipe(Schema.between(100, 599)),
    code: Schema.String,
    message: Schema.optional(Schema.String),
    detail: Schema.optional(Schema.Unknown)
  }),
  Schema.Struct({ type: Schema.Literal("delay"), millis: Schema.Int.pipe(Schema.nonNegative()) }),
  Schema.Struct({ type: Schema.Literal("drop"), afterHandler: Schema.optional(Schema.Boolean) }),
  Schema.Struct({ type: Schema.Literal("garbage-body"), status: Schema.optional(Schema.Int.pipe(Schema.between(200, 599))), body: Schema.optional(Schema.String) }),
  Schema.Struct({
    type: Schema.Literal("bad-signature", "missing-signature-headers", "stale-timestamp", "unknown-serial", "signature-probe")
  })
)
export type Fault = typeof Fault.Type

export const FaultSpec = Schema.Struct({
  /**
   * Which requests: an exact path (`/v3/discount-card/orders/233bcbf407e87789b8e471f251774f95`),
   * a template (`/v3/discount-card/orders/{out_order_no}`) or a prefix ending in `*`. Absent: any.
   */
  path: Schema.optional(Schema.String),
  method: Schema.optional(Schema.String),
  fault: Fault,
  /** How many requests it hits. Default 1; `"always"` until cleared. */
  times: Schema.optional(Schema.Union(Schema.Int.pipe(Schema.positive()), Schema.Literal("always")))
})
export type FaultSpec = typeof FaultSpec.Type

export const isTampering = (fault: Fault): fault is Fault & { readonly type: SignatureTampering } =>
  fault.type === "bad-signature" || fault.type === "missing-signature-headers" || fault.type === "stale-timestamp" ||
  fault.type === "unknown-serial" || fault.type === "signature-probe"

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const pathMatcher = (path: string | undefined): ((p: string) => boolean) => {
  if (path === undefined) return () => true
  const prefix = path.endsWith("*")
  const body = (prefix ? path.slice(0, -1) : path).split(/(\{[A-Za-z0-9_]+\})/)
    .map((part, i) => (i % 2 === 1 ? "[^/]+" : escape(part)))
    .join("")
  const re = new RegExp(`^${body}${prefix ? "" : "$"}`)
  return (p) => {
    if (re.test(p)) return true
    try {
      return re.test(decodeURIComponent(p))
    } catch {
      return false
    }
  }
}

interface Armed {
  readonly matches: (method: string, path: string) => boolean
  readonly fault: Fault
  remaining: number
}

/** The armed faults, first armed first used. */
export class FaultRegistry {
  private armed: Array<Armed> = []

  add(spec: FaultSpec): void {
    const matchPath = pathMatcher(spec.path)
    const method = spec.method?.toUpperCase()
    this.armed.push({
      matches: (m, p) => (method === undefined || method === m) && matchPath(p),
      fault: spec.fault,
      remaining: spec.times === "always" ? Number.POSITIVE_INFINITY : spec.times ?? 1
    })
  }

  clear(): void {
    this.armed = []
  }

  /** The fault for this request, if any, counting it as used. */
  take(method: string, path: string): Fault | undefined {
    const i = this.armed.findIndex((a) => a.matches(method, path))
    if (i < 0) return undefined
    const a = this.armed[i]!
    a.remaining--
    if (a.remaining <= 0) this.armed.splice(i, 1)
    return a.fault
  }

  get size(): number {
    return this.armed.length
  }
}
