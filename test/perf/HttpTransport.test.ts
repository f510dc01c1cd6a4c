/**
 * `Transport.fromHttpClient` over undici and fetch: the per-attempt timeout it enforces itself
 * (one shared timer, the exchange in a child fiber), the body read whole only where the HTTP
 * framing bounds it, and the platform's span only under a real tracer.
 */
import { FetchHttpClient, HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Schedule } from "effect"
import * as net from "node:net"
import * as zlib from "node:zlib"
import { DiscountCard, TransportError } from "../../src/index.js"
import { fromHttpClient, type InFlight } from "../../src/internal/Transport.js"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import { docs, keyOptions, recordingTracer } from "../reliability/support.js"

/** A raw TCP server answering every request with `answer(path)` (nothing: it never answers); counts closed sockets. */
const rawServer = (answer: (path: string, request: string) => Buffer | undefined) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly server: net.Server; readonly sockets: Set<net.Socket>; readonly closed: { n: number } }>((resume) => {
      const sockets = new Set<net.Socket>()
      const closed = { n: 0 }
      const server = net.createServer((socket) => {
        sockets.add(socket)
        socket.on("error", () => {})
        socket.on("close", () => {
          sockets.delete(socket)
          closed.n++
        })
        socket.once("data", (chunk) => {
          const request = chunk.toString("latin1")
          const bytes = answer(/^[A-Z]+ (\S+)/.exec(request)?.[1] ?? "/", request.toLowerCase())
          // a stalled answer keeps its socket open
          if (bytes !== undefined) socket.write(bytes, () => (request.includes("/stalled") ? undefined : socket.end()))
        })
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, server, sockets, closed })))
    }),
    ({ server, sockets }) =>
      Effect.sync(() => {
        for (const s of sockets) s.destroy()
        server.close()
      })
  )

const head = (status: number, headers: ReadonlyArray<string>) => Buffer.from([`HTTP/1.1 ${status} X`, ...headers, "connection: close", "", ""].join("\r\n"), "latin1")
const MiB = 1024 * 1024
const big = Buffer.alloc(2 * MiB, "a")
const bomb = zlib.gzipSync(Buffer.alloc(2 * MiB, " "))

const answers: Record<string, Buffer> = {
  // Content-Length with Transfer-Encoding: the parser follows the chunks, so the length bounds nothing
  "/smuggled": Buffer.concat([head(200, ["content-length: 10", "transfer-encoding: chunked"]), Buffer.from(`${big.length.toString(16)}\r\n`), big, Buffer.from("\r\n0\r\n\r\n")]),
  // a small declared length that fetch inflates past the cap
  "/gzip": Buffer.concat([head(200, [`content-length: ${bomb.length}`, "content-encoding: gzip"]), bomb]),
  "/no-content": head(204, []),
  // a declared length, part of the body, then the connection closes
  "/cut": Buffer.concat([head(200, ["content-length: 1000"]), Buffer.from("{\"a\":")]),
  // the head and part of the declared body, then nothing
  "/stalled-body": Buffer.concat([head(200, ["content-length: 100"]), Buffer.from("{\"a\":")])
}

const get = (url: string) => ({ method: "GET", url, headers: { accept: "application/json" }, body: undefined })
const timeoutAfter = (millis: number) => ({ millis, onTimeout: () => new TransportError({ reason: "Timeout", message: `no answer within ${millis}ms` }) })

const routes = [
  ["undici", NodeHttpClient.layerUndici],
  ["fetch", FetchHttpClient.layer]
] as const

