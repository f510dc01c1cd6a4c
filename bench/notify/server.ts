/**
 * The notify URL under attack, server side (`bench/notify/attack.ts` starts it): a merchant's
 * `Notifications.handler` on Node's server with `Notifications.nodeServerOptions`. Prints one JSON
 * line (port, the test platform key), samples its RSS every 20 ms, and answers "report" on IPC
 * with the baseline and peak RSS (and what the peak was made of) and the ids handled.
 */
import { Effect } from "effect"
import { testKeys } from "../../test/support/keys.js"
import { startNotifyServer } from "../../test/support/notifyServer.js"

const keys = testKeys()
const handled: Array<string> = []
let peak = 0
let baseline = 0
/** What the RSS peak was made of: V8's heap and the buffers Node reads sockets into. */
let atPeak = { heapTotal: 0, arrayBuffers: 0 }
setInterval(() => {
  const m = process.memoryUsage()
  if (m.rss <= peak) return
  peak = m.rss
  atPeak = { heapTotal: m.heapTotal, arrayBuffers: m.arrayBuffers }
}, 20).unref()

process.on("message", (message) => {
  if (message === "baseline") {
    global.gc?.()
    const m = process.memoryUsage()
    baseline = m.rss
    peak = baseline
    atPeak = { heapTotal: m.heapTotal, arrayBuffers: m.arrayBuffers }
    handled.length = 0
    process.send!({ baseline, atBaseline: atPeak })
  } else if (message === "report") {
    process.send!({ baseline, peak, atPeak, handled })
  }
})

Effect.runFork(Effect.scoped(Effect.gen(function*() {
  const server = yield* startNotifyServer(keys, (event) => Effect.sync(() => void handled.push(event.id)))
  process.stdout.write(`${JSON.stringify({ port: server.port, platformPrivateKey: keys.platform.pkcs8Pem })}\n`)
  return yield* Effect.never
})))
