/** The `wechatpay` command line: lists endpoints by chain and calls one against an in-process sandbox. */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { APPID, MCHID } from "../support/constants.js"

const run = (args: ReadonlyArray<string>) =>
  promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli/wechatpay.ts", ...args], { env: { ...process.env, WECHATPAY_MCHID: "" } })

describe("wechatpay CLI", () => {
  it("--list prefix lists endpoints with method, path and summary", async () => {
    const { stdout } = await run(["--list", "v3.pay.transactions"])
    const lines = stdout.trim().split("\n")
    expect(lines.length).toBeGreaterThan(5)
    expect(lines.every((l) => l.startsWith("v3.pay.transactions"))).toBe(true)
    expect(stdout).toContain("v3.pay.transactions.jsapi.post\tPOST /v3/pay/transactions/jsapi")
  }, 60_000)

  it("--sandbox calls an endpoint by its chain and prints the decoded answer", async () => {
    const input = JSON.stringify({
      out_order_no: "233bcbf407e87789b8e471f251774f95",
      rewards: [{ reward_serial_no: "r1", reward_id: 1, count: 1, amount: 100, reward_time: new Date().toISOString().replace("Z", "+00:00"), description: "早餐券", reward_type: "INCREASE" }]
    })
    const { stdout } = await run(["--sandbox", "v3.discountCard.orders._out_order_no_.patch", input])
    expect(JSON.parse(stdout)).toMatchObject({ out_order_no: "233bcbf407e87789b8e471f251774f95", order_id: expect.any(String) })
  }, 60_000)

  it("the other hosts' roots: hk and global chains are listed and called", async () => {
    const { stdout } = await run(["--list", "hk.v3.transactions"])
    expect(stdout).toContain("hk.v3.transactions.jsapi.post\tPOST /hk/v3/transactions/jsapi")
    const customs = await run(["--list", "global.v3.customs"])
    expect(customs.stdout.trim().split("\n").length).toBe(5)
    const input = JSON.stringify({ appid: APPID, mchid: MCHID, order_type: "out_trade_no", order_no: "T1", customs: "SHANGHAI_ZS" })
    const called = await run(["--sandbox", "global.v3.customs.orders.get", input])
    expect(JSON.parse(called.stdout)).toMatchObject({ data: expect.any(Array) })
  }, 60_000)

  it("an unknown chain or bad input exits non-zero, saying why", async () => {
    await expect(run(["v3.no.such.get"])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("no endpoint v3.no.such.get") })
    await expect(run(["--sandbox", "v3.discountCard.orders._out_order_no_.patch", "{}"])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining("out_order_no: is missing")
    })
  }, 60_000)

  it("a validation failure lists every failing field, one line each, with no type dump", async () => {
    const failed = await run(["--sandbox", "v3.pay.transactions.jsapi.post", JSON.stringify({ appid: "wx1", amount: { total: "x" } })]).catch((e) => e)
    expect(failed.code).toBe(2)
    const lines = failed.stderr.trim().split("\n").slice(1)
    for (const field of ["mchid", "description", "out_trade_no", "notify_url", "payer"]) expect(lines).toContain(`  ${field}: is missing`)
    expect(lines.some((l: string) => l.startsWith("  amount.total: ") && l.includes('"x"'))).toBe(true)
    expect(lines.every((l: string) => l.length < 250)).toBe(true)
  }, 60_000)

  it("without credentials: one short message naming each missing variable, suggesting --sandbox; exit 2", async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("WECHATPAY_")))
    const failed = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli/wechatpay.ts", "v3.pay.transactions.jsapi.post", "{}"], { env }).catch((e) => e)
    expect(failed.code).toBe(2)
    for (const name of ["WECHATPAY_MCHID", "WECHATPAY_MERCHANT_SERIAL_NUMBER", "WECHATPAY_MERCHANT_PRIVATE_KEY"]) expect(failed.stderr).toContain(`missing ${name}`)
    expect(failed.stderr).toContain("--sandbox")
    expect(failed.stderr).not.toContain("_op")
    expect(failed.stderr).not.toContain("<redacted>")
  }, 60_000)

  it("--list matches whole segments, a doc page URL, or METHOD /path", async () => {
    const pay = (await run(["--list", "v3.pay"])).stdout.trim().split("\n")
    expect(pay.every((l) => l.startsWith("v3.pay."))).toBe(true)
    expect(pay.some((l) => l.startsWith("v3.payscore."))).toBe(false)
    const byRoute = await run(["--list", "GET /v3/pay/transactions/out-trade-no/T20261206001"])
    expect(byRoute.stdout.trim()).toMatch(/^v3\.pay\.transactions\.outTradeNo\._out_trade_no_\.get\tGET \/v3\/pay\/transactions\/out-trade-no\/\{out_trade_no\}/)
    const byTemplate = await run(["--list", "POST /v3/pay/transactions/jsapi"])
    expect(byTemplate.stdout.trim().split("\n")).toHaveLength(1)
    const byPage = await run(["--list", "https://pay.weixin.qq.com/wiki/doc/apiv3/wxpay/pay/transactions/chapter5_1.shtml"])
    expect(byPage.stdout).toContain("v3.pay.partner.transactions.app.post")
    await expect(run(["--list", "v3.nothing"])).rejects.toMatchObject({ code: 2 })
  }, 60_000)

  it("--help documents the exit codes", async () => {
    const { stdout } = await run(["--help"])
    expect(stdout).toMatch(/Exit codes: 0 success; 1 .*; 2 usage, configuration or input error/)
  }, 60_000)
})
