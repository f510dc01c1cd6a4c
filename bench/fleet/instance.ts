/**
 * One instance of a merchant's notification server for `npm run soak:fleet`: `Notifications.handler`
 * on a loopback port, de-duplicating through the shared Redis. Its business effect is a line in the
 * Redis list `soak:log` ("start <id> <name>" before the work, "done <id> <name>" as the effect),
 * from which the soak counts how often each notification was handled.
 *
 * Env: NAME, PORT, REDIS_PORT, LEASE_MS, PUBLIC_KEY_ID, PUBLIC_KEY (PEM), APIV3_KEY. With ANNOUNCE=1, a
 * SIGUSR2 makes the next handler print "working <id>" and hang there: the soak SIGKILLs the
 * instance on that line, so it dies holding a claim however loaded the machine is.
 */
import { HttpRouter, HttpServer } from "@effect/platform"
import { NodeHttpServer, NodeRuntime } from "@effect/platform-node"
import * as http from "node:http"
import { Context, Effect, Layer, Redacted } from "effect"
import { Redis } from "ioredis"
import { Notifications } from "../../src/notifications/index.js"
import * as RedisDedupStore from "../../src/notifications/RedisDedupStore.js"

const env = (name: string) => {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}
const name = env("NAME")
const redisPort = Number(env("REDIS_PORT"))
let armed = false
if (process.env["ANNOUNCE"] === "1") process.on("SIGUSR2", () => void (armed = true))
/** The soak's record of business effects, closed with the server (so SIGTERM ends the process). */
class Log extends Context.Tag("soak/Log")<Log, Redis>() {}
const logLayer = Layer.scoped(
  Log,
  Effect.acquireRelease(
    Effect.sync(() => new Redis({ host: "127.0.0.1", port: redisPort }).on("error", () => undefined)),
    (r) => Effect.sync(() => r.disconnect())
  )
)

const record = (what: "start" | "done", id: string) =>
  Effect.flatMap(Log, (log) => Effect.promise(() => log.rpush("soak:log", `${what} ${id} ${name} ${Date.now()}`)))

const app = HttpRouter.empty.pipe(
  HttpRouter.post(
    "/notify",
    Notifications.handler((event) =>
      record("start", event.id).pipe(
        Effect.tap(() => armed && process.stdout.write(`working ${event.id}\n`)),
        Effect.zipRight(Effect.sleep(armed ? 60_000 : 5 + Math.floor(Math.random() * 20))), // the merchant's work
        Effect.zipRight(record("done", event.id))
      )
    )
  )
)

const main = HttpServer.serve(app).pipe(
  HttpServer.withLogAddress,
  Layer.provide(NodeHttpServer.layer(() => http.createServer(), { port: Number(env("PORT")), host: "127.0.0.1" })),
  Layer.provide(logLayer),
  Layer.provide(RedisDedupStore.layer({ host: "127.0.0.1", port: redisPort, lease: Number(env("LEASE_MS")), owner: name })),
  Layer.provide(
    Notifications.layer({
      platform: { publicKeyId: env("PUBLIC_KEY_ID"), publicKey: env("PUBLIC_KEY") },
      apiV3Key: Redacted.make(env("APIV3_KEY"))
    })
  ),
  Layer.launch
)

NodeRuntime.runMain(main as Effect.Effect<never, unknown>, { disableErrorReporting: false })
