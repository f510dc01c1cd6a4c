/** `wechatpay-sandbox --refund-delay`: checked before anything starts. */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { promisify } from "node:util"

describe("wechatpay-sandbox --refund-delay", () => {
  it("a bad value exits 2 saying why; --help lists the payment controls", async () => {
    const run = (args: ReadonlyArray<string>) => promisify(execFile)(process.execPath, ["--import", "tsx", "src/sandbox/cli.ts", ...args])
    await expect(run(["--refund-delay", "soon"])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("--refund-delay must be a number of seconds") })
    const { stdout } = await run(["--help"])
    expect(stdout).toContain("POST /__sandbox/transactions/{out_trade_no}/pay")
  }, 60_000)
})
