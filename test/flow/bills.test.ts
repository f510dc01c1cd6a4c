/**
 * Bills: the download with its digest over the uncompressed bill, gzip, the size cap, `saveTo`
 * (never a partial or unverified file), the parsers (checked against wechatpay-axios-plugin's own
 * CSV reader), over the in-memory client (HttpClient) and over loopback (`WechatPay.layerNode`).
 */
import { HttpServerRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, FastCheck, Layer, Schema, Stream, TestClock } from "effect"
import { Formatter } from "wechatpay-axios-plugin"
import { Bills, WechatPay } from "../../src/api/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { keyOptions } from "../sandbox/support.js"
import { jsapiOrder, refundOf, t, v3 } from "./support.js"

const DAY = "2024-06-01"

/** Two paid orders and a refund, on `DAY`. */
const dayOfTrade = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  yield* sandbox.reset
  yield* TestClock.setTime(Date.parse(`${DAY}T09:30:00+08:00`))
  for (const [no, total] of [["bill-1", 1234], ["bill-2", 99]] as const) {
    yield* t.jsapi.post(jsapiOrder(no, total))
    yield* sandbox.pay(no)
    yield* TestClock.adjust("10 minutes")
  }
  yield* v3.refund.domestic.refunds.post(refundOf("bill-1", "bill-1-r", 234, 1234))
  yield* sandbox.completeRefund("bill-1-r")
  return sandbox
})

const collect = <E, R>(s: Stream.Stream<Uint8Array, E, R>) => Effect.map(Stream.runCollect(s), (c) => Buffer.concat([...c]))

const tmpdir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "bills-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

