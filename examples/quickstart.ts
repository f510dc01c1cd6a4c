/**
 * The README's first example, kept here so `npm test` type-checks it (run it with real merchant
 * credentials in MERCHANT_KEY_PEM and WECHATPAY_PUBLIC_KEY_PEM).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, Redacted } from "effect"
import { DiscountCard, WechatPay } from "../src/index.js"

const WechatPayLive = WechatPay.layer({
  mchid: "1900000001",
  merchantSerialNumber: "3775B6A45ACD588826D15E583A95F5DD********",
  merchantPrivateKey: Redacted.make(process.env.MERCHANT_KEY_PEM!), // PKCS#8 or PKCS#1 PEM
  platform: { publicKeyId: "PUB_KEY_ID_0114232134912410000000000000", publicKey: process.env.WECHATPAY_PUBLIC_KEY_PEM! }
}).pipe(Layer.provide(NodeHttpClient.layerUndici)) // any @effect/platform HttpClient

const program = DiscountCard.updateOrder({
  out_order_no: "233bcbf407e87789b8e471f251774f95",
  rewards: [{
    reward_serial_no: "r-0001",
    reward_id: 123456,
    count: 1,
    amount: 100,
    reward_time: "2026-11-22T13:29:35.120+08:00",
    description: "早餐券",
    reward_type: "INCREASE"
  }]
}).pipe(
  Effect.tap(({ order_id }) => Effect.log(`updated order ${order_id}`)),
  Effect.catchTags({
    ResourceNotExists: () => Effect.log("no such order"),
    FrequencyLimited: (e) => Effect.log(`slow down (request ${e.requestId})`)
  })
)

if (process.env.MERCHANT_KEY_PEM !== undefined) Effect.runPromise(program.pipe(Effect.provide(WechatPayLive)))