for (const [name, httpLayer] of routes) {
  describe(`fromHttpClient over ${name}`, () => {
    const transport = Effect.map(HttpClient.HttpClient, fromHttpClient)

    it.scopedLive("its own timeout fails with the given error and closes the request; so does the in-flight abort", () =>
      Effect.gen(function*() {
        const { closed, sockets, url } = yield* rawServer((path) => (path === "/stalled-body" ? answers[path] : undefined))
        const t = yield* transport
        for (const path of ["/never", "/stalled-body"]) {
          const started = Date.now()
          const e = yield* Effect.flip(t.send(get(url + path), 1024, timeoutAfter(80)))
          expect([path, e._tag, e._tag === "TransportError" && e.reason]).toEqual([path, "TransportError", "Timeout"])
          expect(Date.now() - started).toBeLessThan(2000)
        }
        const inFlight: InFlight = { abort: undefined }
        const fiber = yield* Effect.fork(t.send(get(`${url}/never`), 1024, timeoutAfter(10_000), inFlight))
        while (inFlight.abort === undefined) yield* Effect.sleep(Duration.millis(5))
        inFlight.abort()
        yield* Fiber.interrupt(fiber)
        while (closed.n < 3 || sockets.size > 0) yield* Effect.sleep(Duration.millis(5))
        expect(sockets.size).toBe(0)
      }).pipe(Effect.provide(httpLayer)), 10_000)

    it.scopedLive("an interrupted send closes its request, with or without an in-flight holder", () =>
      Effect.gen(function*() {
        const { closed, sockets, url } = yield* rawServer(() => undefined)
        const t = yield* transport
        const fiber = yield* Effect.fork(t.send(get(`${url}/never`), 1024, timeoutAfter(10_000)))
        yield* Effect.sleep(Duration.millis(50))
        yield* Fiber.interrupt(fiber)
        while (closed.n < 1 || sockets.size > 0) yield* Effect.sleep(Duration.millis(5))
        expect(sockets.size).toBe(0)
      }).pipe(Effect.provide(httpLayer)), 10_000)

    it.scopedLive("a declared length bounds nothing with Transfer-Encoding or Content-Encoding: the cap still holds", () =>
      Effect.gen(function*() {
        const { url } = yield* rawServer((path) => answers[path])
        const t = yield* transport
        const smuggled = yield* Effect.flip(t.send(get(`${url}/smuggled`), MiB, timeoutAfter(5000)))
        // refused by the parser, or by the cap: never 2 MiB read whole
        expect(["UnexpectedResponse", "TransportError"]).toContain(smuggled._tag)
        const inflated = yield* Effect.either(t.send(get(`${url}/gzip`), MiB, timeoutAfter(5000)))
        if (name === "fetch") {
          expect(inflated._tag === "Left" && inflated.left.message).toMatch(/exceeds the 1048576-byte limit/)
        } else {
          // undici does not inflate: the declared bytes, as sent
          expect(inflated._tag === "Right" && inflated.right.body.length).toBe(bomb.length)
        }
        const empty = yield* t.send(get(`${url}/no-content`), MiB, timeoutAfter(5000))
        expect([empty.status, empty.body.length]).toEqual([204, 0])
        // read whole by arrayBuffer, a body cut short is still reason Body
        const cut = yield* Effect.flip(t.send(get(`${url}/cut`), MiB, timeoutAfter(5000)))
        expect([cut._tag, cut._tag === "TransportError" && cut.reason]).toEqual(["TransportError", "Body"])
      }).pipe(Effect.provide(httpLayer)), 10_000)

    it.scopedLive("no trace headers to WeChat Pay; the platform's span only under a real tracer", () =>
      Effect.gen(function*() {
        const heads: Array<string> = []
        const { url } = yield* rawServer((_, request) => {
          heads.push(request)
          return Buffer.concat([head(500, ["content-length: 2"]), Buffer.from("{}")])
        })
        const t = yield* transport
        const send = t.send(get(`${url}/x`), MiB, timeoutAfter(5000)).pipe(Effect.withSpan("parent"))
        yield* send
        const { spans, tracer } = recordingTracer()
        yield* Effect.withTracer(send, tracer)
        expect(heads.length).toBe(2)
        for (const h of heads) expect(h).not.toMatch(/traceparent|b3:|tracestate/)
        expect(spans.map((s) => s.name).sort()).toEqual(["http.client GET", "parent"])
      }).pipe(Effect.provide(httpLayer)), 10_000)
  })
}

describe("fromHttpClient over a client that ignores its abort signal", () => {
  // the in-memory sandbox answers in the calling fiber: only interrupting that fiber stops a delay
  it.scopedLive("the per-attempt timeout still ends the call on time", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      yield* sandbox.inject({ fault: { type: "delay", millis: 60_000 } })
      const started = Date.now()
      const e = yield* Effect.flip(DiscountCard.updateOrder(docs.updateOrder))
      expect(e._tag === "TransportError" && e.reason).toBe("Timeout")
      expect(Date.now() - started).toBeLessThan(5000)
    }).pipe(Effect.provide(Sandbox.layer({ ...keyOptions, client: { timeout: "100 millis", retry: Schedule.stop } }))), 10_000)
})
