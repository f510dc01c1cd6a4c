/**
 * Failover to the backup host, over real loopback sockets: two sandboxes with the same
 * credentials, one as `baseUrl` and one as `backupBaseUrl`. Both client routes: the
 * `@effect/platform` HttpClient (undici and fetch) and the lean NodeTransport.
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Schedule } from "effect"
import * as net from "node:net"
import { DiscountCard, WechatPay } from "../../src/api/index.js"
import type { ClientSettings, WechatPayClient } from "../../src/api/WechatPayClient.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { collectingLogs, docs, outcomeOf, sharedOptions } from "./support.js"

const ORDER = docs.updateOrder.out_order_no
const update = DiscountCard.updateOrder(docs.updateOrder)

/** A port nothing listens on: bound once, then closed. */
const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })
)

type Route = (options: WechatPay.Options) => Layer.Layer<WechatPayClient, WechatPay.LayerError>

const routes: ReadonlyArray<readonly [string, Route]> = [
  ["HttpClient (undici)", (o) => WechatPay.layer(o).pipe(Layer.provide(NodeHttpClient.layerUndici))],
  ["HttpClient (fetch)", (o) => WechatPay.layer(o).pipe(Layer.provide(FetchHttpClient.layer))],
  ["NodeTransport", (o) => WechatPay.layerNode(o)]
]

/** Primary and backup sandboxes on loopback, and a way to run a call through a client over them. */
const hosts = Effect.gen(function*() {
  const primary = yield* Sandbox.make(sharedOptions)
  const backup = yield* Sandbox.make(sharedOptions)
  return { primary, backup }
})

const stateOf = (sandbox: Sandbox.SandboxService) => Effect.map(sandbox.state, (s) => s.discountCardOrders[ORDER]!.objectives.length)

for (const [name, route] of routes) {
  describe(`failover over ${name}`, () => {
    const run = <A, E>(
      self: Effect.Effect<A, E, WechatPayClient>,
      base: Sandbox.SandboxServer,
      settings: ClientSettings
    ) =>
      self.pipe(
        Effect.exit,
        Effect.provide(route(base.wechatPayOptions({ baseUrl: base.url, retry: Schedule.stop, timeout: "5 seconds", ...settings })))
      )

    it.live("a dropped connection on the primary: the same signed request goes once to the backup, which answers", () =>
      Effect.scoped(Effect.gen(function*() {
        const { backup, primary } = yield* hosts
        yield* primary.inject({ fault: { type: "drop" } })
        const { exit, lines } = yield* collectingLogs(run(update, primary, { backupBaseUrl: backup.url }))
        expect(outcomeOf(Exit.flatten(exit))).toMatchObject({ _tag: "Success", value: { out_order_no: ORDER } })
        const [p] = yield* primary.requests
        const b = yield* backup.requests
        expect(b).toHaveLength(1)
        // logged at debug: the failover, then the backup's answer with its Request-ID
        expect(lines.filter((l) => l.level === "DEBUG").map((l) => [l.message, l.annotations.requestId])).toEqual([
          ["effect-wechatpay: primary unreachable, trying the backup host", undefined],
          ["effect-wechatpay: the backup host answered", b[0]!.requestId]
        ])
        expect(b[0]!.requestId).toMatch(/^[0-9A-F]{40}$/)
        // the very same signed request: same nonce, timestamp, path and body bytes
        expect([b[0]!.nonce, b[0]!.timestamp, b[0]!.url, b[0]!.body]).toEqual([p!.nonce, p!.timestamp, p!.url, p!.body])
        expect(yield* stateOf(primary)).toBe(0)
        expect(yield* stateOf(backup)).toBe(1)
      })))

    it.live("a refused connection on the primary: the backup answers", () =>
      Effect.scoped(Effect.gen(function*() {
        const { backup } = yield* hosts
        const port = yield* closedPort
        const refused = { ...backup, url: `http://127.0.0.1:${port}` }
        const exit = yield* run(update, refused, { backupBaseUrl: backup.url })
        expect(outcomeOf(exit)).toMatchObject({ _tag: "Success" })
        expect(yield* backup.requests).toHaveLength(1)
      })))

    it.live("never after an HTTP answer: 500, 503, a garbage 502, a bad signature stay on the primary", () =>
      Effect.scoped(Effect.gen(function*() {
        const { backup, primary } = yield* hosts
        const faults = [
          [{ type: "status", status: 500, code: "SYSTEM_ERROR" }, "SystemError"],
          [{ type: "status", status: 503, code: "SERVICE_UNAVAILABLE" }, "ServiceUnavailable"],
          [{ type: "garbage-body", status: 502 }, "UnexpectedResponse"],
          [{ type: "bad-signature" }, "ResponseVerificationError"]
        ] as const
        for (const [fault, tag] of faults) {
          yield* primary.inject({ fault })
          const exit = yield* run(update, primary, { backupBaseUrl: backup.url })
          expect(outcomeOf(exit)).toMatchObject({ _tag: "Typed", error: { _tag: tag } })
        }
        expect(yield* primary.requests).toHaveLength(4)
        expect(yield* backup.requests).toHaveLength(0)
      })))

    it.live("no failover on a per-attempt timeout (the primary may be working on it)", () =>
      Effect.scoped(Effect.gen(function*() {
        const { backup, primary } = yield* hosts
        yield* primary.inject({ fault: { type: "delay", millis: 2_000 } })
        const exit = yield* run(update, primary, { backupBaseUrl: backup.url, timeout: "150 millis" })
        expect(outcomeOf(exit)).toMatchObject({ _tag: "Typed", error: { _tag: "TransportError", reason: "Timeout" } })
        expect(yield* backup.requests).toHaveLength(0)
      })))

    it.live("backupBaseUrl: null turns it off; a backup that fails too is tried once", () =>
      Effect.scoped(Effect.gen(function*() {
        const { backup, primary } = yield* hosts
        yield* primary.inject({ fault: { type: "drop" } })
        const off = yield* run(update, primary, { backupBaseUrl: null })
        expect(outcomeOf(off)).toMatchObject({ _tag: "Typed", error: { _tag: "TransportError", reason: "Reset" } })
        expect(yield* backup.requests).toHaveLength(0)

        yield* primary.inject({ fault: { type: "drop" } })
        yield* backup.inject({ fault: { type: "drop" } })
        const both = yield* run(update, primary, { backupBaseUrl: backup.url })
        expect(outcomeOf(both)).toMatchObject({ _tag: "Typed", error: { _tag: "TransportError" } })
        expect(yield* backup.requests).toHaveLength(1)
      })))
  })
}
