/**
 * `npm run bench:notify`: the notify URL under attack over loopback. The server runs in its own
 * process (`server.ts`); this one holds 200 slow connections (100 trickling headers, 100
 * trickling a signed body) and 20 workers posting 50 MB bodies back to back (half without
 * signature headers, half with valid ones, chunked), while valid notifications are sent 4 at a
 * time. Reports the server's peak RSS growth over its warmed-up baseline, the valid
 * notifications' latency (p50, p99, max) and whether each was handled exactly once.
 *
 *   npm run bench:notify [-- --seconds 15]      (targets: RSS growth < 64 MB, p99 < 1 s)
 */
import { spawn } from "node:child_process"
import * as crypto from "node:crypto"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { callbackFor } from "../../test/support/callbacks.js"
import type { TestKeys } from "../../test/support/keys.js"
import { exchange, floodChunked, headOf, sleep } from "../../test/support/notifyServer.js"

const here = path.dirname(fileURLToPath(import.meta.url))
const secondsArg = process.argv.indexOf("--seconds")
const SECONDS = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 15
const MB = 1024 * 1024
const memberCard = { event_type: "NEW_ACTIVATE", card_id: "pbLatjk4T4Hx-QgHgIw6M1nM5Ls", code: "18711", event_time: "2026-11-22T10:00:00+08:00", openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" }

const main = async () => {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", path.join(here, "server.ts")], { stdio: ["ignore", "pipe", "inherit", "ipc"] })
  const ask = <A>(message: string) =>
    new Promise<A>((resolve) => {
      child.once("message", (m) => resolve(m as A))
      child.send(message)
    })
  const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).on("line", (line) => line.startsWith("{") && resolve(line)))
  const { platformPrivateKey, port } = JSON.parse(first) as { port: number; platformPrivateKey: string }
  const platform = { privateKey: crypto.createPrivateKey(platformPrivateKey) }
  const callback = callbackFor({ platform } as unknown as TestKeys)
  const post = (c: { headers: Record<string, string>; body: string }) =>
    exchange(port, headOf(c.headers, { "content-length": String(Buffer.byteLength(c.body)) }), async (write) => void (await write(c.body)), { untilClose: false })

  // warm up: compile the decoders, fill the JIT
  for (let i = 0; i < 200; i++) await post(callback("MEMBERCARD.ACCEPT_CARD", memberCard))
  type Parts = { heapTotal: number; arrayBuffers: number }
  const { atBaseline, baseline } = await ask<{ baseline: number; atBaseline: Parts }>("baseline")

  const until = Date.now() + SECONDS * 1000
  const running = () => Date.now() < until
  const slow: Array<Promise<unknown>> = []
  const keepSlow = (make: () => Promise<unknown>) => slow.push((async () => {
    while (running()) await make()
  })())
  for (let i = 0; i < 100; i++) {
    keepSlow(() =>
      exchange(port, "POST /notify HTTP/1.1\r\n", async (write) => {
        for (let h = 0; running(); h++) {
          await sleep(500)
          if (!(await write(`x-slow-${h}: 1\r\n`))) return
        }
      }, { timeoutMs: 60_000 }))
    keepSlow(() => {
      const c = callback("MEMBERCARD.ACCEPT_CARD", memberCard)
      return exchange(port, headOf(c.headers, { "content-length": String(c.body.length) }), async (write) => {
        for (const ch of c.body) {
          await sleep(500)
          if (!running() || !(await write(ch))) return
        }
      }, { timeoutMs: 60_000 })
    })
  }
  let floods = 0
  let floodBytes = 0
  const floodMillis: Array<number> = []
  const flooders = Array.from({ length: 20 }, (_, i) => (async () => {
    while (running()) {
      const headers = i % 2 === 0 ? { "content-type": "application/json" } : callback("MEMBERCARD.ACCEPT_CARD", memberCard).headers
      const r = await exchange(port, headOf(headers, { "transfer-encoding": "chunked" }), floodChunked(50 * MB))
      floods++
      floodBytes += r.wrote
      floodMillis.push(r.millis)
    }
  })())

  const latencies: Array<number> = []
  const sent: Array<string> = []
  const statuses = new Map<number | undefined, number>()
  const senders = Array.from({ length: 4 }, (_, w) => (async () => {
    for (let n = 0; running(); n++) {
      const id = `valid-${w}-${n}`
      sent.push(id)
      const r = await post(callback("MEMBERCARD.ACCEPT_CARD", memberCard, { id }))
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
      latencies.push(r.millis)
      await sleep(20)
    }
  })())
  await Promise.all([...senders, ...flooders])
  const report = await ask<{ baseline: number; peak: number; atPeak: Parts; handled: Array<string> }>("report")
  child.kill("SIGKILL")
  await Promise.race([Promise.all(slow), sleep(2000)])

  latencies.sort((a, b) => a - b)
  floodMillis.sort((a, b) => a - b)
  const quantile = (xs: ReadonlyArray<number>, q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!
  const at = (q: number) => quantile(latencies, q)
  const once = new Set(report.handled).size === report.handled.length && report.handled.length === sent.length &&
    sent.every((id) => report.handled.includes(id))
  const growthMB = (report.peak - baseline) / MB
  const result = {
    seconds: SECONDS,
    slowConnections: 200,
    floodWorkers: 20,
    floodsRefused: floods,
    floodMBWrittenByClients: Math.round(floodBytes / MB),
    floodRefusedInMs: { p50: quantile(floodMillis, 0.5), p99: quantile(floodMillis, 0.99) },
    valid: { sent: sent.length, handled: report.handled.length, exactlyOnce: once, statuses: Object.fromEntries(statuses), p50Ms: at(0.5), p99Ms: at(0.99), maxMs: latencies.at(-1) },
    rss: {
      baselineMB: baseline / MB,
      peakMB: report.peak / MB,
      growthMB,
      // V8 lets garbage pile up to its next full collection: read buffers up to its 64 MB external limit, heap by its growth factor
      atPeakGrowth: { v8HeapMB: (report.atPeak.heapTotal - atBaseline.heapTotal) / MB, readBuffersMB: (report.atPeak.arrayBuffers - atBaseline.arrayBuffers) / MB }
    },
    targets: { rssGrowthUnder64MB: growthMB < 64, p99Under1s: at(0.99) < 1000, everyValidHandledOnce: once }
  }
  console.log(JSON.stringify(result, null, 2))
  process.exit(Object.values(result.targets).every(Boolean) ? 0 : 1)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
