/**
 * A merchant's notify URL on a real socket (Node's `http.Server` with `Notifications.nodeServerOptions`
 * under `NodeHttpServer`), and a raw TCP client that can do what an attacker does: flood a body,
 * trickle headers or bytes, lie about lengths. Shared by the attack tests and the bench. And
 * `serveOnLoopback`: any app (a router mounting `Notifications.handler`) on a loopback port.
 */
import { type HttpApp, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Effect, Layer, Redacted, type Scope } from "effect"
import * as http from "node:http"
import * as net from "node:net"
import { Notifications } from "../../src/notifications/index.js"
import { API_V3_KEY, PUBLIC_KEY_ID } from "./constants.js"
import { type TestKeys } from "./keys.js"

export interface NotifyServer {
  readonly port: number
  /** Bytes the server read from the connection whose client end is `localPort` (once it closed, its total). */
  readonly bytesReadFrom: (localPort: number) => number | undefined
  readonly node: http.Server
}

export const startNotifyServer = <E>(
  keys: TestKeys,
  onEvent: (event: Notifications.NotificationEvent) => Effect.Effect<void, E>,
  options: Notifications.HandlerOptions = {},
  serverOptions: http.ServerOptions = Notifications.nodeServerOptions
): Effect.Effect<NotifyServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const node = http.createServer(serverOptions)
    const bytes = new Map<number, net.Socket | number>()
    node.on("connection", (socket) => {
      const port = socket.remotePort!
      bytes.set(port, socket)
      socket.once("close", () => bytes.set(port, socket.bytesRead))
    })
    const context = yield* Layer.build(Notifications.layer({
      platform: { publicKeyId: PUBLIC_KEY_ID, publicKey: keys.platform.publicPem },
      apiV3Key: Redacted.make(API_V3_KEY)
    })).pipe(Effect.orDie)
    const server = yield* NodeHttpServer.make(() => node, { port: 0, host: "127.0.0.1" }).pipe(Effect.orDie)
    yield* Effect.addFinalizer(() => Effect.sync(() => node.closeAllConnections()))
    yield* server.serve(Notifications.handler(onEvent, options).pipe(Effect.provide(context)))
    const address = node.address() as net.AddressInfo
    return {
      port: address.port,
      node,
      bytesReadFrom: (localPort) => {
        const entry = bytes.get(localPort)
        return typeof entry === "number" ? entry : entry?.bytesRead
      }
    }
  })

/**
 * Serves `app` on 127.0.0.1 (a free port) until the scope closes; answers its origin, e.g.
 * `http://127.0.0.1:54321`. What the app needs (a Verifier and the APIv3 key for
 * `Notifications.handler`) is provided to the effect this returns.
 */
export const serveOnLoopback = <E, R>(app: HttpApp.Default<E, R>) =>
  Effect.gen(function*() {
    const server = yield* Layer.build(NodeHttpServer.layer(() => http.createServer(), { port: 0, host: "127.0.0.1" }))
    yield* HttpServer.serveEffect(app).pipe(Effect.provide(server))
    const address = Context.get(server, HttpServer.HttpServer).address as HttpServer.TcpAddress
    return `http://127.0.0.1:${address.port}`
  })

export interface Exchange {
  /** The status line's code, or undefined when the server closed without answering. */
  readonly status: number | undefined
  readonly response: string
  readonly localPort: number
  /** What the client managed to write, head included. */
  readonly wrote: number
  readonly millis: number
}

/**
 * One connection: writes `head` (request line and headers, `\r\n\r\n` included), then lets
 * `feed` write the body; resolves when the server closes the connection or has answered and
 * `untilClose` is false.
 */
export const exchange = (
  port: number,
  head: string,
  feed: (write: (chunk: Buffer | string) => Promise<boolean>) => Promise<void> = async () => {},
  options: { readonly untilClose?: boolean; readonly timeoutMs?: number } = {}
): Promise<Exchange> =>
  new Promise((resolve) => {
    const started = performance.now()
    const socket = net.connect(port, "127.0.0.1")
    let response = ""
    let wrote = 0
    let open = true
    let localPort = 0
    const done = () => {
      if (!open) return
      open = false
      clearTimeout(timer)
      socket.destroy()
      const status = /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]
      resolve({ status: status === undefined ? undefined : Number(status), response, localPort, wrote, millis: performance.now() - started })
    }
    const timer = setTimeout(done, options.timeoutMs ?? 20_000)
    /** Resolves true once written (waiting out backpressure), false when the connection is gone. */
    const write = (chunk: Buffer | string) =>
      new Promise<boolean>((ok) => {
        if (!open || socket.destroyed || !socket.writable) return ok(false)
        wrote += Buffer.byteLength(chunk)
        if (socket.write(chunk)) return ok(true)
        const settle = (result: boolean) => {
          socket.off("drain", onDrain)
          socket.off("close", onClose)
          ok(result)
        }
        const onDrain = () => settle(true)
        const onClose = () => settle(false)
        socket.once("drain", onDrain)
        socket.once("close", onClose)
      })
    socket.on("error", () => done())
    socket.on("close", done)
    socket.on("data", (chunk) => {
      response += chunk.toString("latin1")
      if (options.untilClose === false && /\r\n\r\n/.test(response)) done()
    })
    socket.once("connect", () => {
      localPort = socket.localPort!
      void write(head).then((ok) => (ok ? feed(write) : undefined)).catch(() => undefined)
    })
  })

/** The request head of a POST to `/notify` with these headers. */
export const headOf = (headers: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>> = {}) =>
  `POST /notify HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries({ ...headers, ...extra }).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** Writes `total` bytes of chunked body in 64 KiB chunks, as fast as the connection takes them. */
export const floodChunked = (total: number) => async (write: (chunk: Buffer | string) => Promise<boolean>) => {
  const piece = Buffer.alloc(64 * 1024, 0x61)
  const frame = Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")])
  for (let sent = 0; sent < total; sent += piece.length) if (!(await write(frame))) return
  await write("0\r\n\r\n")
}
