/**
 * `npm run soak:fleet`: 4 processes of a merchant's notification server (bench/fleet/instance.ts)
 * share one redis-server (started here on a loopback port) through `RedisDedupStore`, behind a
 * round-robin load balancer on loopback that skips an instance it cannot reach, as a real one
 * would. The sandbox delivers 10,000 notifications to it: 8,000 distinct ones, and 20 % sent again
 * (1,000 with the same id and a fresh signature, as WeChat Pay retries; 1,000 replayed byte for
 * byte), with retries after any non-2xx or no answer. A third of the way in, one instance is
 * SIGKILLed inside a handler (so it dies holding claims) and restarted a moment later: the
 * claims it held are taken over after their lease.
 *
 * Prints handled-once, handled-twice and lost (both must be 0), and which instance took over each
 * orphaned claim; exits 1 otherwise. Bounded: the deliveries stop after 85 s (unfinished ones count as lost).
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as crypto from "node:crypto"
import * as http from "node:http"
import * as net from "node:net"
import * as path from "node:path"
import { Duration, Effect, Redacted } from "effect"
import { Redis } from "ioredis"
import { Sandbox } from "../../src/sandbox/index.js"
import { startRedisServer } from "../../test/support/redisServer.js"

const INSTANCES = 4
const DISTINCT = Number(process.env["SOAK_DISTINCT"] ?? 8_000)
const CONCURRENCY = 128
const LEASE_MS = 2_000
const KILLED = 2 // instance-2
const TIME_LIMIT = Duration.seconds(85)
// WeChat Pay's schedule (15 s, 15 s, 30 s, 3 min, …) compressed so the soak stays short; ~25 s in all
const RETRY_DELAYS: ReadonlyArray<Duration.DurationInput> = ["200 millis", "500 millis", "1 second", "2 seconds", "3 seconds", "4 seconds", "5 seconds", "5 seconds", "5 seconds"]

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })

const here = path.dirname(new URL(import.meta.url).pathname)

interface Instance {
  name: string
  readonly port: number
  child: ChildProcess
}

const spawnInstance = (name: string, port: number, env: Record<string, string>, announce = false): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(here, "instance.ts")], {
      env: { ...process.env, ...env, NAME: name, PORT: String(port), ANNOUNCE: announce ? "1" : "0" },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes("Listening on")) {
        child.stdout!.off("data", onData)
        child.stdout!.resume()
        resolve(child)
      }
    }
    child.stdout!.on("data", onData)
    child.once("exit", (code) => reject(new Error(`${name} exited (${code}) before listening:\n${out}`)))
  })

/** Round-robin over the instances; an instance that refuses the connection is skipped (an LB's health check). */
const loadBalancer = (instances: ReadonlyArray<Instance>, port: number) => {
  let next = 0
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      const body = Buffer.concat(chunks)
      const tryFrom = (tries: number) => {
        if (tries >= instances.length) {
          res.writeHead(502).end()
          return
        }
        const target = instances[next++ % instances.length]!
        const upstream = http.request({ host: "127.0.0.1", port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
        })
        upstream.on("error", (e: NodeJS.ErrnoException) => {
          if (e.code === "ECONNREFUSED" && !res.headersSent) return tryFrom(tries + 1)
          res.destroy() // the instance died mid-request: no answer, as WeChat Pay would see it
        })
        upstream.end(body)
      }
      tryFrom(0)
    })
  })
  return new Promise<http.Server>((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)))
}

