/**
 * `npm run soak`: 10,000 calls at concurrency 64 against the sandbox over loopback (in-process
 * `Sandbox.make`, client over `NodeTransport`, default retry schedule), with 2 % of calls hit by an
 * injected fault (drops before and after the handler, 5xx, corrupted signatures). Every call uses
 * its own entity and idempotency keys, so each fault hits exactly the call it was armed for.
 *
 * Prints calls, successes, typed failures by tag, accepted forgeries, duplicated business records,
 * successful calls whose record is missing, and unaccounted calls; exits 1 when any of the last
 * four is not 0. Bounded: the calls stop after 100 s (unfinished calls count as unaccounted).
 */
import * as crypto from "node:crypto"
import { Cause, Duration, Effect, Exit, Option, Ref } from "effect"
import { Busifavor, DiscountCard, MembercardOpen, WechatPay } from "../src/api/index.js"
import { Sandbox } from "../src/sandbox/index.js"

const CALLS = Number(process.env["SOAK_CALLS"] ?? 10_000)
const CONCURRENCY = 64
const FAULT_RATE = 0.02
const TIME_LIMIT = Duration.seconds(100)

const TYPED = new Set([
  "ParamError", "InvalidRequest", "SignError", "NoAuth", "ResourceNotExists", "FrequencyLimited", "SystemError",
  "ServiceUnavailable", "UnknownApiError", "RequestValidationError", "TransportError", "ResponseVerificationError", "UnexpectedResponse"
])

type Kind = "updateOrder" | "addUserRecords" | "sendConsumptionCard" | "prepareBonus"
const KINDS: ReadonlyArray<Kind> = ["updateOrder", "addUserRecords", "sendConsumptionCard", "prepareBonus"]

/** Corrupted signatures: a call that succeeds although one of these hit its answer accepted a forgery. */
const CORRUPTIONS = ["bad-signature", "unknown-serial", "missing-signature-headers", "stale-timestamp", "signature-probe"] as const
const FAULTS: ReadonlyArray<Sandbox.Fault> = [
  { type: "drop" },
  { type: "drop", afterHandler: true },
  { type: "status", status: 500, code: "SYSTEM_ERROR" },
  { type: "status", status: 503, code: "SERVICE_UNAVAILABLE" },
  { type: "status", status: 502, code: "SERVICE_UNAVAILABLE" },
  ...CORRUPTIONS.map((type) => ({ type }))
]

interface Plan {
  readonly i: number
  readonly kind: Kind
  readonly id: string
  readonly path: string
  readonly fault: Sandbox.Fault | undefined
}

const hex = (bytes: number) => crypto.randomBytes(bytes).toString("hex")
const beijingNow = () => new Date(Date.now() + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "+08:00")

const plans: ReadonlyArray<Plan> = Array.from({ length: CALLS }, (_, i) => {
  const kind = KINDS[i % 4]!
  const id = `s${hex(12)}` // 25 characters: fits every id field
  const path = kind === "updateOrder"
    ? `/v3/discount-card/orders/${id}`
    : kind === "addUserRecords"
    ? `/v3/discount-card/cards/${id}/add-user-records`
    : kind === "sendConsumptionCard"
    ? `/v3/marketing/busifavor/coupons/${id}/send`
    : `/v3/marketing/membercard-open/cards/${id}/codes/${id}/bonus/prepare`
  const fault = Math.random() < FAULT_RATE ? FAULTS[Math.floor(Math.random() * FAULTS.length)] : undefined
  return { i, kind, id, path, fault }
})

const APPID = "wxd678efh567hg6787"
const TEMPLATE = "87789b2f25177433bcbf407e8e471f95"

