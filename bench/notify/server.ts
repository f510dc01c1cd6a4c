/**
 * The notify URL under attack, server side (`bench/notify/attack.ts` starts it): a merchant's
 * `Notifications.handler` on Node's server with `Notifications.nodeServerOptions`. Prints one JSON
 * line (port, the test platform key), samples its RSS every 20 ms, and answers "report" on IPC
 * with the baseline and peak RSS and the ids handled.
 */
import { Effect } from "effect"
import { testKeys } from "../../test/support/keys.js"
import { startNotifyServer } from "../../test/support/notifyServer.js"

const keys = testKeys()
const handled: Array<string> = []
let peak = 0
let baseline = 0
setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20).unref()

process.on("message", (message) => {
  if (message === "baseline") {
    global.gc?.()
    baseline = process.memoryUsage().rss
    peak = baseline
    handled.length = 0
    process.send!({ baseline })
  } else if (message === "report") {
    process.send!({ baseline, peak, handled })
  }
})

Effect.runFork(Effect.scoped(Effect.gen(function*() {
  const server = yield* startNotifyServer(keys, (event) => Effect.sync(() => void handled.push(event.id)))
  process.stdout.write(`${JSON.stringify({ port: server.port, platformPrivateKey: keys.platform.pkcs8Pem })}\n`)
  return yield* Effect.never
})))
