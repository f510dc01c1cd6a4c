/**
 * The child of `bench/ab.ts`: every arm in one process, run in alternating blocks, so that a
 * shared machine's noise falls on all arms alike. Prints one JSON line: CPU µs per call and calls
 * per second of each arm, per round.
 *   node <build>/bench/abClient.js <roundMs> <rounds> <concurrency> label=dir:client …
 */
import type { Credentials } from "./client.js"

type Call = () => Promise<unknown>

const main = async () => {
  const [roundMs = "1000", rounds = "8", conc = "1", ...specs] = process.argv.slice(2)
  const credentials = JSON.parse(process.env.BENCH_CREDENTIALS ?? "") as Credentials
  const arms: Array<{ label: string; call: Call }> = []
  for (const spec of specs) {
    const m = /^([^=]+)=(.+):([^:]+)$/.exec(spec)!
    const { makers } = (await import(`${m[2]!}/bench/client.js`)) as { makers: Record<string, (c: Credentials) => Call | Promise<Call>> }
    const call = await makers[m[3]!]!(credentials)
    await call()
    arms.push({ label: m[1]!, call })
  }
  const block = async (call: Call, ms: number) => {
    let calls = 0
    let stop = false
    const until = setTimeout(() => (stop = true), ms)
    const worker = async () => {
      while (!stop) {
        await call()
        calls++
      }
    }
    const c0 = process.cpuUsage()
    const t0 = performance.now()
    await Promise.all(Array.from({ length: Number(conc) }, worker))
    const c = process.cpuUsage(c0)
    const wall = performance.now() - t0
    clearTimeout(until)
    return { cpu: (c.user + c.system) / calls, rate: calls / (wall / 1000) }
  }
  for (const arm of arms) await block(arm.call, 1500) // warm-up
  const out: Record<string, Array<{ cpu: number; rate: number }>> = {}
  for (let r = 0; r < Number(rounds); r++) {
    for (const arm of r % 2 === 0 ? arms : [...arms].reverse()) (out[arm.label] ??= []).push(await block(arm.call, Number(roundMs)))
  }
  process.stdout.write(JSON.stringify(out) + "\n")
  process.exit(0)
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`)
  process.exit(1)
})
