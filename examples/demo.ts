/**
 * `npm start`: a merchant's payment flow against the sandbox on loopback, with real signatures both
 * ways. A JSAPI prepay → `PaySign.jsapi` for the front end → the payer pays (simulated) → the
 * TRANSACTION.SUCCESS notification, handled by `Notifications.handler` mounted in an `HttpRouter`
 * → query SUCCESS → refund → REFUND.SUCCESS → the day's trade bill, downloaded, digest checked,
 * parsed. Then the hand-written endpoints and a typed error. Prints a short report and exits 0.
 */
import { HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import * as http from "node:http"
import { Console, Context, Deferred, Effect, Layer } from "effect"
import { Bills, Busifavor, DiscountCard, MembercardOpen, Notifications, PaySign } from "../src/index.js"
import { Sandbox } from "../src/sandbox/index.js"
import { v3 } from "../src/v3/index.js"

const APPID = "wxd678efh567hg6787"
const MCHID = "1230000109"

/** RFC 3339 in UTC+8 (as WeChat Pay writes times), and the Beijing date. */
const beijingNow = () => new Date(Date.now() + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "+08:00")

const ok = (name: string, result: string) => Console.log(`  ✓ ${name.padEnd(36)} ${result}`)

/** The merchant's notify URL: `Notifications.handler` in an `HttpRouter`, handing each event to the flow. */
const merchantServer = Effect.gen(function*() {
  const events: Array<Deferred.Deferred<Notifications.NotificationEvent>> = [yield* Deferred.make<Notifications.NotificationEvent>(), yield* Deferred.make<Notifications.NotificationEvent>()]
  let next = 0
  const app = HttpRouter.empty.pipe(
    HttpRouter.post("/wechatpay/notify", Notifications.handler((event) => Deferred.succeed(events[next++]!, event)))
  )
  const server = yield* Layer.build(NodeHttpServer.layer(() => http.createServer(), { port: 0, host: "127.0.0.1" }))
  yield* HttpServer.serveEffect(app).pipe(Effect.provide(server))
  const { port } = Context.get(server, HttpServer.HttpServer).address as HttpServer.TcpAddress
  return { notifyUrl: `http://127.0.0.1:${port}/wechatpay/notify`, events }
})

const paymentFlow = (sandbox: Sandbox.SandboxServer) =>
  Effect.gen(function*() {
    const { events, notifyUrl } = yield* merchantServer
    const out_trade_no = `demo${Date.now()}`

    const { prepay_id } = yield* v3.pay.transactions.jsapi.post({
      appid: APPID,
      mchid: MCHID,
      description: "Image形象店-深圳腾大-QQ公仔",
      out_trade_no,
      notify_url: notifyUrl,
      amount: { total: 1000, currency: "CNY" },
      payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }
    })
    yield* ok("JSAPI prepay", `prepay_id ${prepay_id}`)

    const front = yield* PaySign.jsapi({ appId: APPID, prepayId: prepay_id })
    yield* ok("PaySign.jsapi → wx.requestPayment", `${front.package}, paySign ${front.paySign.slice(0, 16)}…`)

    yield* sandbox.pay(out_trade_no)
    const paid = yield* Deferred.await(events[0]!)
    if (paid._tag !== "TRANSACTION.SUCCESS") return yield* Effect.dieMessage(`expected TRANSACTION.SUCCESS, got ${paid.event_type}`)
    yield* ok("notification (verified, decrypted)", `${paid.event_type} ${paid.resource.transaction_id} ${paid.resource.amount.total} fen`)

    const order = yield* v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no, mchid: MCHID })
    yield* ok("query by out_trade_no", `${order.trade_state} at ${order.success_time}`)

    const refund = yield* v3.refund.domestic.refunds.post({
      out_trade_no,
      out_refund_no: `${out_trade_no}-r1`,
      amount: { refund: 300, total: 1000, currency: "CNY" }
    })
    yield* ok("refund", `${refund.status} ${refund.amount.refund} fen`)
    yield* sandbox.completeRefund(refund.out_refund_no)
    const refunded = yield* Deferred.await(events[1]!)
    yield* ok("notification", `${refunded.event_type}`)

    const answer = yield* v3.bill.tradebill.get({ bill_date: beijingNow().slice(0, 10), tar_type: "GZIP" })
    const bill = yield* Bills.download(answer, { tar_type: "GZIP" }).pipe(Bills.asText, Effect.flatMap(Bills.parseTradeBill))
    yield* ok("trade bill (gunzipped, SHA1 checked)", `${bill.summary.count} rows, ${bill.summary.settlement_total} in, ${bill.summary.settlement_refund} refunded (fen)`)
  })

