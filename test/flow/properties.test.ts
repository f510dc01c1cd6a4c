/**
 * Properties of the flow, over any sequence of prepay, pay (some callbacks spoiled), close, refund,
 * refund completion and replayed callbacks, against the sandbox with a merchant server that runs
 * `Notifications.handler` over loopback:
 *   - refunded amounts never exceed the paid total and never go negative;
 *   - every callback verifies with the platform key and decrypts with the APIv3 key (node:crypto,
 *     independently of our code), and decodes as its typed event;
 *   - a forged callback is refused (401) and never handled; a replayed one is handled once;
 *   - each day's trade and fund-flow bills total exactly that day's records.
 */
import { HttpRouter } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as crypto from "node:crypto"
import { Effect, FastCheck as fc, Redacted, Runtime } from "effect"
import { Bills, type WechatPay } from "../../src/api/index.js"
import { Notifications } from "../../src/notifications/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { keyOptions } from "../sandbox/support.js"
import { MCHID } from "../support/constants.js"
import { serveOnLoopback } from "../support/notifyServer.js"
import { jsapiOrder, refundOf, t, v3 } from "./support.js"

const tamperings = ["tampered-body", "stale-timestamp", "signature-probe", "bad-signature", "unknown-serial", "missing-signature-headers"] as const

type Op =
  | { readonly kind: "prepay"; readonly order: number; readonly total: number }
  | { readonly kind: "pay"; readonly order: number; readonly outcome: "SUCCESS" | "PAYERROR"; readonly spoil: (typeof tamperings)[number] | undefined }
  | { readonly kind: "close"; readonly order: number }
  | { readonly kind: "refund"; readonly order: number; readonly amount: number; readonly no: number }
  | { readonly kind: "complete"; readonly no: number; readonly status: "SUCCESS" | "ABNORMAL" | "CLOSED" }
  | { readonly kind: "replay" }

const order = fc.integer({ min: 0, max: 2 })
/** Orders 0 and 1 are placed and paid first (so refunds have something to meet); 2 starts from nothing. */
const opening = fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 5000 }))
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant("prepay" as const), order, total: fc.integer({ min: 1, max: 5000 }) }), weight: 3 },
  { arbitrary: fc.record({
    kind: fc.constant("pay" as const),
    order,
    outcome: fc.constantFrom("SUCCESS" as const, "SUCCESS" as const, "PAYERROR" as const),
    spoil: fc.option(fc.constantFrom(...tamperings), { nil: undefined, freq: 3 })
  }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant("close" as const), order }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant("refund" as const), order, amount: fc.integer({ min: 1, max: 3000 }), no: fc.integer({ min: 0, max: 4 }) }), weight: 4 },
  {
    arbitrary: fc.record({ kind: fc.constant("complete" as const), no: fc.integer({ min: 0, max: 4 }), status: fc.constantFrom("SUCCESS" as const, "ABNORMAL" as const, "CLOSED" as const) }),
    weight: 2
  },
  { arbitrary: fc.constant({ kind: "replay" as const }), weight: 1 }
)

const outTradeNo = (i: number) => `prop-${i}`

/** The refund accounting, from the sandbox's own records. */
const checkRefunds = (payments: Effect.Effect.Success<Sandbox.SandboxService["payments"]>) => {
  for (const o of payments.orders) {
    const mine = payments.refunds.filter((r) => r.out_trade_no === o.out_trade_no)
    const active = mine.filter((r) => r.status !== "CLOSED").reduce((sum, r) => sum + r.refund, 0)
    expect(active).toBeLessThanOrEqual(o.total)
    expect(o.refundable).toBe(o.total - active)
    expect(o.refundable).toBeGreaterThanOrEqual(0)
    for (const r of mine) expect(r.refund).toBeGreaterThan(0)
    if (mine.length > 0) expect(o.transaction_id).toBeDefined()
  }
}

/** The callback checked with node:crypto alone: signature with the platform key, resource with the APIv3 key. */
const independentlyOpened = (delivery: Sandbox.Delivery, platformPublicKey: string, apiV3Key: string): unknown => {
  const h = delivery.headers
  const message = `${h["wechatpay-timestamp"]}\n${h["wechatpay-nonce"]}\n${delivery.body}\n`
  expect(crypto.verify("sha256", Buffer.from(message), platformPublicKey, Buffer.from(h["wechatpay-signature"]!, "base64"))).toBe(true)
  const { resource } = JSON.parse(delivery.body) as { resource: { ciphertext: string; nonce: string; associated_data: string } }
  const data = Buffer.from(resource.ciphertext, "base64")
  const decipher = crypto.createDecipheriv("aes-256-gcm", Buffer.from(apiV3Key), Buffer.from(resource.nonce))
  decipher.setAAD(Buffer.from(resource.associated_data))
  decipher.setAuthTag(data.subarray(data.length - 16))
  return JSON.parse(Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString("utf8"))
}

