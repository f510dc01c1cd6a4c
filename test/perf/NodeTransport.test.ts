import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Layer, Redacted, Schedule } from "effect"
import { DiscountCard, TransportError, WechatPay } from "../../src/index.js"
import * as NodeTransport from "../../src/internal/NodeTransport.js"
import * as Sandbox from "../../src/sandbox/Sandbox.js"

/** A loopback server for one test, closed with the test's scope. */
const server = (handler: http.RequestListener) =>
  Effect.acquireRelease(
    Effect.async<{ readonly url: string; readonly node: http.Server }>((resume) => {
      const node = http.createServer(handler)
      node.listen(0, "127.0.0.1", () => resume(Effect.succeed({ url: `http://127.0.0.1:${(node.address() as AddressInfo).port}`, node })))
    }),
    ({ node }) => Effect.sync(() => {
      node.closeAllConnections()
      node.close()
    })
  )

const transport = Effect.acquireRelease(Effect.sync(() => NodeTransport.make()), (t) => Effect.sync(() => t.destroy()))

/** A valid discount-card order update. */
const order = (out_order_no: string) => ({
  out_order_no,
  objectives: [{
    objective_serial_no: "s-1",
    objective_id: 123456,
    count: 1,
    performance_time: "2015-05-20T13:29:35+08:00",
    performance_description: "a coffee",
    performance_type: "INCREASE" as const
  }]
})

const get = (url: string) => ({ method: "GET", url, headers: { accept: "application/json" }, body: undefined })

describe("NodeTransport", () => {
  it.scopedLive("answers status, lower-cased headers (repeated ones joined) and the body bytes, over one kept-alive socket", () =>
    Effect.gen(function*() {
      const sockets = new Set<unknown>()
      const { url } = yield* server((req, res) => {
        sockets.add(req.socket)
        let body = ""
        req.on("data", (c) => (body += c))
        req.on("end", () => {
          res.writeHead(200, [["Content-Type", "application/json"], ["Wechatpay-Nonce", "first"], ["wechatpay-nonce", "second"]])
          res.end(JSON.stringify({ method: req.method, path: req.url, body }))
        })
      })
      const t = yield* transport
      for (let i = 0; i < 3; i++) {
        const r = yield* t.send({ method: "PATCH", url: `${url}/v3/x/y?z=1`, headers: { "content-type": "application/json" }, body: "{\"a\":1}" }, 1024)
        expect(r.status).toBe(200)
        expect(r.headers["content-type"]).toBe("application/json")
        expect(r.headers["wechatpay-nonce"]).toBe("first, second")
        expect(JSON.parse(Buffer.from(r.body).toString("utf8"))).toEqual({ method: "PATCH", path: "/v3/x/y?z=1", body: "{\"a\":1}" })
      }
      expect(sockets.size).toBe(1)
    }))

  it.scopedLive("a refused connection is TransportError Connect (the reason failover acts on)", () =>
    Effect.gen(function*() {
      const { url, node } = yield* server(() => {})
      yield* Effect.async<void>((resume) => {
        node.close(() => resume(Effect.void))
      })
      const t = yield* transport
      const e = yield* Effect.flip(t.send(get(`${url}/v3/x`), 1024))
      expect(e).toBeInstanceOf(TransportError)
      expect(e._tag === "TransportError" && e.reason).toBe("Connect")
    }))

  it.scopedLive("a body over the cap is UnexpectedResponse, declared or streamed", () =>
    Effect.gen(function*() {
      const { url } = yield* server((req, res) => {
        if (req.url === "/declared") {
          res.writeHead(200, { "content-length": "2000" })
          res.end("x".repeat(2000))
        } else {
          res.writeHead(200) // chunked: no length up front
          res.write("x".repeat(600))
          setTimeout(() => res.end("x".repeat(600)), 10)
        }
      })
      const t = yield* transport
      for (const path of ["/declared", "/streamed"]) {
        const e = yield* Effect.flip(t.send(get(url + path), 1000))
        expect(e._tag).toBe("UnexpectedResponse")
        expect(e.message).toMatch(/1000-byte limit/)
      }
      // the transport still works afterwards
      const ok = yield* Effect.either(t.send(get(`${url}/declared`), 5000))
      expect(Exit.isSuccess(Exit.fromEither(ok))).toBe(true)
    }))

  it.scopedLive("its own timeout fails with the given error and closes the request; interruption closes it too", () =>
    Effect.gen(function*() {
      let closed = 0
      const { url } = yield* server((req) => {
        req.socket.on("close", () => closed++) // never answers
      })
      const t = yield* transport
      const e = yield* Effect.flip(
        t.send(get(`${url}/slow`), 1024, { millis: 50, onTimeout: () => new TransportError({ reason: "Timeout", message: "no answer within 50ms" }) })
      )
      expect(e._tag === "TransportError" && e.reason).toBe("Timeout")
      const fiber = yield* Effect.fork(t.send(get(`${url}/slow`), 1024))
      yield* Effect.sleep(Duration.millis(50))
      yield* Fiber.interrupt(fiber)
      yield* Effect.sleep(Duration.millis(50))
      expect(closed).toBe(2)
    }))

  it.scopedLive("one shared timer serves overlapping timeouts: each request expires at its own time, a shorter one after a longer one included", () =>
    Effect.gen(function*() {
      const { url } = yield* server(() => {}) // never answers
      const t = yield* transport
      const timed = (millis: number) =>
        t.send(get(`${url}/slow`), 1024, { millis, onTimeout: () => new TransportError({ reason: "Timeout", message: `${millis}` }) }).pipe(
          Effect.flip,
          Effect.map((e) => e.message),
          Effect.timed,
          Effect.map(([elapsed, message]) => [message, Duration.toMillis(elapsed)] as const)
        )
      const results = yield* Effect.all([timed(400), timed(60), timed(200), timed(60)], { concurrency: "unbounded" })
      expect(results.map(([message]) => message)).toEqual(["400", "60", "200", "60"])
      for (const [message, elapsed] of results) expect(elapsed).toBeGreaterThanOrEqual(Number(message) - 5)
      // the short ones did not wait for the long one's timer
      expect(Math.max(results[1]![1], results[3]![1])).toBeLessThan(350)
    }))

  it.scopedLive("WechatPay.layerNode: a whole signed and verified call against the sandbox over loopback", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.make({ bench: true })
      const options = sandbox.wechatPayOptions({ baseUrl: sandbox.url, backupBaseUrl: null })
      const out = yield* DiscountCard.updateOrder(order("233bcbf407e87789b8e471f251774f95")).pipe(Effect.provide(WechatPay.layerNode({ ...options, merchantPrivateKey: Redacted.make(Redacted.value(options.merchantPrivateKey!)) })))
      expect(out.out_order_no).toBe("233bcbf407e87789b8e471f251774f95")
    }))
})

