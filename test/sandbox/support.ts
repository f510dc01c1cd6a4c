/** Keys for the sandbox tests: real 2048-bit RSA pairs, generated once per test file (module). */
import { Effect, TestClock } from "effect"
import { Sandbox } from "../../src/sandbox/index.js"
import { APPID, MCHID, SUB_MCHID } from "../support/constants.js"
import { generateKeyPair } from "../support/keys.js"

/** A key pair as PEM text: PKCS#8 private, SPKI public. */
const pair = () => {
  const { pkcs8Pem, publicPem } = generateKeyPair()
  return { privateKey: pkcs8Pem, publicKey: publicPem }
}

export const merchant = pair()
export const platform = pair()

/** Sandbox options with the file's keys, so no test pays for key generation again. */
export const keyOptions = {
  merchantPrivateKey: merchant.privateKey,
  platformPrivateKey: platform.privateKey
} as const

/** The docs' request bodies, as the four endpoints take them. */
export const docs = {
  addUserRecords: {
    out_card_code: "6e8369071cd942c0476613f9d1ce9ca3",
    card_template_id: "87789b2f25177433bcbf407e8e471f95",
    objective_completion_records: [{
      objective_completion_serial_no: "578354545",
      objective_id: "123456",
      completion_time: "2015-05-20T13:29:35.120+08:00",
      completion_type: "INCREASE" as const,
      description: "购买商品",
      completion_count: 1,
      remark: "特价商品"
    }],
    reward_usage_records: [{
      reward_usage_serial_no: "578354",
      reward_id: "123456",
      usage_time: "2015-05-20T13:29:35.120+08:00",
      usage_type: "INCREASE" as const,
      description: "购买商品",
      usage_count: 1,
      amount: 100,
      remark: "特价商品"
    }]
  },
  updateOrder: {
    out_order_no: "233bcbf407e87789b8e471f251774f95",
    objectives: [{
      objective_serial_no: "578354545",
      objective_id: 123456,
      performance_description: "购买商品",
      performance_type: "INCREASE" as const,
      count: 1,
      performance_time: "2015-05-20T13:29:35.120+08:00",
      remark: "特价商品"
    }],
    rewards: [{
      reward_serial_no: "578354",
      reward_id: 123456,
      description: "购买商品",
      reward_type: "INCREASE" as const,
      count: 1,
      amount: 100,
      reward_time: "2015-05-20T13:29:35.120+08:00",
      remark: "特价商品"
    }]
  },
  sendConsumptionCard: {
    card_id: "pIJMr5MMiIkO_93VtPyIiEk2DZ4w",
    appid: APPID,
    openid: "oUpF8uMuAJ2pxb1Q9zNjWeS6o",
    out_request_no: "1002600620019090123143254436",
    send_time: "2019-09-01T12:00:00+08:00"
  },
  prepareBonus: {
    card_id: "478515832665",
    code: "478515832665",
    out_trade_no: "1217752501201407033233368018",
    mchid: MCHID,
    sub_mchid: SUB_MCHID,
    bonus_value: 30
  }
}

/** An RFC 3339 time in UTC+8 (as WeChat Pay writes them), `offsetMillis` from `millis`. */
export const beijingTime = (millis: number): string =>
  new Date(millis + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "+08:00")

/** Fresh sandbox state on a realistic clock (timestamps that look like WeChat's), for `layer(Sandbox.layer(...))` suites. */
export const fresh = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  yield* sandbox.reset
  yield* TestClock.setTime(Date.parse("2024-06-01T12:00:00+08:00"))
  return sandbox
})

/** How many objectives the docs' example order holds: the business record a retried update must not repeat. */
export const objectivesOf = (sandbox: Sandbox.SandboxService) =>
  Effect.map(sandbox.state, (s) => s.discountCardOrders[docs.updateOrder.out_order_no]!.objectives.length)
