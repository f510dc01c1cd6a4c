/** `npm start` runs the whole flow against the embedded sandbox and exits 0. */
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { promisify } from "node:util"

describe("npm start", () => {
  it("shows the payment flow end to end and exits 0", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "examples/demo.ts"], { timeout: 110_000 })
    for (const step of ["JSAPI prepay", "PaySign.jsapi", "TRANSACTION.SUCCESS", "query by out_trade_no", "REFUND.SUCCESS", "trade bill (gunzipped, SHA1 checked)", "DiscountCard.updateOrder"]) {
      expect(stdout).toContain(step)
    }
    expect(stdout).toMatch(/2 rows, 1000 in, 300 refunded/)
  }, 120_000)
})