const main = async () => {
  const startedAt = Date.now()
  const redisServer = await startRedisServer()
  if (redisServer === undefined) {
    console.error("redis-server is not installed (apt-get install -y redis-server)")
    process.exit(1)
  }
  const redis = new Redis({ host: "127.0.0.1", port: redisServer.port })
  const instances: Array<Instance> = []
  let lb: http.Server | undefined
  try {
    // the sandbox first: its keys are what the instances verify with
    await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const lbPort = yield* Effect.promise(freePort)
      const sandbox = yield* Effect.provide(
        Sandbox.Sandbox,
        Sandbox.layer({
          callbacks: { notifyUrl: `http://127.0.0.1:${lbPort}/notify`, retryDelays: RETRY_DELAYS, timeout: "3 seconds" },
          maxRecordedRequests: 3_000
        })
      )
      const env = {
        REDIS_PORT: String(redisServer.port),
        LEASE_MS: String(LEASE_MS),
        PUBLIC_KEY_ID: sandbox.platformPublicKeyId,
        PUBLIC_KEY: sandbox.platformPublicKey,
        APIV3_KEY: Redacted.value(sandbox.apiV3Key)
      }
      const ports = yield* Effect.promise(() => Promise.all(Array.from({ length: INSTANCES }, freePort)))
      const children = yield* Effect.promise(() => Promise.all(ports.map((port, i) => spawnInstance(`instance-${i + 1}`, port, env, i + 1 === KILLED))))
      children.forEach((child, i) => instances.push({ name: `instance-${i + 1}`, port: ports[i]!, child }))
      lb = yield* Effect.promise(() => loadBalancer(instances, lbPort))

      // the plan: distinct ids, with every fifth notification one sent before (again, or replayed)
      const ids = Array.from({ length: DISTINCT }, () => `EV-${crypto.randomBytes(10).toString("hex")}`)
      type Step = { readonly kind: "new" | "resent" | "replayed"; readonly id: string }
      const plan: Array<Step> = []
      let n = 0
      for (let i = 0; i < DISTINCT; i++) {
        plan.push({ kind: "new", id: ids[i]! })
        if (i % 4 === 3) {
          const earlier = ids[Math.max(0, i - 1 - Math.floor(Math.random() * 100))]!
          plan.push({ kind: n++ % 2 === 0 ? "resent" : "replayed", id: earlier })
        }
      }
      // a paid transaction as TRANSACTION.SUCCESS carries it (its typed event schema checks the fields)
      const resource = (id: string) => ({
        appid: "wxd678efh567hg6787",
        mchid: "1900000001",
        out_trade_no: id.slice(3, 23),
        transaction_id: id,
        trade_type: "JSAPI",
        trade_state: "SUCCESS",
        trade_state_desc: "支付成功",
        bank_type: "OTHERS",
        success_time: "2026-11-29T10:00:00+08:00",
        payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
        amount: { total: 100, payer_total: 100, currency: "CNY", payer_currency: "CNY" }
      })

      const deliveringFrom = Date.now()
      let done = 0
      const failed: Array<string> = []
      let killedAt = 0
      const kill = Effect.promise(async () => {
        const victim = instances[KILLED - 1]!
        // at the next handler it starts: it dies holding at least that claim
        const working = await new Promise<string>((resolve) => {
          const onData = (chunk: Buffer) => {
            const m = /working (\S+)/.exec(chunk.toString())
            if (m === null) return
            victim.child.stdout!.off("data", onData)
            victim.child.kill("SIGKILL")
            resolve(m[1]!)
          }
          victim.child.stdout!.on("data", onData)
          victim.child.kill("SIGUSR2")
        })
        killedAt = Date.now()
        console.log(`${new Date().toISOString()} SIGKILL ${victim.name} after ${done} deliveries, in the handler of ${working}`)
        await new Promise((r) => setTimeout(r, 1_000))
        victim.name = `${victim.name}-restarted`
        victim.child = await spawnInstance(victim.name, victim.port, env)
        console.log(`${new Date().toISOString()} restarted as ${victim.name}`)
      })

      const took: Array<number> = []
      const step = (s: Step) =>
        Effect.suspend(() => {
          const t0 = Date.now()
          return (s.kind === "replayed"
          ? Effect.map(sandbox.replayCallback(s.id), (d) => d?.state)
          : Effect.map(sandbox.notify("TRANSACTION.SUCCESS", resource(s.id), { id: s.id }), (d) => d.state)).pipe(
            Effect.tap((state) =>
              Effect.sync(() => {
                done++
                if (s.kind === "new" && state !== "delivered") failed.push(s.id)
                if (s.kind === "new") took.push(Date.now() - t0)
              })
            ),
            Effect.zipRight(done === Math.floor(plan.length / 3) ? Effect.forkDaemon(kill) : Effect.void)
          )
        })
      const finished = yield* Effect.forEach(plan, step, { concurrency: CONCURRENCY, discard: true }).pipe(
        Effect.timeout(TIME_LIMIT),
        Effect.either
      )
      // the restarted instance must be up before the count (bounded: a run that never reached the kill must still report)
      const restartBy = Date.now() + 15_000
      while (instances[KILLED - 1]!.name.endsWith("-restarted") === false && Date.now() < restartBy) yield* Effect.sleep("100 millis")
      const restarted = instances[KILLED - 1]!.name.endsWith("-restarted")

      const lines = yield* Effect.promise(() => redis.lrange("soak:log", 0, -1))
      const started = new Map<string, Array<{ name: string; at: number }>>()
      const handled = new Map<string, Array<{ name: string; at: number }>>()
      for (const line of lines) {
        const [what, id, name, at] = line.split(" ")
        const map = what === "start" ? started : handled
        const list = map.get(id!) ?? []
        list.push({ name: name!, at: Number(at) })
        map.set(id!, list)
      }
      const counts = ids.map((id) => handled.get(id)?.length ?? 0)
      const once = counts.filter((c) => c === 1).length
      const twice = counts.filter((c) => c > 1).length
      const lost = counts.filter((c) => c === 0).length
      const victim = `instance-${KILLED}`
      const orphaned = ids.filter((id) =>
        (started.get(id) ?? []).some((s) => s.name === victim) && !(handled.get(id) ?? []).some((h) => h.name === victim)
      )

      console.log("")
      const kinds = (k: Step["kind"]) => plan.filter((s) => s.kind === k).length
      console.log(`notifications sent      ${plan.length} (${DISTINCT} distinct, ${kinds("resent")} sent again, ${kinds("replayed")} replayed byte for byte)`)
      console.log(`instances               ${INSTANCES}, sharing Redis on 127.0.0.1:${redisServer.port}; lease ${LEASE_MS} ms; ${victim} SIGKILLed and restarted`)
      const seconds = (Date.now() - deliveringFrom) / 1000
      console.log(`finished                ${finished._tag === "Right" ? "yes" : "NO (time limit)"}: deliveries took ${seconds.toFixed(1)} s (${Math.round(plan.length / seconds)}/s), ${((Date.now() - startedAt) / 1000).toFixed(1)} s in all`)
      console.log(`handled-once            ${once}`)
      console.log(`handled-twice           ${twice}`)
      console.log(`lost                    ${lost}`)
      console.log(`undelivered originals   ${failed.length}`)
      console.log(`orphaned claims         ${orphaned.length} (started by ${victim}, which was killed before it finished)`)
      for (const id of orphaned) {
        const by = handled.get(id)?.[0]
        console.log(`  ${id}  taken over by ${by?.name ?? "NOBODY"}${by ? `, ${by.at - killedAt} ms after the kill` : ""}`)
      }
      took.sort((a, b) => a - b)
      console.log(`delivery time           p50 ${took[Math.floor(took.length / 2)]} ms, p90 ${took[Math.floor(took.length * 0.9)]} ms, p99 ${took[Math.floor(took.length * 0.99)]} ms`)
      const cpu = process.cpuUsage()
      console.log(`sandbox process CPU     ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`)
      if (!restarted) console.log(`NOT KILLED              the run never reached the kill point (${done} of ${plan.length} deliveries)`)
      if (twice > 0 || lost > 0 || failed.length > 0 || finished._tag === "Left" || !restarted) process.exitCode = 1
    })))
  } finally {
    await Promise.all(instances.map((i) =>
      new Promise<void>((resolve) => {
        if (i.child.exitCode !== null || i.child.signalCode !== null) return resolve()
        const hard = setTimeout(() => i.child.kill("SIGKILL"), 3_000)
        i.child.once("exit", () => {
          clearTimeout(hard)
          resolve()
        })
        i.child.kill("SIGTERM")
      })
    ))
    lb?.close()
    await redis.quit().catch(() => undefined)
    await redisServer.stop()
  }
}

main().then(
  () => process.exit(),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
