/**
 * `npx tsx bench/bill-download.ts [orders]`: a day of N paid orders in the in-memory sandbox, then
 * the trade bill asked with GZIP, downloaded, gunzipped, its SHA1 checked and parsed, timed.
 */
import { Effect } from "effect"
import { Bills } from "../src/api/index.js"
import { Sandbox } from "../src/sandbox/index.js"
import { bill, pay } from "../src/v3/index.js"

const n = Number(process.argv[2] ?? 2000)

const program = Effect.gen(function*() {
  const sandbox = yield* Sandbox.Sandbox
  for (let i = 0; i < n; i++) {
    yield* pay.transactions.jsapi.post({
      appid: "wxd678efh567hg6787", mchid: "1230000109", description: "Image形象店-深圳腾大-QQ公仔", out_trade_no: `bench-${i}`,
      notify_url: "http://127.0.0.1:9/notify", amount: { total: 100 + i, currency: "CNY" }, payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }
    })
    yield* sandbox.pay(`bench-${i}`)
  }
  const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)
  const started = performance.now()
  const answer = yield* bill.tradebill.get({ bill_date: day, tar_type: "GZIP" })
  const text = yield* Bills.download(answer, { tar_type: "GZIP" }).pipe(Bills.asText)
  const downloaded = performance.now()
  const parsed = yield* Bills.parseTradeBill(text)
  const done = performance.now()
  console.log(JSON.stringify({
    orders: n,
    billBytes: Buffer.byteLength(text),
    rows: parsed.rows.length,
    downloadMs: Math.round(downloaded - started),
    parseMs: Math.round(done - downloaded),
    totalFen: parsed.summary.total
  }))
}).pipe(Effect.provide(Sandbox.layer({ callbacks: { retryDelays: [] } })))

Effect.runPromise(program)
