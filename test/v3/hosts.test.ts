/**
 * The catalogue's other hosts: `hk.v3.…` goes to `baseUrl` and fails over to the Hong Kong access
 * point (`hkBaseUrl`); `global.v3.customs.…` goes to the Hong Kong access point only. Real HTTP
 * over loopback: an unreachable primary is a closed port.
 */
import { describe, expect, it } from "@effect/vitest"
import { NodeHttpClient } from "@effect/platform-node"
import * as net from "node:net"
import { Effect, Layer } from "effect"
import { Endpoint } from "../../src/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { global } from "../../src/v3/globalHost.js"
import { hk, v3 } from "../../src/v3/index.js"
import { APPID, MCHID, SUB_MCHID } from "../support/constants.js"

/** A loopback URL nothing listens on. */
const closedPort = Effect.promise(() =>
  new Promise<string>((resolve) => {
    const server = net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(`http://127.0.0.1:${port}`))
    })
  })
)

describe("other hosts", () => {
  it("the hk and global roots hold the catalogue's 21 and 5 operations, at their wire paths", () => {
    const hkOps = Endpoint.collect(hk)
    const customs = Endpoint.collect(global)
    expect(hkOps.length).toBe(21)
    expect(customs.length).toBe(5)
    expect(hk.v3.transactions.jsapi.post.spec.path).toBe("/hk/v3/transactions/jsapi")
    expect(hkOps.every((e) => e.spec.host === "hk" && e.spec.path.startsWith("/hk/v3/"))).toBe(true)
    expect(customs.every((e) => e.spec.host === "apihk" && e.spec.path.startsWith("/global/v3/customs/"))).toBe(true)
    // no clash with the main host's chains
    expect(v3.certificates.get.spec.path).toBe("/v3/certificates")
    expect(hk.v3.certificates.get.spec.path).toBe("/hk/v3/certificates")
  })

  it.scoped("hk: the primary unreachable, the call fails over to the Hong Kong access point", () =>
    Effect.gen(function*() {
      const server = yield* Sandbox.make()
      const down = yield* closedPort
      const client = server.clientLayer({ baseUrl: down, hkBaseUrl: server.url }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      const answer = yield* hk.v3.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: "T1", mchid: MCHID, sub_mchid: SUB_MCHID, sp_mchid: MCHID }).pipe(Effect.provide(client))
      expect(answer).toBeDefined()
      const [request] = (yield* server.requests).slice(-1)
      expect(request!.url).toBe(`/hk/v3/transactions/out-trade-no/T1?mchid=${MCHID}&sub_mchid=${SUB_MCHID}&sp_mchid=${MCHID}`)
      // a main-host endpoint does not go to the Hong Kong access point
      const e = yield* Effect.flip(v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: "T1", mchid: MCHID }).pipe(Effect.provide(client)))
      expect(e._tag).toBe("TransportError")
    }))

  it.scoped("global customs: the Hong Kong access point only, whatever baseUrl says", () =>
    Effect.gen(function*() {
      const server = yield* Sandbox.make()
      const down = yield* closedPort
      const toCustoms = server.clientLayer({ baseUrl: down, hkBaseUrl: server.url }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      const query = { appid: APPID, mchid: MCHID, order_type: "out_trade_no", order_no: "T1", customs: "SHANGHAI_ZS" } as const
      const answer = yield* global.v3.customs.orders.get(query).pipe(Effect.provide(toCustoms))
      expect(answer.mchid).toMatch(/./)
      const [request] = (yield* server.requests).slice(-1)
      expect(request!.url.startsWith("/global/v3/customs/orders?")).toBe(true)
      // and with the Hong Kong access point down, there is no backup (baseUrl is up, and not used)
      const before = (yield* server.requests).length
      const nowhere = server.clientLayer({ baseUrl: server.url, hkBaseUrl: down }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      const e = yield* Effect.flip(global.v3.customs.orders.get(query).pipe(Effect.provide(nowhere)))
      expect(e._tag).toBe("TransportError")
      expect((yield* server.requests).length).toBe(before)
    }))
})