describe("Bills.download, in memory", () => {
  it.effect("the trade bill: its digest is the SHA1 of the uncompressed bill, plain or gzipped; both read the same", () =>
    Effect.gen(function*() {
      yield* dayOfTrade
      const plain = yield* v3.bill.tradebill.get({ bill_date: DAY })
      // in memory the sandbox has no address: it names WeChat Pay's host, and the client sends the download to its base URL
      expect(plain.download_url.startsWith("https://api.mch.weixin.qq.com/v3/billdownload/file?token=")).toBe(true)
      const bytes = yield* collect(Bills.download(plain))
      expect(crypto.createHash("sha1").update(bytes).digest("hex")).toBe(plain.hash_value)
      expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
      const gzipped = yield* v3.bill.tradebill.get({ bill_date: DAY, tar_type: "GZIP" })
      const unzipped = yield* collect(Bills.download(gzipped, { tar_type: "GZIP" }))
      expect(crypto.createHash("sha1").update(unzipped).digest("hex")).toBe(gzipped.hash_value)
      expect(unzipped.toString("utf8")).toBe(bytes.toString("utf8"))
      // the gzipped file taken as it comes: its digest is not the bill's
      expect((yield* Effect.flip(collect(Bills.download(gzipped))))._tag).toBe("BillHashMismatch")
    }).pipe(Effect.provide(Sandbox.layer(keyOptions))))

  it.effect("parsed rows and summary agree with wechatpay-axios-plugin's CSV reader and with the records", () =>
    Effect.gen(function*() {
      yield* dayOfTrade
      const answer = yield* v3.bill.tradebill.get({ bill_date: DAY })
      const bytes = yield* collect(Bills.download(answer))
      const bill = yield* Bills.parseTradeBill(bytes)
      const reference = Formatter.castCsvBill(bytes) as { rows: Array<Record<string, string>>; summary: Record<string, string> }
      expect(bill.rows.map((r) => r.out_trade_no)).toEqual(reference.rows.map((r) => r["商户订单号"]))
      expect(bill.rows.map((r) => r.trade_state)).toEqual(["SUCCESS", "SUCCESS", "REFUND"])
      expect(reference.summary["总交易单数"]).toBe("3")
      expect(bill.summary).toEqual({
        count: 3,
        settlement_total: 1333,
        settlement_refund: 234,
        recharge_coupon_refund: 0,
        fee: "0.06594",
        total: 1333,
        refund_amount: 234
      })
      expect(Number(reference.summary["应结订单总金额"]) * 100).toBeCloseTo(bill.summary.settlement_total)
      const refundRow = bill.rows[2]!
      expect(refundRow).toMatchObject({ out_refund_no: "bill-1-r", settlement_refund: 234, refund_status: "SUCCESS", other: {} })

      const funds = yield* v3.bill.fundflowbill.get({ bill_date: DAY, tar_type: "GZIP" })
      const fundBill = yield* Bills.parseFundFlowBill(yield* collect(Bills.download(funds, { tar_type: "GZIP" })))
      expect(fundBill.rows.map((r) => [r.direction, r.amount, r.balance])).toEqual([["收入", 1234, 1234], ["收入", 99, 1333], ["支出", 234, 1099]])
      expect(fundBill.summary).toEqual({ count: 3, income_count: 2, income: 1333, expense_count: 1, expense: 234 })
    }).pipe(Effect.provide(Sandbox.layer(keyOptions))))

  it.effect("a digest that does not match fails the stream at its end (BillHashMismatch), SHA256 too", () =>
    Effect.gen(function*() {
      yield* dayOfTrade
      const answer = yield* v3.bill.tradebill.get({ bill_date: DAY })
      const wrong = yield* Effect.flip(collect(Bills.download({ ...answer, hash_value: "0".repeat(40) })))
      expect(wrong).toMatchObject({ _tag: "BillHashMismatch", hash_type: "SHA1", expected: "0".repeat(40), actual: answer.hash_value })
      const bytes = yield* collect(Bills.download(answer))
      const sha256 = crypto.createHash("sha256").update(bytes).digest("hex").toUpperCase()
      expect((yield* collect(Bills.download({ ...answer, hash_type: "SHA256", hash_value: sha256 }))).equals(bytes)).toBe(true)
      expect((yield* Effect.flip(collect(Bills.download({ ...answer, hash_type: "MD5" }))))._tag).toBe("UnexpectedResponse")
    }).pipe(Effect.provide(Sandbox.layer(keyOptions))))

  it.effect("a bill over its cap, a non-gzip body asked as GZIP, an unknown token: typed errors", () =>
    Effect.gen(function*() {
      yield* dayOfTrade
      const answer = yield* v3.bill.tradebill.get({ bill_date: DAY })
      expect(yield* Effect.flip(collect(Bills.download(answer, { maxBytes: 100 })))).toMatchObject({ _tag: "UnexpectedResponse", message: expect.stringContaining("100-byte") })
      expect(yield* Effect.flip(collect(Bills.download(answer, { tar_type: "GZIP" })))).toMatchObject({ _tag: "UnexpectedResponse", message: expect.stringContaining("gzip") })
      const gzipped = yield* v3.bill.tradebill.get({ bill_date: DAY, tar_type: "GZIP" })
      expect((yield* Effect.flip(collect(Bills.download(gzipped, { tar_type: "GZIP", maxBytes: 200 }))))._tag).toBe("UnexpectedResponse")
      const unknown = yield* Effect.flip(collect(Bills.download({ ...answer, download_url: "https://api.mch.weixin.qq.com/v3/billdownload/file?token=nope" })))
      expect(unknown._tag).toBe("ResourceNotExists")
    }).pipe(Effect.provide(Sandbox.layer(keyOptions))))

  it.effect("the file route checks the merchant's Authorization, and answers unsigned bytes", () =>
    Effect.gen(function*() {
      const sandbox = yield* dayOfTrade
      const answer = yield* v3.bill.tradebill.get({ bill_date: DAY })
      const url = new URL(answer.download_url)
      const anonymous = new Request(`http://sandbox${url.pathname}${url.search}`, { headers: { accept: "*/*", "user-agent": "test" } })
      const refused = yield* Effect.provideService(sandbox.app, HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(anonymous))
      expect(refused.status).toBe(401)
      const requests = yield* sandbox.requests
      const served = requests.filter((r) => r.url.startsWith("/v3/billdownload/file"))
      expect(served.map((r) => r.status)).toEqual([401])
      yield* collect(Bills.download(answer))
      expect((yield* sandbox.requests).filter((r) => r.url.startsWith("/v3/billdownload/file")).map((r) => r.status)).toEqual([401, 200])
    }).pipe(Effect.provide(Sandbox.layer(keyOptions))))
})

describe("Bills.saveTo", () => {
  it.scoped("writes the verified bill to the path; a mismatch leaves no file, and an existing one untouched", () =>
    Effect.gen(function*() {
      yield* dayOfTrade
      const dir = yield* tmpdir
      const answer = yield* v3.bill.tradebill.get({ bill_date: DAY, tar_type: "GZIP" })
      const target = path.join(dir, "trade.csv")
      yield* Bills.download(answer, { tar_type: "GZIP" }).pipe(Bills.saveTo(target))
      const saved = fs.readFileSync(target)
      expect(crypto.createHash("sha1").update(saved).digest("hex")).toBe(answer.hash_value)
      expect(fs.readdirSync(dir)).toEqual(["trade.csv"])

      const failed = yield* Effect.flip(Bills.download({ ...answer, hash_value: "f".repeat(40) }, { tar_type: "GZIP" }).pipe(Bills.saveTo(target)))
      expect(failed._tag).toBe("BillHashMismatch")
      expect(fs.readFileSync(target).equals(saved)).toBe(true)
      const other = path.join(dir, "other.csv")
      yield* Effect.flip(Bills.download({ ...answer, hash_value: "f".repeat(40) }, { tar_type: "GZIP" }).pipe(Bills.saveTo(other)))
      expect(fs.readdirSync(dir)).toEqual(["trade.csv"])
      const unwritable = yield* Effect.flip(Bills.download(answer, { tar_type: "GZIP" }).pipe(Bills.saveTo(path.join(dir, "no-such-dir", "x.csv"))))
      expect(unwritable._tag).toBe("BillFileError")
    }).pipe(Effect.provide(Sandbox.layer(keyOptions))))
})