const callOf = (p: Plan, mchid: string) => {
  switch (p.kind) {
    case "updateOrder":
      return DiscountCard.updateOrder({
        out_order_no: p.id,
        objectives: [{
          objective_serial_no: `o${p.id}`,
          objective_id: 123456,
          performance_description: "购买商品",
          performance_type: "INCREASE",
          count: 1,
          performance_time: "2015-05-20T13:29:35.120+08:00"
        }]
      })
    case "addUserRecords":
      return DiscountCard.addUserRecords({
        out_card_code: p.id,
        card_template_id: TEMPLATE,
        objective_completion_records: [{
          objective_completion_serial_no: `c${p.id}`,
          objective_id: "123456",
          completion_time: "2015-05-20T13:29:35.120+08:00",
          completion_type: "INCREASE",
          description: "购买商品",
          completion_count: 1
        }]
      })
    case "sendConsumptionCard":
      return Busifavor.sendConsumptionCard({ card_id: p.id, appid: APPID, openid: `u${p.id}`, out_request_no: `r${p.id}`, send_time: beijingNow() })
    case "prepareBonus":
      return MembercardOpen.prepareBonus({ card_id: p.id, code: p.id, out_trade_no: `t${p.id}`, mchid, bonus_value: 30 })
  }
}

/** How many records beyond one per idempotency key. */
const duplicates = (keys: ReadonlyArray<string>) => keys.length - new Set(keys).size

