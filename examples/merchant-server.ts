/**
 * A small merchant server for the payment flow, to copy and adapt:
 *
 *   POST /orders                 { total, openid } → a JSAPI prepay, and what `wx.requestPayment` needs
 *   POST /wechatpay/notify       the notify URL: `Notifications.handler` (TRANSACTION.SUCCESS, REFUND.*)
 *   GET  /orders/:out_trade_no   the order as WeChat Pay has it
 *   POST /orders/:out_trade_no/refund   { amount } → a refund
 *   GET  /bills/:date            that day's trade bill: downloaded, digest checked, parsed
 *
 * Against WeChat Pay: `npx tsx examples/merchant-server.ts` with WECHATPAY_* set (see
 * `WechatPay.config`), WECHATPAY_APPID, and PUBLIC_URL (where WeChat Pay reaches this server).
 * Offline: `npx tsx examples/merchant-server.ts --sandbox` runs an embedded sandbox and prints how
 * to play the payer.
 */
import { HttpMiddleware, HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import * as crypto from "node:crypto"
import * as http from "node:http"
import { Config, Console, Effect, Layer, Schema } from "effect"
import { Bills, Notifications, PaySign, WechatPay, WechatPayClient } from "../src/index.js"
import { Sandbox } from "../src/sandbox/index.js"
import { v3 } from "../src/v3/index.js"

const PORT = Number(process.env["PORT"] ?? 3000)
const sandboxMode = process.argv.includes("--sandbox")

const settings = Config.all({
  appid: Config.string("WECHATPAY_APPID").pipe(Config.withDefault("wxd678efh567hg6787")),
  publicUrl: Config.string("PUBLIC_URL").pipe(Config.withDefault(`http://127.0.0.1:${PORT}`))
})

/** What this merchant keeps of its orders (your database). */
const paid = new Map<string, { readonly transaction_id: string; readonly total: number }>()

const CreateOrder = Schema.Struct({ total: Schema.Int.pipe(Schema.positive()), openid: Schema.NonEmptyString })
const Refund = Schema.Struct({ amount: Schema.Int.pipe(Schema.positive()) })

/** Any failure as JSON: typed errors keep their tag (a WeChat Pay code's class, a validation error …). */
const failed = (e: { readonly _tag: string; readonly message?: string }) =>
  HttpServerResponse.unsafeJson({ error: e._tag, message: e.message ?? "" }, { status: e._tag === "RequestValidationError" || e._tag === "ParseError" ? 400 : 502 })

const router = Effect.gen(function*() {
  const { appid, publicUrl } = yield* settings
  const client = yield* WechatPayClient.WechatPayClient
  return HttpRouter.empty.pipe(
    HttpRouter.post(
      "/orders",
      Effect.gen(function*() {
        const { openid, total } = yield* HttpServerRequest.schemaBodyJson(CreateOrder)
        const out_trade_no = `M${Date.now()}${crypto.randomBytes(3).toString("hex")}`
        const { prepay_id } = yield* v3.pay.transactions.jsapi.post({
          appid,
          mchid: client.mchid,
          description: "Demo order",
          out_trade_no,
          notify_url: `${publicUrl}/wechatpay/notify`,
          amount: { total, currency: "CNY" },
          payer: { openid }
        })
        // the front end passes these to wx.requestPayment as they are
        return HttpServerResponse.unsafeJson({ out_trade_no, requestPayment: yield* PaySign.jsapi({ appId: appid, prepayId: prepay_id }) })
      }).pipe(Effect.catchAll(failed))
    ),
    HttpRouter.post(
      "/wechatpay/notify",
      Notifications.handler((event) =>
        Effect.sync(() => {
          if (event._tag === "TRANSACTION.SUCCESS") {
            paid.set(event.resource.out_trade_no, { transaction_id: event.resource.transaction_id, total: event.resource.amount.total })
          }
        }).pipe(Effect.zipLeft(Effect.logInfo(`notification ${event.event_type}`)))
      )
    ),
    HttpRouter.get(
      "/orders/:out_trade_no",
      Effect.gen(function*() {
        const { out_trade_no } = yield* HttpRouter.params
        const order = yield* v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: out_trade_no!, mchid: client.mchid })
        return HttpServerResponse.unsafeJson({ ...order, paidHere: paid.has(out_trade_no!) })
      }).pipe(Effect.catchAll(failed))
    ),
    HttpRouter.post(
      "/orders/:out_trade_no/refund",
      Effect.gen(function*() {
        const { out_trade_no } = yield* HttpRouter.params
        const { amount } = yield* HttpServerRequest.schemaBodyJson(Refund)
        const order = paid.get(out_trade_no!)
        if (order === undefined) return HttpServerResponse.unsafeJson({ error: "NotPaid", message: "no payment notification for this order yet" }, { status: 409 })
        const refund = yield* v3.refund.domestic.refunds.post({
          out_trade_no: out_trade_no!,
          out_refund_no: `${out_trade_no}-R${Date.now()}`,
          notify_url: `${publicUrl}/wechatpay/notify`,
          amount: { refund: amount, total: order.total, currency: "CNY" }
        })
        return HttpServerResponse.unsafeJson(refund)
      }).pipe(Effect.catchAll(failed))
    ),
    HttpRouter.get(
      "/bills/:date",
      Effect.gen(function*() {
        const { date } = yield* HttpRouter.params
        const answer = yield* v3.bill.tradebill.get({ bill_date: date!, tar_type: "GZIP" })
        const bill = yield* Bills.download(answer, { tar_type: "GZIP" }).pipe(Bills.asText, Effect.flatMap(Bills.parseTradeBill))
        return HttpServerResponse.unsafeJson(bill)
      }).pipe(Effect.catchAll(failed))
    )
  )
})

const serve = Layer.unwrapEffect(Effect.map(router, (app) => HttpServer.serve(app, HttpMiddleware.logger)))

const server = NodeHttpServer.layer(() => http.createServer(), { port: PORT, host: "127.0.0.1" })

/** Against WeChat Pay, configured from the environment. */
const live = serve.pipe(
  Layer.provide(server),
  Layer.provide(WechatPay.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici)))
)

/** Against an embedded sandbox on loopback. */
const offline = Layer.unwrapScoped(
  Effect.gen(function*() {
    const sandbox = yield* Sandbox.make()
    yield* Console.log([
      `sandbox at ${sandbox.url}; merchant server at http://127.0.0.1:${PORT}`,
      `  curl -s -XPOST localhost:${PORT}/orders -d '{"total":100,"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}'`,
      `  curl -s -XPOST ${sandbox.url}/__sandbox/transactions/<out_trade_no>/pay      (the payer pays)`,
      `  curl -s localhost:${PORT}/orders/<out_trade_no>`,
      `  curl -s -XPOST localhost:${PORT}/orders/<out_trade_no>/refund -d '{"amount":30}'`,
      `  curl -s localhost:${PORT}/bills/$(TZ=Asia/Shanghai date +%F)`
    ].join("\n"))
    return serve.pipe(Layer.provide(server), Layer.provide(sandbox.clientLayer().pipe(Layer.provide(NodeHttpClient.layerUndici))))
  })
)

NodeRuntime.runMain(Layer.launch(sandboxMode ? offline : live))
