/**
 * `npm run bench`: effect-wechatpay against the floor (a hand-written client doing only the
 * necessary work) and wechatpay-axios-plugin, on the same signed and verified
 * `PATCH /v3/discount-card/orders/{out_order_no}` against the sandbox (bench mode: cached answer
 * signatures) on loopback in its own process: `WechatPay.layerNode`, `WechatPay.layer` over
 * `NodeHttpClient.layerUndici` and over `FetchHttpClient.layer`, and for each of those two a bare
 * platform row (the floor's work by hand through `HttpClient.execute` + `arrayBuffer`: what the
 * platform itself costs, the bound for `WechatPay.layer`). Each client runs in its own process, at concurrency
 * 1 and 16, in two rounds (second round in reverse order). About four minutes. Writes
 * `bench/results.json` and prints one table; compare ratios within one run.
 *
 *   npm run bench                 # the whole thing
 *   npm run bench -- --quick      # shorter windows, one round (a smoke test, not for figures)
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { build } from "./build.js"
import type { ClientResult, Credentials } from "./client.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const quick = process.argv.includes("--quick")
const ROUNDS = quick ? 1 : 2
const WARMUP_MS = quick ? 500 : 1500
const MEASURE_MS = quick ? 1500 : 4000
const IMPORT_RUNS = quick ? 2 : 5
const CLIENTS = ["floor", "effect", "axios", "bare-undici", "effect-undici", "bare-fetch", "effect-fetch"] as const
const CONCURRENCY = [1, 16] as const
const LABEL: Record<string, string> = {
  floor: "floor (node:crypto + node:http)",
  effect: "effect-wechatpay (layerNode)",
  axios: "wechatpay-axios-plugin",
  "bare-undici": "bare platform: HttpClient (undici)",
  "effect-undici": "WechatPay.layer + layerUndici",
  "bare-fetch": "bare platform: HttpClient (fetch)",
  "effect-fetch": "WechatPay.layer + FetchHttpClient",
  "floor-jsapi": "floor, JSAPI prepay by hand",
  "effect-jsapi": "v3.pay.transactions.jsapi.post"
}
/** The generated surface on a larger body: JSAPI prepay, by hand and through the generated endpoint (concurrency 1). */
const JSAPI_CLIENTS = ["floor-jsapi", "effect-jsapi"] as const

/** Starts a process and resolves with its first stdout line (the child keeps running). */
const firstLine = (child: ChildProcess, what: string): Promise<string> =>
  new Promise((resolve, reject) => {
    let stderr = ""
    child.stderr?.on("data", (d) => (stderr += d))
    const lines = createInterface({ input: child.stdout! })
    lines.once("line", (line) => resolve(line))
    child.once("exit", (code) => reject(new Error(`${what} exited (${code}) before answering: ${stderr.slice(0, 2000)}`)))
  })

const runNode = async (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}): Promise<string> => {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
  const line = await firstLine(child, args.join(" "))
  await new Promise((r) => child.once("exit", r))
  return line
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

interface Row {
  readonly client: string
  readonly concurrency: number
  readonly calls: number
  readonly errors: number
  readonly cpuMicrosPerCall: number
  readonly wallMicrosPerCall: number
  readonly p50Millis: number
  readonly p99Millis: number
  readonly callsPerSecond: number
  readonly eventLoopDelayP99Millis: number
  readonly peakRssMB: number
  /** The sandbox's CPU per call (it shares the machine's cores with the client). */
  readonly serverCpuMicrosPerCall: number
  ratios?: Record<string, number>
}

const combine = (runs: ReadonlyArray<ClientResult>): Row => {
  const calls = runs.reduce((s, r) => s + r.calls, 0)
  const cpu = runs.reduce((s, r) => s + r.cpuMicros, 0)
  const wall = runs.reduce((s, r) => s + r.wallMicros, 0)
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b)
  return {
    client: runs[0]!.client,
    concurrency: runs[0]!.concurrency,
    calls,
    errors: runs.reduce((s, r) => s + r.errors, 0),
    cpuMicrosPerCall: cpu / calls,
    wallMicrosPerCall: wall / calls,
    p50Millis: percentile(latencies, 50) / 1000,
    p99Millis: percentile(latencies, 99) / 1000,
    callsPerSecond: calls / (wall / 1e6),
    eventLoopDelayP99Millis: runs.reduce((s, r) => s + r.eventLoopDelayP99Micros, 0) / runs.length / 1000,
    peakRssMB: Math.max(...runs.map((r) => r.peakRssBytes)) / (1024 * 1024),
    serverCpuMicrosPerCall: runs.reduce((s, r) => s + (r.serverCpuMicros ?? NaN), 0) / calls
  }
}