describe("NodeTransport under the client: the request on the wire ends with the call", () => {
  // The client passes an in-flight holder instead of taking a canceler from `send` (cheaper);
  // an interrupted call, or one whose deadline passes during a retry, must still close its socket.
  const stalled = Effect.gen(function*() {
    const sockets = { opened: 0, closed: 0 }
    const { url } = yield* server((req) => {
      sockets.opened++
      req.socket.on("close", () => sockets.closed++) // never answers
    })
    const sandbox = yield* Sandbox.make({})
    const options = sandbox.wechatPayOptions({ baseUrl: url, backupBaseUrl: null })
    return { sockets, options }
  })
  const call = DiscountCard.updateOrder(order("o-1"))

  it.scopedLive("an interrupted call closes its request", () =>
    Effect.gen(function*() {
      const { options, sockets } = yield* stalled
      // the client outlives the call (its agents stay open): only the call's own abort can close the socket
      const client = yield* Layer.build(WechatPay.layerNode(options))
      const fiber = yield* Effect.fork(call.pipe(Effect.provide(client)))
      while (sockets.opened === 0) yield* Effect.sleep(Duration.millis(5))
      yield* Fiber.interrupt(fiber)
      while (sockets.closed === 0) yield* Effect.sleep(Duration.millis(5))
      expect(sockets).toEqual({ opened: 1, closed: 1 })
    }), 5000)

  it.scopedLive("a per-attempt timeout, then the whole-call deadline during the retry: a TransportError, and every request closed", () =>
    Effect.gen(function*() {
      const { options, sockets } = yield* stalled
      const client = yield* Layer.build(
        WechatPay.layerNode({ ...options, timeout: "100 millis", deadline: "250 millis", retry: Schedule.spaced("1 millis") })
      )
      const e = yield* Effect.flip(call.pipe(Effect.provide(client)))
      expect(e._tag === "TransportError" && e.reason).toBe("Deadline")
      while (sockets.closed < sockets.opened) yield* Effect.sleep(Duration.millis(5))
      expect(sockets.opened).toBeGreaterThanOrEqual(2)
      expect(sockets.closed).toBe(sockets.opened)
    }), 5000)
})
