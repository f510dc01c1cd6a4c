/**
 * The child of `bench/instructions.ts`: one client of `bench/client.ts`, warmed up, then
 * `calls` sequential calls while callgrind counts (it is switched on from outside when this
 * process has written its pid to the sync file, and waits until that file is gone).
 *   node <dir>/bench/countClient.js <client> <warmup calls> <calls> <sync file>
 */
import * as fs from "node:fs"
import type { Credentials } from "./client.js"

const main = async () => {
  const [client = "floor", warm = "300", calls = "200", sync = ""] = process.argv.slice(2)
  const { makers } = await import("./client.js")
  const call = await makers[client]!(JSON.parse(process.env.BENCH_CREDENTIALS ?? "") as Credentials)
  for (let i = 0; i < Number(warm); i++) await call()
  fs.writeFileSync(sync, String(process.pid))
  while (fs.existsSync(sync)) await new Promise((r) => setTimeout(r, 20))
  for (let i = 0; i < Number(calls); i++) await call()
  process.exit(0)
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`)
  process.exit(1)
})
