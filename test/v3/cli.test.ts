/** The `wechatpay` command line: lists endpoints by chain and calls one against an in-process sandbox. */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { promisify } from "node:util"

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
    const input = JSON.stringify({ appid: "wxd678efh567hg6787", mchid: "1230000109", order_type: "out_trade_no", order_no: "T1", customs: "SHANGHAI_ZS" })
    const called = await run(["--sandbox", "global.v3.customs.orders.get", input])
    expect(JSON.parse(called.stdout)).toMatchObject({ data: expect.any(Array) })
  }, 60_000)

  it("an unknown chain or bad input exits non-zero, saying why", async () => {
    await expect(run(["v3.no.such.get"])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("no endpoint v3.no.such.get") })
    await expect(run(["--sandbox", "v3.discountCard.orders._out_order_no_.patch", "{}"])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("RequestValidationError")
    })
  }, 60_000)
})
