/**
 * File downloads (7 operations): a signed GET whose answer is the file's bytes, unsigned as WeChat
 * Pay sends them. The sandbox checks the merchant's signature and answers a file of the right kind;
 * `v3.billdownload.file.get` reads the sandbox's own bill behind a tradebill answer's token.
 */
import { describe, expect, it } from "@effect/vitest"
import * as crypto from "node:crypto"
import { Effect, Layer } from "effect"
import { NodeHttpClient } from "@effect/platform-node"
import { Endpoint, WechatPay } from "../../src/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { global } from "../../src/v3/globalHost.js"
import { hk, v3 } from "../../src/v3/index.js"
import { jsapiOrder } from "../flow/support.js"

const downloads = [...Endpoint.collect({ v3, hk, global })].filter((e) => e.spec.schemas().success === Endpoint.Download)

const images = Effect.gen(function*() {
  const image = yield* v3.merchantService.images._media_id_.get({ media_id: "BB04A5DEEFEA18D4F2554C1EDD3B610B" })
  expect(Buffer.from(image.subarray(0, 8)).toString("hex")).toBe("89504e470d0a1a0a")
  const pdf = yield* v3.transferdownload.signfile.get({ token: "t1" })
  expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe("%PDF-")
})

describe("file downloads", () => {
  it("are the catalogue's seven, each a GET answering bytes", () => {
    expect(downloads.map((e) => `${e.spec.method} ${e.spec.path}`).sort()).toEqual([
      "GET /hk/v3/statements",
      "GET /v3/billdownload/file",
      "GET /v3/global/merchant-service/images/{media_id}",
      "GET /v3/global/statements",
      "GET /v3/merchant-service/images/{media_id}",
      "GET /v3/transferdownload/elecvoucherfile",
      "GET /v3/transferdownload/signfile"
    ])
  })

  it.effect("an image and a PDF, signed GETs answered with unsigned bytes (in memory)", () => images.pipe(Effect.provide(Sandbox.layer())))

  it.effect("the bill behind a tradebill answer's token: the bytes its signed digest names", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      yield* v3.pay.transactions.jsapi.post(jsapiOrder("order-dl-1", 100))
      yield* sandbox.pay("order-dl-1")
      const answer = yield* v3.bill.tradebill.get({ bill_date: "1970-01-01" }) // the TestClock's day
      const token = new URL(answer.download_url).searchParams.get("token")!
      const bytes = yield* v3.billdownload.file.get({ token })
      expect(crypto.createHash("sha1").update(bytes).digest("hex")).toBe(answer.hash_value)
      // a token the sandbox never gave: the documented error, typed
      const e = yield* Effect.flip(v3.billdownload.file.get({ token: "no-such-token" }))
      expect(e._tag).toBe("ResourceNotExists")
    }).pipe(Effect.provide(Sandbox.layer())))

  it.scoped("over loopback: undici and the lean node:http transport", () =>
    Effect.gen(function*() {
      const server = yield* Sandbox.make()
      yield* images.pipe(Effect.provide(server.clientLayer().pipe(Layer.provide(NodeHttpClient.layerUndici))))
      yield* images.pipe(Effect.provide(WechatPay.layerNode(server.wechatPayOptions({ baseUrl: server.url, backupBaseUrl: null }))))
      // the sandbox refuses an unsigned or badly signed download like any request
      const res = yield* Effect.promise(() => fetch(`${server.url}/v3/merchant-service/images/abc`))
      expect(res.status).toBe(401)
    }))
})