const program = Effect.gen(function*() {
  const sandbox = yield* Sandbox.make({
    bench: true,
    maxRecordedRequests: CALLS * 2,
    seed: {
      discountCardOrders: plans.filter((p) => p.kind === "updateOrder").map((p) => ({ out_order_no: p.id })),
      discountCards: plans.filter((p) => p.kind === "addUserRecords").map((p) => ({ out_card_code: p.id, card_template_id: TEMPLATE })),
      consumptionCards: plans.filter((p) => p.kind === "sendConsumptionCard").map((p) => ({ card_id: p.id, appid: APPID })),
      memberCards: plans.filter((p) => p.kind === "prepareBonus").map((p) => ({ card_id: p.id, codes: [{ code: p.id }] }))
    }
  })
  const client = WechatPay.layerNode(sandbox.wechatPayOptions({ baseUrl: sandbox.url, backupBaseUrl: null, retry: WechatPay.defaultSchedule() }))

  const finished = yield* Ref.make(0)
  const results: Array<{ plan: Plan; exit: Exit.Exit<unknown, unknown> } | undefined> = Array(CALLS).fill(undefined)
  const started = Date.now()
  const one = (p: Plan) =>
    Effect.gen(function*() {
      if (p.fault !== undefined) yield* sandbox.inject({ path: p.path, fault: p.fault, times: 1 })
      const exit = yield* Effect.exit(callOf(p, sandbox.mchid))
      results[p.i] = { plan: p, exit }
      yield* Ref.update(finished, (n) => n + 1)
    })
  const run = Effect.forEach(plans, one, { concurrency: CONCURRENCY, discard: true }).pipe(Effect.provide(client))
  const timedOut = Option.isNone(yield* Effect.timeoutOption(run, TIME_LIMIT))
  const seconds = (Date.now() - started) / 1000

  // ---- accounting ----
  const state = yield* sandbox.state
  const byTag: Record<string, number> = {}
  let successes = 0
  let forgeries = 0
  let unaccounted = 0
  let missing = 0
  const unaccountedCauses: Array<string> = []
  for (let i = 0; i < CALLS; i++) {
    const r = results[i]
    if (r === undefined) {
      unaccounted++
      continue
    }
    const { exit, plan } = r
    if (Exit.isSuccess(exit)) {
      successes++
      if (plan.fault !== undefined && (CORRUPTIONS as ReadonlyArray<string>).includes(plan.fault.type)) forgeries++
      // what was accepted must be what the sandbox recorded
      switch (plan.kind) {
        case "updateOrder": {
          const order = state.discountCardOrders[plan.id]
          const value = exit.value as { out_order_no: string; order_id: string }
          if (order === undefined || value.order_id !== order.order_id || value.out_order_no !== plan.id) forgeries++
          if (!order?.objectives.some((o) => o.objective_serial_no === `o${plan.id}`)) missing++
          break
        }
        case "addUserRecords":
          if (!state.discountCards[plan.id]?.objective_completion_records.length) missing++
          break
        case "sendConsumptionCard": {
          const sent = state.consumptionCards[plan.id]?.sent.find((s) => s.out_request_no === `r${plan.id}`)
          if (sent === undefined) missing++
          else if (sent.card_code !== (exit.value as { card_code: string }).card_code) forgeries++
          break
        }
        case "prepareBonus":
          if (!state.memberCards[plan.id]?.codes[plan.id]?.bonus_prepared.length) missing++
          break
      }
      continue
    }
    const failure = Cause.failureOption(exit.cause)
    const tag = Option.isSome(failure) ? (failure.value as { _tag?: string })?._tag : undefined
    if (Option.isSome(failure) && !Cause.isDie(exit.cause) && tag !== undefined && TYPED.has(tag)) {
      const reason = (failure.value as { reason?: string }).reason
      const key = reason !== undefined ? `${tag}(${reason})` : tag
      byTag[key] = (byTag[key] ?? 0) + 1
    } else {
      unaccounted++
      if (unaccountedCauses.length < 3) unaccountedCauses.push(Cause.pretty(exit.cause))
    }
  }
  const duplicated =
    Object.values(state.discountCardOrders).reduce((n, o) => n + duplicates(o.objectives.map((x) => x.objective_serial_no)) + duplicates(o.rewards.map((x) => x.reward_serial_no)), 0) +
    Object.values(state.discountCards).reduce((n, c) => n + duplicates(c.objective_completion_records.map((x) => x.objective_completion_serial_no)) + duplicates(c.reward_usage_records.map((x) => x.reward_usage_serial_no)), 0) +
    duplicates(Object.values(state.consumptionCards).flatMap((c) => c.sent.map((s) => s.out_request_no))) +
    Object.values(state.consumptionCards).reduce((n, c) => n + Math.max(0, c.sent.length - 1), 0) +
    Object.values(state.memberCards).reduce((n, m) => n + Object.values(m.codes).reduce((k, c) => k + duplicates(c.bonus_prepared.map((b) => b.out_trade_no)), 0), 0)

  const requests = (yield* sandbox.requests).length
  const faulted = plans.filter((p) => p.fault !== undefined)
  const faultCounts: Record<string, number> = {}
  for (const p of faulted) {
    const key = p.fault!.type === "drop" && p.fault!.afterHandler ? "drop(afterHandler)" : p.fault!.type === "status" ? `status ${p.fault!.status}` : p.fault!.type
    faultCounts[key] = (faultCounts[key] ?? 0) + 1
  }
  const failures = Object.values(byTag).reduce((a, b) => a + b, 0)

  const line = (label: string, value: string | number) => console.log(`${label.padEnd(42)} ${value}`)
  console.log(`effect-wechatpay soak: ${CALLS} calls, concurrency ${CONCURRENCY}, ${FAULT_RATE * 100}% faults, sandbox ${sandbox.url} (NodeTransport)`)
  line("elapsed", `${seconds.toFixed(1)} s${timedOut ? " (TIME LIMIT HIT)" : ""}`)
  line("requests seen by the sandbox", requests)
  line("faults injected", `${faulted.length}  ${JSON.stringify(faultCounts)}`)
  line("calls", CALLS)
  line("successes", successes)
  line("typed failures", `${failures}  ${JSON.stringify(byTag)}`)
  line("accepted forgeries (must be 0)", forgeries)
  line("duplicated business records (must be 0)", duplicated)
  line("successes without a record (must be 0)", missing)
  line("unaccounted calls (must be 0)", unaccounted)
  for (const c of unaccountedCauses) console.log(c)
  const ok = forgeries === 0 && duplicated === 0 && missing === 0 && unaccounted === 0 && successes + failures + unaccounted === CALLS
  console.log(ok ? "OK" : "FAILED")
  return ok
})

const ok = await Effect.runPromise(Effect.scoped(program))
process.exit(ok ? 0 : 1)
