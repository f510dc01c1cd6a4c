/**
 * Hostile answers at the byte level, from a raw TCP server, through every client route (undici,
 * fetch, NodeTransport): the body cap, cut bodies, invalid UTF-8, duplicate and oversized headers,
 * non-numeric timestamps, non-HTTP bytes. Each is a typed error: never a defect, never an
 * unhandled rejection.
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Schedule } from "effect"
import * as crypto from "node:crypto"
import * as net from "node:net"
import { DiscountCard, WechatPay } from "../../src/api/index.js"
import type { WechatPayClient } from "../../src/api/WechatPayClient.js"
import { merchant, platform } from "../sandbox/support.js"
import { docs, outcomeOf, sharedOptions } from "./support.js"
import { MCHID } from "../support/constants.js"

const unhandled: Array<unknown> = []
const onUnhandled = (e: unknown) => unhandled.push(e)
process.on("unhandledRejection", onUnhandled)
afterAll(() => {
  process.off("unhandledRejection", onUnhandled)
})

const MiB = 1024 * 1024

/** What the server does with the next request: raw bytes to write, then end or destroy the socket. */
interface Script {
  readonly bytes: Buffer
  readonly then: "end" | "destroy"
}

const rawServer = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<{ server: net.Server; sockets: Set<net.Socket>; url: string; next: { script: Script } }>((resolve) => {
      const next = { script: { bytes: Buffer.from(""), then: "destroy" } as Script }
      const sockets = new Set<net.Socket>()
      const server = net.createServer((socket) => {
        sockets.add(socket)
        socket.on("close", () => sockets.delete(socket))
        let buffered = Buffer.alloc(0)
        socket.on("error", () => {})
        socket.on("data", (chunk) => {
          buffered = Buffer.concat([buffered, chunk])
          const end = buffered.indexOf("\r\n\r\n")
          if (end < 0) return
          const length = Number(/content-length:\s*(\d+)/i.exec(buffered.subarray(0, end).toString("latin1"))?.[1] ?? 0)
          if (buffered.length < end + 4 + length) return
          buffered = Buffer.alloc(0)
          const { bytes, then } = next.script
          socket.write(bytes, () => (then === "end" ? socket.end() : socket.destroy()))
        })
      })
      server.listen(0, "127.0.0.1", () => resolve({ server, sockets, url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, next }))
    })
  ),
  // a client that stopped reading (over the cap) leaves a write pending: end those sockets too
  ({ server, sockets }) =>
    Effect.promise(() =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
    )
)

const response = (status: number, headers: ReadonlyArray<readonly [string, string]>, body: Buffer | string) => {
  const b = typeof body === "string" ? Buffer.from(body) : body
  const head = [`HTTP/1.1 ${status} X`, ...headers.map(([n, v]) => `${n}: ${v}`), "connection: close", "", ""].join("\r\n")
  return Buffer.concat([Buffer.from(head, "latin1"), b])
}

/** Genuine WeChat Pay signature headers for `body`, now. */
const signedHeaders = (body: string): Array<[string, string]> => {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = crypto.randomBytes(16).toString("hex")
  const signature = crypto.sign("RSA-SHA256", Buffer.from(`${timestamp}\n${nonce}\n${body}\n`), platform.privateKey).toString("base64")
  return [
    ["wechatpay-timestamp", timestamp],
    ["wechatpay-nonce", nonce],
    ["wechatpay-signature", signature],
    ["wechatpay-serial", sharedOptions.platformPublicKeyId]
  ]
}

const ORDER_BODY = JSON.stringify({ out_order_no: docs.updateOrder.out_order_no, order_id: "15646546545165651651" })
const withLength = (headers: ReadonlyArray<readonly [string, string]>, body: Buffer | string): Array<readonly [string, string]> => [
  ...headers,
  ["content-length", String(Buffer.byteLength(body))]
]

const options = (url: string): WechatPay.Options => ({
  mchid: MCHID,
  merchantSerialNumber: sharedOptions.merchantSerialNumber,
  merchantPrivateKey: Redacted.make(merchant.privateKey),
  platform: { publicKeyId: sharedOptions.platformPublicKeyId, publicKey: platform.publicKey },
  baseUrl: url,
  backupBaseUrl: null,
  retry: Schedule.stop,
  timeout: "3 seconds"
})

type Route = (o: WechatPay.Options) => Layer.Layer<WechatPayClient, WechatPay.LayerError>
const routes: ReadonlyArray<readonly [string, Route]> = [
  ["undici", (o) => WechatPay.layer(o).pipe(Layer.provide(NodeHttpClient.layerUndici))],
  ["fetch", (o) => WechatPay.layer(o).pipe(Layer.provide(FetchHttpClient.layer))],
  ["NodeTransport", (o) => WechatPay.layerNode(o)]
]

interface Case {
  readonly name: string
  readonly script: () => Script
  /** The expected tag, and optionally a fragment of the message or the reason. */
  readonly tag: string
  readonly detail?: { readonly reason?: string; readonly message?: string }
}

const big = Buffer.alloc(MiB + 1, "a")
const exactlyMiB = Buffer.alloc(MiB, "a")

