/**
 * Each documented constraint of the four endpoints' request schemas, violated → RequestValidationError
 * and zero requests sent (counted on an in-memory HttpClient). Each valid baseline does send one.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Busifavor, DiscountCard, MembercardOpen, WechatPay } from "../../src/api/index.js"
import type { WechatPayClient } from "../../src/api/WechatPayClient.js"
import { clientLayer } from "../support/client.js"
import { testKeys } from "../support/keys.js"
import { memoryHttp } from "../support/memoryClient.js"
import { leaves, type Path, REMOVE, setAt } from "../support/mutate.js"
import * as samples from "../support/samples.js"

const keys = testKeys()
const BASE = "https://api.mch.weixin.qq.com"

/** Runs a call against a counting in-memory HttpClient (answering 404) and reports the failure and how many requests were sent. */
const attempt = <A, E>(call: Effect.Effect<A, E, WechatPayClient>) => {
  const http = memoryHttp()
  return call.pipe(
    WechatPay.withoutRetry,
    Effect.flip,
    Effect.provide(clientLayer(keys, BASE, http.layer)),
    Effect.map((error) => ({ error: error as { readonly _tag: string; readonly endpoint?: string }, sent: http.sent.length }))
  )
}

const s = (n: number, c = "a") => c.repeat(n)
const BAD_TIMES = [
  "2015-05-20 13:29:35+08:00",
  "2015-05-20T13:29:35",
  "2015-05-20T13:29:35+0800",
  "2015-05-20T13:29:35+08",
  "2015-13-20T13:29:35+08:00",
  "2015-02-29T00:00:00+08:00",
  "2015-04-31T00:00:00+08:00",
  "2015-05-20T24:00:00+08:00",
  "2015-05-20T13:60:00+08:00",
  "2015-05-20T13:29:35.+08:00",
  "2015-05-20T13:29:35+24:00",
  "20150520T132935+08:00",
  " 2015-05-20T13:29:35+08:00",
  "2015-05-20T13:29:35+08:00\n",
  "",
  "1432099775"
]

interface Endpoint<I> {
  readonly name: string
  readonly call: (input: I) => Effect.Effect<unknown, unknown, WechatPayClient>
  readonly sample: I
  readonly violations: ReadonlyArray<readonly [Path, unknown]>
}

const endpoint = <I>(e: Endpoint<I>) => e as Endpoint<unknown>

const times = (path: Path) => BAD_TIMES.map((t) => [path, t] as const)

