/**
 * `npm start`: the sandbox on loopback, the real client over HTTP, the four hand-written endpoints,
 * one typed error handled with `Effect.catchTags`, and one generated endpoint by its chain.
 * Prints a short report and exits 0.
 */
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import { Busifavor, DiscountCard, MembercardOpen } from "../src/index.js"
import { Sandbox } from "../src/sandbox/index.js"
import { v3 } from "../src/v3/index.js"

/** RFC 3339 in UTC+8, as WeChat Pay writes times. */
const beijingNow = () => new Date(Date.now() + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "+08:00")

const calls = Effect.gen(function*() {
  const lines: Array<string> = []
  const ok = (name: string, result: string) => lines.push(`  ✓ ${name.padEnd(34)} ${result}`)

  yield* DiscountCard.addUserRecords({
    out_card_code: "6e8369071cd942c0476613f9d1ce9ca3",
    card_template_id: "87789b2f25177433bcbf407e8e471f95",
    objective_completion_records: [{
      objective_completion_serial_no: "578354545",
      objective_id: "123456",
      completion_time: "2015-05-20T13:29:35.120+08:00",
      completion_type: "INCREASE",
      description: "购买商品",
      completion_count: 1,
      remark: "特价商品"
    }]
  })
  ok("DiscountCard.addUserRecords", "204 No Content")

  const order = yield* DiscountCard.updateOrder({
    out_order_no: "233bcbf407e87789b8e471f251774f95",
    rewards: [{
      reward_serial_no: "578354",
      reward_id: 123456,
      description: "购买商品",
      reward_type: "INCREASE",
      count: 1,
      amount: 100,
      reward_time: "2015-05-20T13:29:35.120+08:00"
    }]
  })
  ok("DiscountCard.updateOrder", `order_id ${order.order_id}`)

  const send = {
    card_id: "pIJMr5MMiIkO_93VtPyIiEk2DZ4w",
    appid: "wxd678efh567hg6787",
    openid: "oUpF8uMuAJ2pxb1Q9zNjWeS6o",
    out_request_no: "1002600620019090123143254436",
    send_time: beijingNow()
  }
  const card = yield* Busifavor.sendConsumptionCard(send)
  ok("Busifavor.sendConsumptionCard", `card_code ${card.card_code}`)

  yield* MembercardOpen.prepareBonus({
    card_id: "478515832665",
    code: "478515832665",
    out_trade_no: "1217752501201407033233368018",
    mchid: "1230000109",
    bonus_value: 30
  })
  ok("MembercardOpen.prepareBonus", "204 No Content")

  // The same out_request_no with other content: WeChat Pay (and the sandbox) refuse it.
  const reused = yield* Busifavor.sendConsumptionCard({ ...send, openid: "oSomeoneElse" }).pipe(
    Effect.as("accepted (unexpected)"),
    Effect.catchTags({
      InvalidRequest: (e) => Effect.succeed(`InvalidRequest ${e.status} ${e.code}: ${e.message}`),
      ParamError: (e) => Effect.succeed(`ParamError ${e.status}: ${e.message}`)
    })
  )
  lines.push(`  ✓ ${"reused out_request_no".padEnd(34)} ${reused}`)

  // Any of the 972 generated endpoints, by the docs' chain: a JSAPI prepay (emulated: checked
  // with the same schemas, answered with the documented example, signed).
  const prepay = yield* v3.pay.transactions.jsapi.post({
    appid: "wxd678efh567hg6787",
    mchid: "1230000109",
    description: "Image形象店-深圳腾大-QQ公仔",
    out_trade_no: "1217752501201407033233368018",
    notify_url: "https://www.weixin.qq.com/wxpay/pay.php",
    amount: { total: 100, currency: "CNY" },
    payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }
  })
  ok("v3.pay.transactions.jsapi.post", `prepay_id ${prepay.prepay_id}`)
  return lines
})

const program = Effect.gen(function*() {
  const server = yield* Sandbox.make()
  const lines = yield* calls.pipe(Effect.provide(server.clientLayer().pipe(Layer.provide(NodeHttpClient.layerUndici))))
  const requests = yield* server.requests
  yield* Console.log(`WeChat Pay sandbox at ${server.url} (mchid ${server.mchid}, platform key ${server.platformPublicKeyId})`)
  yield* Console.log(lines.join("\n"))
  yield* Console.log(`  ${requests.length} signed requests received, every answer signed and verified.`)
}).pipe(Effect.scoped)

NodeRuntime.runMain(program)
