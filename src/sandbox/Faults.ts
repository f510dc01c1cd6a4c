/**
 * Fault injection: the next matching request(s) get a spoiled answer. The kinds are one registry
 * (`faultKinds`): each entry is its schema, what the answer becomes and whether the request's
 * business effect happens (both printed by `faultKindDocs`), and how it applies (`plan`), which the
 * emulator carries out the same way for every kind.
 *
 * A fault is used up by the next matching request whatever it carries (it is the network or the
 * gateway misbehaving, before WeChat Pay checks the signature). In memory the emulator runs in the
 * caller's fiber, so a client timeout during a `delay` interrupts it and nothing is applied; over a
 * socket the server finishes the request on its own.
 */
import { Schema } from "effect"
import { ApiFailure, errorBody, type SignatureTampering, signatureTamperingKinds, signatureTamperings } from "./Protocol.js"

/** What one fault does to one request; the emulator applies the parts in this order. */
export interface FaultPlan {
  /** Answer this long later. */
  readonly delayMillis?: number
  /** Destroy the connection without an answer: before the handler runs, or after it (the change happens, the answer is lost). */
  readonly drop?: "before" | "after"
  /** Answer this (signed) instead of running the handler. */
  readonly replace?: { readonly status: number; readonly body: string }
  /** Spoil the answer's signature this way. */
  readonly tampering?: SignatureTampering
}

interface FaultKindDoc {
  /** What the client gets. */
  readonly answer: string
  /** Whether the request's business effect happens. */
  readonly effect: string
}

const faultKind = <const Types extends readonly [string, ...Array<string>], Fields extends Schema.Struct.Fields>(
  types: Types,
  fields: Fields,
  doc: FaultKindDoc,
  plan: (fault: Schema.Struct.Type<Fields> & { readonly type: Types[number] }) => FaultPlan
) => ({ types, schema: Schema.Struct({ type: Schema.Literal(...types), ...fields }), doc, plan })

const statusFault = faultKind(["status"], {
  status: Schema.Int.pipe(Schema.between(100, 599)),
  code: Schema.String,
  message: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.Unknown)
}, { answer: "that status/code/message/detail, signed", effect: "no" }, (f) => ({
  replace: {
    status: f.status,
    body: errorBody(new ApiFailure({ status: f.status, code: f.code, message: f.message ?? "sandbox: injected fault", ...(f.detail !== undefined ? { detail: f.detail } : {}) }))
  }
}))

const garbageFault = faultKind(["garbage-body"], {
  status: Schema.optional(Schema.Int.pipe(Schema.between(200, 599))),
  body: Schema.optional(Schema.String)
}, { answer: "a signed non-JSON body (status 200 default)", effect: "no" }, (f) => ({
  replace: { status: f.status ?? 200, body: f.body ?? "<html><body>502 Bad Gateway</body></html>" }
}))

const dropFault = faultKind(["drop"], { afterHandler: Schema.optional(Schema.Boolean) }, {
  answer: "connection destroyed, no answer (afterHandler: true: after the change is made)",
  effect: "no"
}, (f) => ({ drop: f.afterHandler === true ? "after" : "before" }))

const delayFault = faultKind(["delay"], { millis: Schema.Int.pipe(Schema.nonNegative()) }, {
  answer: "the real answer, `millis` later",
  effect: "yes"
}, (f) => ({ delayMillis: f.millis }))

const tamperingFault = faultKind(signatureTamperingKinds as readonly [SignatureTampering, ...Array<SignatureTampering>], {}, {
  answer: "the real answer with",
  effect: "yes"
}, (f) => ({ tampering: f.type }))

/** Every fault kind, once. */
export const faultKinds = [statusFault, garbageFault, dropFault, delayFault, tamperingFault] as const

export const Fault = Schema.Union(statusFault.schema, garbageFault.schema, dropFault.schema, delayFault.schema, tamperingFault.schema)
export type Fault = typeof Fault.Type

const kindOfType: ReadonlyMap<string, (typeof faultKinds)[number]> = new Map(faultKinds.flatMap((k) => k.types.map((t) => [t, k] as const)))

/** How a (decoded) fault applies. */
export const planOf = (fault: Fault): FaultPlan => (kindOfType.get(fault.type)!.plan as (f: Fault) => FaultPlan)(fault)

/** One line per fault type: its name, what the answer becomes, whether the business effect happens. */
export const faultKindDocs = (): ReadonlyArray<{ readonly type: string; readonly answer: string; readonly effect: string }> =>
  faultKinds.flatMap((k) =>
    k.types.map((type) => ({
      type,
      answer: k === tamperingFault ? `${k.doc.answer} ${signatureTamperings[type as SignatureTampering]}` : k.doc.answer,
      effect: k.doc.effect
    }))
  )

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