const endpoints: ReadonlyArray<Endpoint<unknown>> = [
  endpoint({
    name: "DiscountCard.addUserRecords",
    call: DiscountCard.addUserRecords,
    sample: samples.addUserRecords,
    violations: [
      [["out_card_code"], REMOVE], [["out_card_code"], ""], [["out_card_code"], s(33)], [["out_card_code"], "ab/cd"], [["out_card_code"], "ab cd"],
      [["out_card_code"], "卡号"], [["out_card_code"], "a.b"], [["out_card_code"], "a%2Fb"], [["out_card_code"], 123],
      [["card_template_id"], REMOVE], [["card_template_id"], ""], [["card_template_id"], s(65)], [["card_template_id"], "模板😀"],
      [["objective_completion_records"], [samples.addUserRecords.objective_completion_records![0], samples.addUserRecords.objective_completion_records![0]]],
      [["objective_completion_records"], null],
      [["objective_completion_records", 0, "objective_completion_serial_no"], REMOVE],
      [["objective_completion_records", 0, "objective_completion_serial_no"], ""],
      [["objective_completion_records", 0, "objective_completion_serial_no"], s(33)],
      [["objective_completion_records", 0, "objective_id"], REMOVE],
      [["objective_completion_records", 0, "objective_id"], ""],
      [["objective_completion_records", 0, "objective_id"], s(33, "1")],
      [["objective_completion_records", 0, "completion_time"], REMOVE],
      ...times(["objective_completion_records", 0, "completion_time"]),
      [["objective_completion_records", 0, "completion_type"], REMOVE],
      [["objective_completion_records", 0, "completion_type"], "increase"],
      [["objective_completion_records", 0, "description"], REMOVE],
      [["objective_completion_records", 0, "description"], ""],
      [["objective_completion_records", 0, "description"], s(21, "一")],
      [["objective_completion_records", 0, "completion_count"], REMOVE],
      [["objective_completion_records", 0, "completion_count"], 0],
      [["objective_completion_records", 0, "completion_count"], -1],
      [["objective_completion_records", 0, "completion_count"], 1.5],
      [["objective_completion_records", 0, "completion_count"], "1"],
      [["objective_completion_records", 0, "remark"], ""],
      [["objective_completion_records", 0, "remark"], s(51)],
      [["reward_usage_records", 0, "reward_usage_serial_no"], REMOVE],
      [["reward_usage_records", 0, "reward_usage_serial_no"], ""],
      [["reward_usage_records", 0, "reward_usage_serial_no"], s(33)],
      [["reward_usage_records", 0, "reward_id"], ""],
      [["reward_usage_records", 0, "reward_id"], s(33)],
      [["reward_usage_records", 0, "usage_time"], REMOVE],
      ...times(["reward_usage_records", 0, "usage_time"]),
      [["reward_usage_records", 0, "usage_type"], "UP"],
      [["reward_usage_records", 0, "description"], ""],
      [["reward_usage_records", 0, "description"], s(21, "一")],
      [["reward_usage_records", 0, "usage_count"], 0],
      [["reward_usage_records", 0, "usage_count"], 2.5],
      [["reward_usage_records", 0, "amount"], REMOVE],
      [["reward_usage_records", 0, "amount"], 0],
      [["reward_usage_records", 0, "amount"], -100],
      [["reward_usage_records", 0, "amount"], 1.5],
      [["reward_usage_records", 0, "amount"], "100"],
      [["reward_usage_records", 0, "remark"], ""],
      [["reward_usage_records", 0, "remark"], s(51)]
    ]
  }),
  endpoint({
    name: "DiscountCard.updateOrder",
    call: DiscountCard.updateOrder,
    sample: samples.updateOrder,
    violations: [
      [["out_order_no"], REMOVE], [["out_order_no"], ""], [["out_order_no"], s(65)], [["out_order_no"], "订单😀"],
      [["out_order_no"], "."], [["out_order_no"], ".."],
      [["objectives"], Array(6).fill(samples.updateOrder.objectives![0])],
      [["rewards"], Array(6).fill(samples.updateOrder.rewards![0])],
      [["objectives", 0, "objective_serial_no"], REMOVE],
      [["objectives", 0, "objective_serial_no"], ""],
      [["objectives", 0, "objective_serial_no"], s(33)],
      [["objectives", 0, "objective_id"], REMOVE],
      [["objectives", 0, "objective_id"], "abc"],
      [["objectives", 0, "objective_id"], "12a"],
      [["objectives", 0, "objective_id"], -1],
      [["objectives", 0, "objective_id"], 1.5],
      [["objectives", 0, "count"], REMOVE],
      [["objectives", 0, "count"], 1.5],
      [["objectives", 0, "count"], "1"],
      [["objectives", 0, "performance_time"], REMOVE],
      ...times(["objectives", 0, "performance_time"]),
      [["objectives", 0, "performance_description"], REMOVE],
      [["objectives", 0, "performance_description"], ""],
      [["objectives", 0, "performance_type"], REMOVE],
      [["objectives", 0, "performance_type"], "BOTH"],
      [["objectives", 0, "remark"], "😀"],
      [["rewards", 0, "reward_serial_no"], REMOVE],
      [["rewards", 0, "reward_serial_no"], s(33)],
      [["rewards", 0, "reward_id"], REMOVE],
      [["rewards", 0, "reward_id"], "x1"],
      [["rewards", 0, "count"], 0.5],
      [["rewards", 0, "amount"], REMOVE],
      [["rewards", 0, "amount"], -1],
      [["rewards", 0, "amount"], 1.5],
      [["rewards", 0, "reward_time"], REMOVE],
      ...times(["rewards", 0, "reward_time"]),
      [["rewards", 0, "description"], REMOVE],
      [["rewards", 0, "description"], ""],
      [["rewards", 0, "reward_type"], "decrease"]
    ]
  }),
  endpoint({
    name: "Busifavor.sendConsumptionCard",
    call: Busifavor.sendConsumptionCard,
    sample: samples.sendConsumptionCard,
    violations: [
      [["card_id"], REMOVE], [["card_id"], ""], [["card_id"], s(29)], [["card_id"], "."], [["card_id"], ".."],
      [["appid"], REMOVE], [["appid"], ""], [["appid"], s(19)],
      [["openid"], REMOVE], [["openid"], ""], [["openid"], s(29)],
      [["out_request_no"], REMOVE], [["out_request_no"], ""], [["out_request_no"], s(33)], [["out_request_no"], "a-b"],
      [["out_request_no"], "a_b"], [["out_request_no"], "编号"], [["out_request_no"], "ab cd"],
      [["send_time"], REMOVE],
      ...times(["send_time"])
    ]
  }),
  endpoint({
    name: "MembercardOpen.prepareBonus",
    call: MembercardOpen.prepareBonus,
    sample: samples.prepareBonus,
    violations: [
      [["card_id"], REMOVE], [["card_id"], ""], [["card_id"], s(33)], [["card_id"], "."], [["card_id"], ".."],
      [["code"], REMOVE], [["code"], ""], [["code"], s(33)], [["code"], "."], [["code"], ".."],
      [["out_trade_no"], REMOVE], [["out_trade_no"], ""], [["out_trade_no"], s(33)],
      [["mchid"], REMOVE], [["mchid"], ""], [["mchid"], s(33)],
      [["sub_mchid"], ""], [["sub_mchid"], s(33)],
      [["bonus_value"], REMOVE], [["bonus_value"], 0], [["bonus_value"], -1], [["bonus_value"], 1.5], [["bonus_value"], "100"]
    ]
  })
]

