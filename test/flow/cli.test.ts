/** `wechatpay-sandbox`: flags checked before anything starts; `--help` explains every flag. */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import { promisify } from "node:util"

describe("wechatpay-sandbox --refund-delay", () => {
  it("a bad value exits 2 saying why; --help lists the payment controls", async () => {
    const run = (args: ReadonlyArray<string>) => promisify(execFile)(process.execPath, ["--import", "tsx", "src/sandbox/cli.ts", ...args])
    await expect(run(["--refund-delay", "soon"])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("--refund-delay must be a number of seconds") })
    const { stdout } = await run(["--help"])
    expect(stdout).toContain("POST /__sandbox/transactions/{out_trade_no}/pay")
    // Every flag the CLI parses has its own line in --help (read from the parser's option table).
    const source = fs.readFileSync("src/sandbox/cli.ts", "utf8")
    const table = source.slice(source.indexOf("options: {"), source.indexOf("strict: true"))
    const flags = [...table.matchAll(/^\s+"?([a-z-]+)"?: \{ type:/gm)].map((m) => m[1]!)
    expect(flags).toEqual(expect.arrayContaining(["port", "no-seed", "bench", "quiet", "help"]))
    for (const flag of flags) expect(stdout).toMatch(new RegExp(`^\\s+(-\\w, )?--${flag}\\b.*\\S`, "m"))
  }, 60_000)
})