const cases: ReadonlyArray<Case> = [
  { name: "a genuine answer (control)", script: () => ({ bytes: response(200, withLength(signedHeaders(ORDER_BODY), ORDER_BODY), ORDER_BODY), then: "end" }), tag: "Success" },
  {
    name: "body over 1 MiB, declared",
    script: () => ({ bytes: response(500, withLength([], big), big), then: "end" }),
    tag: "UnexpectedResponse",
    detail: { message: "limit" }
  },
  {
    name: "body over 1 MiB, chunked (undeclared)",
    script: () => ({
      bytes: Buffer.concat([response(500, [["transfer-encoding", "chunked"]], ""), Buffer.from(`${big.length.toString(16)}\r\n`), big, Buffer.from("\r\n0\r\n\r\n")]),
      then: "end"
    }),
    tag: "UnexpectedResponse",
    detail: { message: "limit" }
  },
  {
    name: "body of exactly 1 MiB is read (then refused as not an error body)",
    script: () => ({ bytes: response(500, withLength([], exactlyMiB), exactlyMiB), then: "end" }),
    tag: "UnexpectedResponse",
    detail: { message: "not JSON" }
  },
  {
    name: "body cut short (declared 1000, 10 sent, socket closed)",
    script: () => ({ bytes: response(200, [...signedHeaders(ORDER_BODY), ["content-length", "1000"]], ORDER_BODY.slice(0, 10)), then: "destroy" }),
    tag: "TransportError"
  },
  {
    name: "invalid UTF-8 in an error body",
    script: () => {
      const body = Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])
      return { bytes: response(400, withLength([], body), body), then: "end" }
    },
    tag: "UnexpectedResponse",
    detail: { message: "UTF-8" }
  },
  {
    name: "invalid UTF-8 in an unsigned 200",
    script: () => {
      const body = Buffer.from([0xc3, 0x28])
      return { bytes: response(200, withLength([], body), body), then: "end" }
    },
    tag: "ResponseVerificationError"
  },
  {
    name: "duplicated Wechatpay-Signature (genuine first)",
    script: () => {
      const headers = signedHeaders(ORDER_BODY)
      return { bytes: response(200, withLength([...headers, ["wechatpay-signature", "AAAA"]], ORDER_BODY), ORDER_BODY), then: "end" }
    },
    tag: "ResponseVerificationError"
  },
  {
    name: "duplicated Wechatpay-Signature (forged first)",
    script: () => {
      const headers = signedHeaders(ORDER_BODY)
      const forged = headers.map(([n, v]): [string, string] => [n, n === "wechatpay-signature" ? Buffer.alloc(256, 7).toString("base64") : v])
      return { bytes: response(200, withLength([...forged, headers[2]!], ORDER_BODY), ORDER_BODY), then: "end" }
    },
    tag: "ResponseVerificationError"
  },
  {
    name: "duplicated Wechatpay-Timestamp",
    script: () => {
      const headers = signedHeaders(ORDER_BODY)
      return { bytes: response(200, withLength([...headers, ["wechatpay-timestamp", headers[0]![1]]], ORDER_BODY), ORDER_BODY), then: "end" }
    },
    tag: "ResponseVerificationError"
  },
  {
    name: "non-numeric Wechatpay-Timestamp",
    script: () => {
      const headers = signedHeaders(ORDER_BODY).map(([n, v]): [string, string] => (n === "wechatpay-timestamp" ? [n, `${v}.0`] : [n, v]))
      return { bytes: response(200, withLength(headers, ORDER_BODY), ORDER_BODY), then: "end" }
    },
    tag: "ResponseVerificationError",
    detail: { reason: "MalformedHeaders" }
  },
  {
    name: "an oversized header (100 KB)",
    script: () => ({ bytes: response(200, withLength([["x-junk", "j".repeat(100_000)]], ORDER_BODY), ORDER_BODY), then: "end" }),
    tag: "TransportError"
  },
  { name: "bytes that are not HTTP", script: () => ({ bytes: Buffer.from("SSH-2.0-OpenSSH\r\n\r\n"), then: "end" }), tag: "TransportError" },
  { name: "closed without a byte", script: () => ({ bytes: Buffer.alloc(0), then: "destroy" }), tag: "TransportError" }
]

for (const [routeName, route] of routes) {
  describe(`hostile bytes over ${routeName}`, () => {
    it.live("each hostile answer is a typed error, never a defect", () =>
      Effect.scoped(Effect.gen(function*() {
        const server = yield* rawServer
        const results: Array<unknown> = []
        for (const c of cases) {
          server.next.script = c.script()
          const exit = yield* DiscountCard.updateOrder(docs.updateOrder).pipe(Effect.exit, Effect.provide(route(options(server.url))))
          const outcome = outcomeOf(exit)
          const tag = outcome._tag === "Typed" ? outcome.error._tag : outcome._tag
          const error: Record<string, unknown> = outcome._tag === "Typed" ? outcome.error : {}
          const detailOk = c.detail === undefined ||
            ((c.detail.reason === undefined || error["reason"] === c.detail.reason) &&
              (c.detail.message === undefined || String(error["message"]).includes(c.detail.message)))
          results.push([c.name, tag, detailOk ? "ok" : `${String(error["reason"])}: ${String(error["message"])}`])
        }
        expect(results).toEqual(cases.map((c) => [c.name, c.tag, "ok"]))
        expect(unhandled).toEqual([])
      })))

    it.live("the body cap is configurable", () =>
      Effect.scoped(Effect.gen(function*() {
        const server = yield* rawServer
        const body = Buffer.alloc(2048, "a")
        server.next.script = { bytes: response(500, withLength([], body), body), then: "end" }
        const exit = yield* DiscountCard.updateOrder(docs.updateOrder).pipe(
          Effect.exit,
          Effect.provide(route({ ...options(server.url), maxResponseBytes: 1024 }))
        )
        expect(outcomeOf(exit)).toMatchObject({ _tag: "Typed", error: { _tag: "UnexpectedResponse", status: 500 } })
      })))
  })
}