/** The hand-written endpoints, and a typed error handled with `Effect.catchTags`. */
const curated = Effect.gen(function*() {
  yield* DiscountCard.addUserRecords({
    out_card_code: "6e8369071cd942c0476613f9d1ce9ca3",
    card_template_id: "87789b2f25177433bcbf407e8e471f95",
    objective_completion_records: [{
      objective_completion_serial_no: "578354545",
      objective_id: "123456",
      completion_time: "2015-05-20T13:29:35.120+08:00",
      completion_type: "INCREASE",
      description: "购买商品",
      completion_count: 1
    }]
  })
  yield* ok("DiscountCard.addUserRecords", "204 No Content")
  const order = yield* DiscountCard.updateOrder({
    out_order_no: "233bcbf407e87789b8e471f251774f95",
    rewards: [{ reward_serial_no: "578354", reward_id: 123456, description: "购买商品", reward_type: "INCREASE", count: 1, amount: 100, reward_time: "2015-05-20T13:29:35.120+08:00" }]
  })
  yield* ok("DiscountCard.updateOrder", `order_id ${order.order_id}`)
  const send = { card_id: "pIJMr5MMiIkO_93VtPyIiEk2DZ4w", appid: APPID, openid: "oUpF8uMuAJ2pxb1Q9zNjWeS6o", out_request_no: "1002600620019090123143254436", send_time: beijingNow() }
  yield* ok("Busifavor.sendConsumptionCard", `card_code ${(yield* Busifavor.sendConsumptionCard(send)).card_code}`)
  yield* MembercardOpen.prepareBonus({ card_id: "478515832665", code: "478515832665", out_trade_no: "1217752501201407033233368018", mchid: MCHID, bonus_value: 30 })
  yield* ok("MembercardOpen.prepareBonus", "204 No Content")
  // The same out_request_no with other content: WeChat Pay (and the sandbox) refuse it.
  const reused = yield* Busifavor.sendConsumptionCard({ ...send, openid: "oSomeoneElse" }).pipe(
    Effect.as("accepted (unexpected)"),
    Effect.catchTags({ InvalidRequest: (e) => Effect.succeed(`InvalidRequest ${e.status} ${e.code}: ${e.message}`) })
  )
  yield* ok("reused out_request_no", reused)
})

const program = Effect.gen(function*() {
  const sandbox = yield* Sandbox.make()
  yield* Console.log(`WeChat Pay sandbox at ${sandbox.url} (mchid ${sandbox.mchid}, platform key ${sandbox.platformPublicKeyId})`)
  const client = sandbox.clientLayer().pipe(Layer.provide(NodeHttpClient.layerUndici))
  yield* Console.log("A payment, end to end:")
  yield* paymentFlow(sandbox).pipe(Effect.provide(client))
  yield* Console.log("The hand-written endpoints:")
  yield* curated.pipe(Effect.provide(client))
  const requests = yield* sandbox.requests
  const deliveries = yield* sandbox.deliveries
  yield* Console.log(`  ${requests.length} signed requests received, ${deliveries.length} signed callbacks delivered; every answer verified.`)
}).pipe(Effect.scoped)

NodeRuntime.runMain(program)
