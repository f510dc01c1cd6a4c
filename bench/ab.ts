/**
 * Interleaved A/B of CPU per call against one bench server (the sandbox in bench mode), for a
 * shared, noisy machine: every arm runs in one client process, in alternating blocks of `--ms`
 * (`bench/abClient.ts`), so the machine's noise falls on all of them alike; the medians of the
 * rounds (CPU µs per call, calls per second) are reported, with their ratios to the first arm.
 *
 *   npx tsx bench/ab.ts [--rounds 8] [--ms 1000] [--conc 1] ARM ARM …
 *
 * An ARM is a client name of `bench/client.ts` (run from the current sources), or
 * `label=DIR:client` to run a build kept from before a change: `DIR` a copy of the bench build
 * directory inside node_modules (so `effect` resolves), e.g.
 * `cp -r node_modules/.cache/effect-wechatpay-bench node_modules/.cache/ab-A`.
 */
import { spawn } from "node:child_process"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { build } from "./build.js"

const args = process.argv.slice(2)
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  if (i < 0) return fallback
  const v = Number(args[i + 1])
  args.splice(i, 2)
  return v
}
const rounds = flag("rounds", 8)
const ms = flag("ms", 1000)
const conc = flag("conc", 1)
const dir = build()
const arms = args.map((a) => {
  const m = /^([^=]+)=(.+):([^:]+)$/.exec(a)
  return m === null ? { label: a, dir, client: a } : { label: m[1]!, dir: m[2]!, client: m[3]! }
})

const firstLine = (child: ReturnType<typeof spawn>): Promise<string> =>
  new Promise((resolve, reject) => {
    let stderr = ""
    child.stderr?.on("data", (d) => (stderr += d))
    createInterface({ input: child.stdout! }).once("line", resolve)
    child.once("exit", (code) => reject(new Error(`exited (${code}): ${stderr.slice(0, 2000)}`)))
  })

const main = async () => {
  const server = spawn(process.execPath, [path.join(dir, "src", "sandbox", "cli.js"), "--bench"], { stdio: ["ignore", "pipe", "pipe"] })
  process.on("exit", () => server.kill("SIGTERM"))
  const env = { ...process.env, BENCH_CREDENTIALS: await firstLine(server) }
  const child = spawn(
    process.execPath,
    [path.join(dir, "bench", "abClient.js"), String(ms), String(rounds), String(conc), ...arms.map((a) => `${a.label}=${a.dir}:${a.client}`)],
    { env, stdio: ["ignore", "pipe", "pipe"] }
  )
  const rounds_ = JSON.parse(await firstLine(child)) as Record<string, Array<{ cpu: number; rate: number }>>
  const median = (xs: ReadonlyArray<number>) => {
    const s = [...xs].sort((a, b) => a - b)
    return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
  }
  const cpuOf = (label: string) => rounds_[label]!.map((r) => r.cpu)
  const rateOf = (label: string) => rounds_[label]!.map((r) => r.rate)
  const base = median(cpuOf(arms[0]!.label))
  const baseRate = median(rateOf(arms[0]!.label))
  for (const arm of arms) {
    const xs = cpuOf(arm.label)
    const m = median(xs)
    const rate = median(rateOf(arm.label))
    console.log(
      `${arm.label.padEnd(16)} CPU µs/call median ${m.toFixed(0).padStart(5)} (${(m / base).toFixed(3)}×)  calls/s ${rate.toFixed(0).padStart(5)} (${(rate / baseRate).toFixed(3)}×)  CPU rounds: ${xs.map((x) => x.toFixed(0)).join(" ")}`
    )
  }
  process.exit(0)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
