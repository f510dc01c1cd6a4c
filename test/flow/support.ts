/** Helpers for the payment-flow tests: a real callback receiver, order bodies, the generated endpoints. */
import * as http from "node:http"
import { Effect } from "effect"
import { bill } from "../../src/v3/bill.js"
import { pay } from "../../src/v3/pay.js"
import { refund } from "../../src/v3/refund.js"

export const MCHID = "1230000109"
export const APPID = "wxd678efh567hg6787"
export const OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"

export const v3 = { pay, refund, bill }
export const t = pay.transactions

export interface Received {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A node:http notify receiver answering `status` (by attempt number), closed with the scope. */
export const receiver = (status: (n: number) => number = () => 204) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly received: Array<Received>; readonly server: http.Server }>((resume) => {
      const received: Array<Received> = []
      const server = http.createServer((req, res) => {
        let body = ""
        req.on("data", (c) => (body += c))
        req.on("end", () => {
          received.push({ headers: req.headers as Record<string, string>, body })
          res.statusCode = status(received.length)
          res.end()
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as { port: number }).port
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}/notify`, received, server }))
      })
    }),
    ({ server }) => Effect.async<void>((resume) => void server.close(() => resume(Effect.void)))
  )

/** A notify URL nobody listens on: deliveries fail fast (refused), nothing leaves the machine. */
export const NOWHERE = "http://127.0.0.1:9/notify"

/** A JSAPI prepay body. */
export const jsapiOrder = (out_trade_no: string, total: number, notify_url: string = NOWHERE) => ({
  appid: APPID,
  mchid: MCHID,
  description: "Image形象店-深圳腾大-QQ公仔",
  out_trade_no,
  notify_url,
  amount: { total, currency: "CNY" as const },
  payer: { openid: OPENID }
})

/** A refund body for a whole or partial amount. */
export const refundOf = (out_trade_no: string, out_refund_no: string, refundAmount: number, total: number, notify_url?: string) => ({
  out_trade_no,
  out_refund_no,
  amount: { refund: refundAmount, total, currency: "CNY" as const },
  ...(notify_url !== undefined ? { notify_url } : {})
})
