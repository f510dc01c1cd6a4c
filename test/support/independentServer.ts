/**
 * A stand-in for api.mch.weixin.qq.com: a real `node:http` server on 127.0.0.1 that records every
 * request as received on the wire (method, raw path+query, body bytes), checks its Authorization
 * with plain node:crypto (`independent.ts`, none of our signing code), and answers like WeChat Pay:
 * signed 2xx answers, unsigned error bodies. Tests can replace the handler and tamper with answers.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { Context, Effect, Layer } from "effect"
import { type AuthCheck, checkAuthorization, type SignedHeaders, signAnswer, signedHeaderRecord } from "./independent.js"
import { MCHID, MERCHANT_SERIAL, PUBLIC_KEY_ID } from "./constants.js"
import { type TestKeys } from "./keys.js"

export interface Received {
  readonly method: string
  /** `req.url` exactly as it came over the wire: path plus `?query`. */
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: Buffer
  readonly auth: AuthCheck
}

export interface Reply {
  readonly status: number
  readonly body?: string | Buffer | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Sign the answer with the platform key. Default: 2xx are signed, others are not. */
  readonly sign?: boolean | undefined
  /** Signing inputs to override (e.g. a stale timestamp or another serial). */
  readonly signWith?: { readonly timestamp?: string | number; readonly nonce?: string; readonly serial?: string } | undefined
  /** Changes the signed headers and/or body after signing (forgery, corruption). */
  readonly tamper?: ((signed: SignedHeaders & { readonly body: Buffer }) => SignedHeaders & { readonly body: Buffer }) | undefined
  /** Signed headers to leave out. */
  readonly omit?: ReadonlyArray<string> | undefined
}

export type Handler = (request: Received) => Reply

export interface IndependentServerService {
  readonly url: string
  readonly received: Array<Received>
  /** Replaces the handler until `reset`. */
  readonly setHandler: (handler: Handler) => void
  /** Back to `defaultHandler`, with the record of requests cleared. */
  readonly reset: () => void
}

export class IndependentServer extends Context.Tag("test/IndependentServer")<IndependentServer, IndependentServerService>() {}

const json = (status: number, value: unknown): Reply => ({ status, body: JSON.stringify(value), headers: { "content-type": "application/json" } })

export const errorReply = (status: number, code: string, message = "test error", detail?: unknown): Reply =>
  json(status, detail === undefined ? { code, message } : { code, message, detail })

const ROUTES: ReadonlyArray<readonly [string, RegExp, (m: RegExpExecArray, body: unknown) => Reply]> = [
  ["POST", /^\/v3\/discount-card\/cards\/([^/?#]+)\/add-user-records$/, () => ({ status: 204 })],
  ["PATCH", /^\/v3\/discount-card\/orders\/([^/?#]+)$/, (m) => json(200, { out_order_no: decodeURIComponent(m[1]!), order_id: "30000000000000000001" })],
  ["POST", /^\/v3\/marketing\/busifavor\/coupons\/([^/?#]+)\/send$/, () => json(200, { card_code: "125004100000001" })],
  ["POST", /^\/v3\/marketing\/membercard-open\/cards\/([^/?#]+)\/codes\/([^/?#]+)\/bonus\/prepare$/, () => ({ status: 204 })]
]

/** Like WeChat Pay: 401 SIGN_ERROR for a bad Authorization, the four endpoints' happy answers, 404 otherwise. */
export const defaultHandler: Handler = (req) => {
  if (!req.auth.ok) return errorReply(401, "SIGN_ERROR", `signature check failed: ${req.auth.reason}`)
  const path = req.url.split("?")[0]!
  for (const [method, pattern, answer] of ROUTES) {
    const m = pattern.exec(path)
    if (m !== null && method === req.method) {
      let body: unknown
      try {
        body = JSON.parse(req.body.toString("utf8"))
      } catch {
        return errorReply(400, "PARAM_ERROR", "body is not JSON")
      }
      return answer(m, body)
    }
  }
  return errorReply(404, "RESOURCE_NOT_EXISTS", "no such resource")
}

export const make = (keys: TestKeys): Effect.Effect<IndependentServerService, never, import("effect").Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<IndependentServerService>((resume) => {
      const received: Array<Received> = []
      let handler: Handler = defaultHandler
      const server = http.createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c: Buffer) => chunks.push(c))
        req.on("end", () => {
          const body = Buffer.concat(chunks)
          const method = req.method ?? ""
          const url = req.url ?? ""
          const header = req.headers.authorization
          const auth = checkAuthorization({
            header,
            method,
            url,
            body,
            publicKey: keys.merchant.publicKey,
            mchid: MCHID,
            serialNo: MERCHANT_SERIAL
          })
          const request: Received = { method, url, headers: req.headers, body, auth }
          received.push(request)
          let reply: Reply
          try {
            reply = handler(request)
          } catch (e) {
            reply = errorReply(500, "SYSTEM_ERROR", `test handler threw: ${String(e)}`)
          }
          const replyBody = reply.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(reply.body, "utf8")
          const headers: Record<string, string> = { ...reply.headers }
          let sentBody = replyBody
          const shouldSign = reply.sign ?? (reply.status >= 200 && reply.status < 300)
          if (shouldSign) {
            let signed: SignedHeaders & { body: Buffer } = {
              ...signAnswer({
                body: replyBody,
                privateKey: keys.platform.privateKey,
                serial: reply.signWith?.serial ?? PUBLIC_KEY_ID,
                timestamp: reply.signWith?.timestamp,
                nonce: reply.signWith?.nonce
              }),
              body: replyBody
            }
            if (reply.tamper) signed = reply.tamper(signed)
            sentBody = signed.body
            const signedHeaders = signedHeaderRecord(signed)
            for (const name of reply.omit ?? []) delete signedHeaders[name]
            Object.assign(headers, signedHeaders)
          }
          const bodyless = reply.status === 204 || reply.status === 205 || reply.status === 304
          if (!bodyless) headers["content-length"] = String(sentBody.length)
          res.writeHead(reply.status, headers)
          res.end(bodyless ? undefined : sentBody)
        })
      })
      server.keepAliveTimeout = 1000
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        const service: IndependentServerService & { server: http.Server } = {
          url: `http://127.0.0.1:${port}`,
          received,
          setHandler: (h) => {
            handler = h
          },
          reset: () => {
            handler = defaultHandler
            received.length = 0
          },
          server
        }
        resume(Effect.succeed(service))
      })
    }),
    (service) =>
      Effect.async<void>((resume) => {
        const server = (service as unknown as { server: http.Server }).server
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

export const layer = (keys: TestKeys): Layer.Layer<IndependentServer> => Layer.scoped(IndependentServer, make(keys))