describe("over loopback, with WechatPay.layerNode", () => {
  it.scopedLive("download, digest and parse through the node:http streaming transport", () =>
    Effect.gen(function*() {
      const server = yield* Sandbox.make(keyOptions)
      const client = Layer.orDie(WechatPay.layerNode({ ...server.wechatPayOptions(), baseUrl: server.url, backupBaseUrl: null }))
      const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
      yield* Effect.gen(function*() {
        yield* t.native.post({ ...jsapiOrder("loop-1", 500), payer: undefined })
        yield* server.pay("loop-1")
        for (const tar_type of [undefined, "GZIP"] as const) {
          const answer = yield* v3.bill.tradebill.get({ bill_date: today, ...(tar_type ? { tar_type } : {}) })
          // a socket sandbox names itself, so a client in any language can fetch the file as given
          expect(answer.download_url.startsWith(`${server.url}/v3/billdownload/file?token=`)).toBe(true)
          const bill = yield* Bills.parseTradeBill(yield* Bills.download(answer, { tar_type }).pipe(Bills.asText))
          expect(bill.rows.map((r) => [r.out_trade_no, r.total, r.trade_type])).toEqual([["loop-1", 500, "NATIVE"]])
        }
        const bad = yield* Effect.flip(v3.bill.tradebill.get({ bill_date: today }).pipe(Effect.flatMap((a) => collect(Bills.download({ ...a, hash_value: "1".repeat(40) })))))
        expect(bad._tag).toBe("BillHashMismatch")
      }).pipe(Effect.provide(client))
    }))
})

describe("the parsers", () => {
  const official = [
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注,新的一列",
    "`2019-06-11 09:41:12,`wx2421b1c4370ec43b,`10000100,`0,`,`4200000357201906110528838125,`1217752501201407033233368018,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`JSAPI,`SUCCESS,`CMC,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`QQ公仔,`,`0.00000,`0.60%,`0.01,`0.00,`,`x",
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
    "`1,`0.01,`0.00,`0.00,`0.00000,`0.01,`0.00",
    ""
  ].join("\r\n")

  it.effect("read a bill in the documented layout; unknown columns land in `other`", () =>
    Effect.gen(function*() {
      const bill = yield* Bills.parseTradeBill("\uFEFF" + official)
      expect(bill.rows).toHaveLength(1)
      expect(bill.rows[0]).toMatchObject({ trade_time: "2019-06-11 09:41:12", transaction_id: "4200000357201906110528838125", settlement_total: 1, fee: "0.00000", other: { "新的一列": "x" } })
      expect(bill.rows[0]!.device_info).toBeUndefined()
      expect(bill.summary).toEqual({ count: 1, settlement_total: 1, settlement_refund: 0, recharge_coupon_refund: 0, fee: "0.00000", total: 1, refund_amount: 0 })
    }))

  it.effect("a malformed bill is a BillParseError naming its line", () =>
    Effect.gen(function*() {
      expect((yield* Effect.flip(Bills.parseTradeBill("")))._tag).toBe("BillParseError")
      expect(yield* Effect.flip(Bills.parseTradeBill(official.split("\r\n").slice(0, 2).join("\n")))).toMatchObject({ message: expect.stringContaining("summary") })
      const badAmount = official.replace("`0.01,`0.00,`0,", "`0.0x,`0.00,`0,")
      expect(yield* Effect.flip(Bills.parseTradeBill(badAmount))).toMatchObject({ _tag: "BillParseError", line: 2 })
    }))

  it("Fen: yuan text ↔ integer fen, exactly", () => {
    FastCheck.assert(
      FastCheck.property(FastCheck.integer({ min: -1e12, max: 1e12 }), (fen) => {
        const text = Schema.encodeSync(Bills.Fen)(fen)
        expect(text).toMatch(/^-?\d+\.\d{2}$/)
        expect(Schema.decodeSync(Bills.Fen)(text)).toBe(fen)
      })
    )
    expect(Schema.decodeSync(Bills.Fen)("1.5")).toBe(150)
  })
})