const show = (v: unknown) => (v === REMOVE ? "missing" : JSON.stringify(v)?.slice(0, 40) ?? String(v))

describe("documented constraints → RequestValidationError, nothing sent", () => {
  for (const e of endpoints) {
    describe(e.name, () => {
      it.effect("the valid sample is sent (the counter counts)", () =>
        Effect.gen(function*() {
          const { error, sent } = yield* attempt(e.call(e.sample))
          expect(error._tag).toBe("ResourceNotExists")
          expect(sent).toBe(1)
        }))

      for (const [path, value] of e.violations) {
        it.effect(`${path.join(".")} = ${show(value)}`, () =>
          Effect.gen(function*() {
            const { error, sent } = yield* attempt(e.call(setAt(e.sample, path, value)))
            expect(error).toMatchObject({ _tag: "RequestValidationError", endpoint: e.name })
            expect(sent).toBe(0)
          }))
      }

      it.effect("a 4-byte character (emoji) in any string field", () =>
        Effect.gen(function*() {
          const strings = leaves(e.sample).filter(([, v]) => typeof v === "string")
          expect(strings.length).toBeGreaterThan(2)
          for (const [path, v] of strings) {
            const { error, sent } = yield* attempt(e.call(setAt(e.sample, path, `${(v as string).slice(0, 1)}😀`)))
            expect([path, error._tag, sent]).toEqual([path, "RequestValidationError", 0])
          }
        }))

      it.effect("a lone surrogate in any string field", () =>
        Effect.gen(function*() {
          for (const [path, v] of leaves(e.sample).filter(([, v]) => typeof v === "string")) {
            const { error, sent } = yield* attempt(e.call(setAt(e.sample, path, `${(v as string).slice(0, 1)}\uD83D`)))
            expect([path, error._tag, sent]).toEqual([path, "RequestValidationError", 0])
          }
        }))

      it.effect("a non-integer in any numeric field", () =>
        Effect.gen(function*() {
          for (const [path] of leaves(e.sample).filter(([, v]) => typeof v === "number")) {
            for (const bad of [0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
              const { error, sent } = yield* attempt(e.call(setAt(e.sample, path, bad)))
              expect([path, bad, error._tag, sent]).toEqual([path, bad, "RequestValidationError", 0])
            }
          }
        }))
    })
  }

  it.effect("updateOrder: neither objectives nor rewards, or both empty", () =>
    Effect.gen(function*() {
      const { out_order_no } = samples.updateOrder
      for (const input of [{ out_order_no }, { out_order_no, objectives: [], rewards: [] }, { out_order_no, objectives: [] }, { out_order_no, rewards: [] }]) {
        const { error, sent } = yield* attempt(DiscountCard.updateOrder(input))
        expect([input, error._tag, sent]).toEqual([input, "RequestValidationError", 0])
      }
      // either alone is enough
      for (const input of [{ out_order_no, objectives: samples.updateOrder.objectives! }, { out_order_no, rewards: samples.updateOrder.rewards! }]) {
        const { sent } = yield* attempt(DiscountCard.updateOrder(input))
        expect(sent).toBe(1)
      }
    }))

  it.effect("limits are inclusive: exactly max characters (counted as characters, CJK included) and max items pass", () =>
    Effect.gen(function*() {
      const inputs = [
        DiscountCard.addUserRecords({ ...samples.addUserRecords, out_card_code: s(32), card_template_id: s(64, "模") }),
        DiscountCard.updateOrder({ ...samples.updateOrder, out_order_no: s(64, "订"), objectives: Array(5).fill(samples.updateOrder.objectives![0]), rewards: Array(5).fill(samples.updateOrder.rewards![0]) }),
        Busifavor.sendConsumptionCard({ ...samples.sendConsumptionCard, card_id: s(28, "卡"), appid: s(18), openid: s(28, "用"), out_request_no: s(32, "Z") }),
        MembercardOpen.prepareBonus({ ...samples.prepareBonus, card_id: s(32, "卡"), code: s(32), out_trade_no: s(32), mchid: s(32), sub_mchid: s(32) })
      ]
      for (const call of inputs) {
        const { error, sent } = yield* attempt(call)
        expect([error._tag, sent]).toEqual(["ResourceNotExists", 1])
      }
    }))

  it.effect("WechatPay.request: dot-segment or missing path parameters and 4-byte bodies are refused before sending", () =>
    Effect.gen(function*() {
      const calls = [
        WechatPay.request({ method: "GET", path: "/v3/x/{id}", params: { id: ".." } }),
        WechatPay.request({ method: "GET", path: "/v3/x/{id}", params: { id: "." } }),
        WechatPay.request({ method: "GET", path: "/v3/x/{id}", params: { id: "" } }),
        WechatPay.request({ method: "GET", path: "/v3/x/{id}", params: {} }),
        WechatPay.request({ method: "POST", path: "/v3/x", body: { remark: "好😀" } })
      ]
      for (const call of calls) {
        const { error, sent } = yield* attempt(call)
        expect([error._tag, sent]).toEqual(["RequestValidationError", 0])
      }
    }))
})
