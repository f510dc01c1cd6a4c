/**
 * The generated surface's budgets, each in fresh `node` processes on the JavaScript the package
 * ships (scripts/build.ts: one file per entry, shared chunks), medians of several runs:
 *   - marginal import of the root entry, of `v3/index` (the whole tree), of one family (`pay`),
 *     of the largest (`marketing`, all its products) and of the largest module alone (each after
 *     `effect` and `@effect/platform`; all but the first after the root entry too);
 *   - the first call of a generated endpoint (its declaration checked, schemas and validators
 *     built) against a client that answers at once, after one call of another endpoint has
 *     warmed what all calls share; and its second call.
 *   npx tsx bench/surface.ts [runs]
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { buildInstalled } from "../scripts/build.js"

const runs = Number(process.argv[2] ?? 7)
// inside node_modules, so `effect` resolves from there
const dir = path.join(import.meta.dirname, "..", "node_modules", ".cache", "effect-wechatpay-dist")
const entries = await buildInstalled(dir)
const src = path.join(dir, "dist")

const probe = path.join(dir, "surface-probe.mjs")
fs.writeFileSync(
  probe,
  `
const [what, target] = process.argv.slice(2)
await import("effect"); await import("@effect/platform")
if (what !== "root") await import(${JSON.stringify(path.join(src, "index.js"))})
let t0 = performance.now()
const mod = await import(target)
const importMs = performance.now() - t0
let first = 0, second = 0
if (what === "call") {
  const { Effect, Layer } = await import("effect")
  const { WechatPayClient } = await import(${JSON.stringify(path.join(src, "index.js"))})
  const client = Layer.succeed(WechatPayClient.WechatPayClient, { execute: () => Effect.fail("answered") })
  const endpoint = mod.v3.pay.transactions.jsapi.post
  // warm what every first call shares (the runtime, the pipeline's code, the common error set) on another endpoint
  await Effect.runPromiseExit(Effect.provide(mod.v3.pay.transactions.outTradeNo._out_trade_no_.get({ out_trade_no: "1", mchid: "1" }), client))
  const input = { appid: "wxd678efh567hg6787", mchid: "1230000109", description: "Image形象店-深圳腾大-QQ公仔", out_trade_no: "1217752501201407033233368018",
    notify_url: "https://www.weixin.qq.com/wxpay/pay.php", amount: { total: 100, currency: "CNY" }, payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" } }
  t0 = performance.now(); await Effect.runPromiseExit(Effect.provide(endpoint(input), client)); first = performance.now() - t0
  t0 = performance.now(); await Effect.runPromiseExit(Effect.provide(endpoint(input), client)); second = performance.now() - t0
}
process.stdout.write(JSON.stringify({ importMs, first, second }) + "\\n")
`
)

const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const measure = (what: string, target: string) => {
  const out = Array.from({ length: runs }, () => JSON.parse(execFileSync(process.execPath, [probe, what, target], { encoding: "utf8" })))
  return { importMs: median(out.map((o) => o.importMs)), first: median(out.map((o) => o.first)), second: median(out.map((o) => o.second)) }
}

const root = measure("root", path.join(src, "index.js"))
const whole = measure("call", path.join(src, "v3", "index.js"))
const family = measure("family", path.join(src, "v3", "pay.js"))
const big = measure("family", path.join(src, "v3", "marketing.js"))
// the entry of the largest generated module (a family's, or one product's where its family is split)
const sourceBytes = (entry: string) => fs.statSync(path.join(import.meta.dirname, "..", "src", entry.replace(/\.js$/, ".ts"))).size
const largest = path.join(src, entries.filter((e) => e.startsWith("v3/")).sort((a, b) => sourceBytes(b) - sourceBytes(a))[0]!)
const one = measure("family", largest)
const row = (label: string, ms: number, target: string) => console.log(`${label.padEnd(52)} ${ms.toFixed(1).padStart(7)} ms   target ${target}`)
row("import effect-wechatpay (root entry), marginal", root.importMs, "≤ 50 ms")
row("import effect-wechatpay/v3 (whole tree), marginal", whole.importMs, "≤ 150 ms")
row("import effect-wechatpay/v3/pay, marginal", family.importMs, "≤ 20 ms")
row("import effect-wechatpay/v3/marketing (largest family)", big.importMs, "≤ 20 ms")
row(`import v3/${path.relative(path.join(src, "v3"), largest).replace(/\.js$/, "")} (largest module)`, one.importMs, "-")
row("first call of v3.pay.transactions.jsapi.post", whole.first, "≤ 5 ms of compile")
row("its second call", whole.second, "-")
console.log(`(medians of ${runs} fresh node processes)`)