describe("the flow's properties", () => {
  it.scopedLive("over any sequence: refunds bounded, callbacks verify and decrypt, forged refused, replayed handled once, bills add up", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const handled = new Map<string, number>()
      const app = HttpRouter.empty.pipe(
        HttpRouter.post("/notify", Notifications.handler((event) => Effect.sync(() => void handled.set(event.id, (handled.get(event.id) ?? 0) + 1))))
      )
      const notifyUrl = `${yield* serveOnLoopback(app)}/notify`
      const runtime = yield* Effect.runtime<Sandbox.Sandbox | WechatPay.Services>()
      const apiV3Key = Redacted.value(sandbox.apiV3Key)

      const run = (totals: readonly [number, number], ops: ReadonlyArray<Op>) =>
        Effect.gen(function*() {
          yield* sandbox.reset
          handled.clear()
          const opened: ReadonlyArray<Op> = totals.flatMap((total, i): ReadonlyArray<Op> => [
            { kind: "prepay", order: i, total },
            { kind: "pay", order: i, outcome: "SUCCESS", spoil: undefined }
          ])
          for (const o of [...opened, ...ops]) {
            switch (o.kind) {
              case "prepay":
                yield* Effect.exit(t.jsapi.post(jsapiOrder(outTradeNo(o.order), o.total, notifyUrl)))
                break
              case "pay":
                if (o.spoil !== undefined) yield* sandbox.spoilNextCallback(o.spoil)
                yield* Effect.exit(sandbox.pay(outTradeNo(o.order), { outcome: o.outcome }))
                yield* sandbox.awaitDeliveries
                break
              case "close":
                yield* Effect.exit(t.outTradeNo._out_trade_no_.close.post({ out_trade_no: outTradeNo(o.order), mchid: MCHID }))
                break
              case "refund": {
                const paid = (yield* sandbox.payments).orders.find((x) => x.out_trade_no === outTradeNo(o.order))
                yield* Effect.exit(v3.refund.domestic.refunds.post(refundOf(outTradeNo(o.order), `ref-${o.no}`, o.amount, paid?.total ?? o.amount)))
                break
              }
              case "complete":
                yield* Effect.exit(sandbox.completeRefund(`ref-${o.no}`, { status: o.status }))
                break
              case "replay": {
                const last = (yield* sandbox.awaitDeliveries).filter((d) => d.state === "delivered" && d.tampering === undefined).at(-1)
                if (last !== undefined) yield* sandbox.replayCallback(last.id)
                break
              }
            }
            checkRefunds(yield* sandbox.payments)
          }
          const deliveries = yield* sandbox.awaitDeliveries
          const payments = yield* sandbox.payments

          // callbacks: genuine ones verify, decrypt, decode and are handled exactly once; forged ones never
          const genuine = deliveries.filter((d) => d.tampering === undefined)
          for (const d of genuine) {
            expect(d.state).toBe("delivered")
            expect(independentlyOpened(d, sandbox.platformPublicKey, apiV3Key)).toEqual(d.resource)
            const event = yield* Notifications.parse(d.headers, d.body)
            expect(event._tag).toBe(d.eventType)
            expect(handled.get(d.id)).toBe(1)
          }
          for (const d of deliveries.filter((d) => d.tampering === "replay")) {
            expect(d.attempts.map((a) => a.status)).toEqual([204])
            expect(handled.get(d.id)).toBe(1)
          }
          for (const d of deliveries.filter((d) => d.tampering !== undefined && d.tampering !== "replay")) {
            expect(d.attempts.every((a) => a.status === 401)).toBe(true)
            expect(handled.has(d.id)).toBe(false)
          }
          expect(genuine.filter((d) => d.eventType === "TRANSACTION.SUCCESS").length + deliveries.filter((d) => d.eventType === "TRANSACTION.SUCCESS" && d.tampering !== undefined && d.tampering !== "replay").length)
            .toBe(payments.orders.filter((o) => o.transaction_id !== undefined).length)

          // bills: each day's totals are the sums of that day's records, and of the bill's own rows
          const dayOf = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10)
          const paid = payments.orders.filter((o) => o.success_time !== undefined)
          const refunded = payments.refunds.filter((r) => r.status === "SUCCESS")
          for (const day of new Set([...paid.map((o) => dayOf(o.success_time!)), ...refunded.map((r) => dayOf(r.success_time!))])) {
            const income = paid.filter((o) => dayOf(o.success_time!) === day).reduce((s, o) => s + o.total, 0)
            const expense = refunded.filter((r) => dayOf(r.success_time!) === day).reduce((s, r) => s + r.refund, 0)
            const trade = yield* Bills.parseTradeBill(yield* Bills.download(yield* v3.bill.tradebill.get({ bill_date: day })).pipe(Bills.asText))
            expect(trade.summary.settlement_total).toBe(income)
            expect(trade.summary.settlement_refund).toBe(expense)
            expect(trade.summary.count).toBe(trade.rows.length)
            expect(trade.rows.reduce((s, r) => s + (r.settlement_total ?? 0), 0)).toBe(income)
            expect(trade.rows.reduce((s, r) => s + (r.settlement_refund ?? 0), 0)).toBe(expense)
            const funds = yield* Bills.parseFundFlowBill(
              yield* Bills.download(yield* v3.bill.fundflowbill.get({ bill_date: day, tar_type: "GZIP" }), { tar_type: "GZIP" }).pipe(Bills.asText)
            )
            expect(funds.summary).toMatchObject({ income, expense, count: funds.rows.length })
            expect(funds.rows.at(-1)?.balance).toBe(income - expense)
          }
        })

      yield* Effect.promise(() =>
        fc.assert(fc.asyncProperty(opening, fc.array(op, { minLength: 1, maxLength: 30 }), (totals, ops) => Runtime.runPromise(runtime)(run(totals, ops))), { numRuns: 40 })
      )
    }).pipe(Effect.provide(Sandbox.layer({ ...keyOptions, callbacks: { retryDelays: ["1 millis"], timeout: "2 seconds" } }))), 120_000)
})