const FIGURES = [
  ["cpuMicrosPerCall", "CPU µs/call", 0],
  ["wallMicrosPerCall", "wall µs/call", 0],
  ["p50Millis", "p50 ms", 2],
  ["p99Millis", "p99 ms", 2],
  ["callsPerSecond", "calls/s", 0],
  ["eventLoopDelayP99Millis", "loop delay p99 ms", 2],
  ["peakRssMB", "peak RSS MB", 0],
  ["serverCpuMicrosPerCall", "server CPU µs/call", 0]
] as const

const table = (rows: ReadonlyArray<Row>): string => {
  const header = ["client", "conc", ...FIGURES.map(([, label]) => label)]
  const body = rows.map((r) => [
    LABEL[r.client] ?? r.client,
    String(r.concurrency),
    ...FIGURES.map(([key, , digits]) => {
      const v = r[key].toFixed(digits)
      return r.client.startsWith("floor") ? v : `${v} (${r.ratios![key]!.toFixed(2)}×)`
    })
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`
  return [line(header), `|${widths.map((w, i) => (i < 2 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`, ...body.map(line)].join("\n")
}

const main = async () => {
  const started = Date.now()
  const dir = build()
  const js = (file: string) => path.join(dir, "bench", file)

  // the server: the sandbox in bench mode, in its own process
  const server = spawn(process.execPath, [path.join(dir, "src", "sandbox", "cli.js"), "--bench"], { stdio: ["ignore", "pipe", "pipe"] })
  const stop = () => server.kill("SIGTERM")
  process.on("exit", stop)
  const credentials = JSON.parse(await firstLine(server, "the sandbox")) as Credentials
  const env = { BENCH_CREDENTIALS: JSON.stringify(credentials), BENCH_SERVER_PID: String(server.pid) }

  const results: Array<ClientResult> = []
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? CLIENTS : [...CLIENTS].reverse()
    for (const concurrency of CONCURRENCY) {
      for (const client of order) {
        process.stderr.write(`round ${round + 1}/${ROUNDS}: ${client} at concurrency ${concurrency} …\n`)
        const line = await runNode([js("client.js"), client, String(concurrency), String(WARMUP_MS), String(MEASURE_MS)], env)
        const r = JSON.parse(line) as ClientResult
        if (r.errors > 0) process.stderr.write(`  ${r.errors} errors, first: ${r.firstError}\n`)
        results.push(r)
      }
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const client of round % 2 === 0 ? JSAPI_CLIENTS : [...JSAPI_CLIENTS].reverse()) {
      process.stderr.write(`round ${round + 1}/${ROUNDS}: ${client} at concurrency 1 …\n`)
      const r = JSON.parse(await runNode([js("client.js"), client, "1", String(WARMUP_MS), String(MEASURE_MS)], env)) as ClientResult
      if (r.errors > 0) process.stderr.write(`  ${r.errors} errors, first: ${r.firstError}\n`)
      results.push(r)
    }
  }
  stop()

  process.stderr.write("import cost …\n")
  const importMs = async (mode: "marginal" | "scratch") => {
    const xs: Array<number> = []
    for (let i = 0; i < IMPORT_RUNS; i++) xs.push((JSON.parse(await runNode([js("importCost.js"), mode])) as { ms: number }).ms)
    return median(xs)
  }
  const importCost = { marginalMillis: await importMs("marginal"), scratchMillis: await importMs("scratch") }

  const rows: Array<Row> = []
  for (const concurrency of CONCURRENCY) {
    const floor = combine(results.filter((r) => r.client === "floor" && r.concurrency === concurrency))
    for (const client of CLIENTS) {
      const row = client === "floor" ? floor : combine(results.filter((r) => r.client === client && r.concurrency === concurrency))
      row.ratios = Object.fromEntries(FIGURES.map(([key]) => [key, row[key] / floor[key]]))
      rows.push(row)
    }
  }

  const jsapiFloor = combine(results.filter((r) => r.client === "floor-jsapi"))
  const jsapiRows = JSAPI_CLIENTS.map((client) => {
    const row = client === "floor-jsapi" ? jsapiFloor : combine(results.filter((r) => r.client === client))
    row.ratios = Object.fromEntries(FIGURES.map(([key]) => [key, row[key] / jsapiFloor[key]]))
    return row
  })
  const jsapi = jsapiRows[1]!

  const find = (client: string, concurrency: number) => rows.find((r) => r.client === client && r.concurrency === concurrency)!
  const e1 = find("effect", 1)
  const e16 = find("effect", 16)
  const cpuVs = (client: string, base: string) => find(client, 1).cpuMicrosPerCall / find(base, 1).cpuMicrosPerCall
  const targets = [
    { target: "layerNode CPU/call at concurrency 1 ≤ 1.10× floor", value: e1.ratios!.cpuMicrosPerCall!, met: e1.ratios!.cpuMicrosPerCall! <= 1.10 },
    { target: "layer over undici CPU/call at concurrency 1 ≤ 1.15× its bare platform row", value: cpuVs("effect-undici", "bare-undici"), met: cpuVs("effect-undici", "bare-undici") <= 1.15 },
    { target: "layer over fetch CPU/call at concurrency 1 ≤ 1.15× its bare platform row", value: cpuVs("effect-fetch", "bare-fetch"), met: cpuVs("effect-fetch", "bare-fetch") <= 1.15 },
    { target: "layerNode calls/s at concurrency 16 ≥ 0.95× floor", value: e16.ratios!.callsPerSecond!, met: e16.ratios!.callsPerSecond! >= 0.95 },
    { target: "layerNode event-loop delay p99 at concurrency 16 ≤ floor", value: e16.ratios!.eventLoopDelayP99Millis!, met: e16.ratios!.eventLoopDelayP99Millis! <= 1 },
    { target: "layerNode CPU/call at concurrency 1 below wechatpay-axios-plugin", value: cpuVs("effect", "axios"), met: cpuVs("effect", "axios") < 1 },
    { target: "layer over undici CPU/call at concurrency 1 below wechatpay-axios-plugin", value: cpuVs("effect-undici", "axios"), met: cpuVs("effect-undici", "axios") < 1 },
    { target: "marginal import ≤ 50 ms", value: importCost.marginalMillis, met: importCost.marginalMillis <= 50 },
    { target: "generated JSAPI prepay CPU/call ≤ 1.15× its floor", value: jsapi.ratios!.cpuMicrosPerCall!, met: jsapi.ratios!.cpuMicrosPerCall! <= 1.15 }
  ]

  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()}`,
    node: process.version
  }
  const out = {
    date: new Date().toISOString(),
    machine,
    settings: { rounds: ROUNDS, warmupMillis: WARMUP_MS, measureMillis: MEASURE_MS, quick },
    rows,
    jsapiRows,
    importCost,
    targets,
    seconds: (Date.now() - started) / 1000
  }
  fs.writeFileSync(path.join(here, "results.json"), JSON.stringify(out, null, 2) + "\n")

  console.log(`\n${machine.cpus} × ${machine.cpuModel}, ${machine.platform}, Node ${machine.node}; ${ROUNDS} round(s) of ${MEASURE_MS} ms per cell after ${WARMUP_MS} ms warm-up\n`)
  console.log(table(rows))
  console.log(`\nThe generated surface on a larger body (JSAPI prepay, concurrency 1):\n`)
  console.log(table(jsapiRows))
  console.log(`\nimport effect-wechatpay: ${importCost.marginalMillis.toFixed(1)} ms after effect + @effect/platform, ${importCost.scratchMillis.toFixed(1)} ms from scratch (median of ${IMPORT_RUNS})`)
  console.log("\ntargets:")
  for (const t of targets) console.log(`  ${t.met ? "met   " : "MISSED"} ${t.target}: ${t.value.toFixed(2)}${t.target.includes("import") ? " ms" : "×"}`)
  console.log(`\n(${out.seconds.toFixed(0)} s; written to bench/results.json)`)
  process.exit(0)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
