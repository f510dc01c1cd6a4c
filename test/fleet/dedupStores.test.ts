/**
 * The de-dup stores shared by a fleet: one contract run against the memory store (one process),
 * Redis (a real redis-server, see test/globalSetup.ts) and SQL (a SQLite file through
 * `@effect/sql-sqlite-node`). Each "instance" is a store of its own over its own connection, as
 * separate processes would have.
 */
import { HttpRouter } from "@effect/platform"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Duration, Effect, Layer, type Scope } from "effect"
import type { Redis } from "ioredis"
import { Notifications } from "../../src/notifications/index.js"
import * as RedisDedupStore from "../../src/notifications/RedisDedupStore.js"
import * as SqlDedupStore from "../../src/notifications/SqlDedupStore.js"
import { callbackFor, couponSend } from "../support/callbacks.js"
import { serveOnLoopback } from "../support/notifyServer.js"
import { clientLayer } from "../support/client.js"
import { testKeys } from "../support/keys.js"
import { memoryHttp } from "../support/memoryClient.js"
import { noRedis, redisClient, redisUrl } from "../support/redis.js"

type Store = Notifications.DedupStoreService

const LEASE = Duration.millis(300)

interface Backend {
  readonly name: string
  readonly skip: boolean
  /** `n` instances over one shared state. */
  readonly instances: (n: number, options?: { readonly retention?: Duration.DurationInput }) => Effect.Effect<Array<Store>, unknown, Scope.Scope>
}

let run = 0

const redisInstances = (n: number, options: { readonly retention?: Duration.DurationInput } = {}) =>
  Effect.gen(function*() {
    const prefix = `test-${process.pid}-${run++}:`
    return yield* Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) =>
      Effect.map(
        Effect.acquireRelease(Effect.sync(() => redisClient(1)), (r) => Effect.promise(() => r.quit())),
        (r: Redis) => RedisDedupStore.make(r, { prefix, lease: LEASE, owner: `instance-${i}`, ...options })
      ))
  })

const sqlInstances = (n: number, options: { readonly retention?: Duration.DurationInput } = {}) =>
  Effect.gen(function*() {
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "ewp-dedup-"))),
      (d) => Effect.sync(() => fs.rmSync(d, { recursive: true, force: true }))
    )
    const filename = path.join(dir, "dedup.db")
    return yield* Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) =>
      Effect.gen(function*() {
        const context = yield* Layer.build(SqliteClient.layer({ filename }))
        return yield* SqlDedupStore.make({ lease: LEASE, owner: `instance-${i}`, ...options }).pipe(Effect.provide(context))
      }))
  })

const backends: ReadonlyArray<Backend> = [
  { name: "memory", skip: false, instances: (n) => Effect.sync(() => Array.from({ length: n }, () => Notifications.memoryDedupStore({ lease: LEASE }))) },
  { name: "Redis", skip: noRedis("the Redis de-dup store"), instances: redisInstances },
  { name: "SQL (SQLite)", skip: false, instances: sqlInstances }
]

for (const backend of backends) {
  // the memory store is one process: its "instances" are one store used from several places
  const shared = backend.name === "memory"
  const fleet = (n: number, options?: { readonly retention?: Duration.DurationInput }) =>
    shared ? Effect.map(backend.instances(1, options), ([s]) => Array.from({ length: n }, () => s!)) : backend.instances(n, options)

  describe.skipIf(backend.skip)(`${backend.name} de-dup store`, () => {
    it.scopedLive("claim → busy elsewhere → commit → done everywhere", () =>
      Effect.gen(function*() {
        const [a, b] = yield* fleet(2)
        expect(yield* a!.claim("n-1")).toBe("new")
        expect(yield* b!.claim("n-1")).toBe("busy")
        expect(yield* a!.claim("n-1")).toBe("busy")
        yield* a!.commit("n-1")
        expect(yield* b!.claim("n-1")).toBe("done")
        expect(yield* a!.claim("n-1")).toBe("done")
      }))

    it.scopedLive("release lets the next delivery claim it", () =>
      Effect.gen(function*() {
        const [a, b] = yield* fleet(2)
        expect(yield* a!.claim("n-2")).toBe("new")
        yield* a!.release("n-2")
        expect(yield* b!.claim("n-2")).toBe("new")
        yield* b!.commit("n-2")
        expect(yield* a!.claim("n-2")).toBe("done")
      }))

    it.scopedLive("a claim whose holder died is taken over after its lease, and the late holder cannot release the taker's claim", () =>
      Effect.gen(function*() {
        const [dead, taker, third] = yield* fleet(3)
        expect(yield* dead!.claim("n-3")).toBe("new")
        expect(yield* taker!.claim("n-3")).toBe("busy")
        yield* Effect.sleep(Duration.sum(LEASE, "100 millis"))
        expect(yield* taker!.claim("n-3")).toBe("new")
        if (!shared) {
          yield* dead!.release("n-3") // it was only slow: its release must leave the taker's claim alone
          expect(yield* third!.claim("n-3")).toBe("busy")
        }
        yield* taker!.commit("n-3")
        expect(yield* third!.claim("n-3")).toBe("done")
        expect(yield* dead!.claim("n-3")).toBe("done")
      }))

    it.scopedLive("4 instances claiming 50 ids at once: exactly one wins each", () =>
      Effect.gen(function*() {
        const stores = yield* fleet(4)
        const ids = Array.from({ length: 50 }, (_, i) => `race-${i}`)
        const claims = yield* Effect.forEach(
          ids.flatMap((id) => stores.map((s, i) => ({ id, s, i }))),
          ({ id, s, i }) => Effect.map(s.claim(id), (c) => ({ id, c, i })),
          { concurrency: "unbounded" }
        )
        for (const id of ids) expect(claims.filter((x) => x.id === id && x.c === "new")).toHaveLength(1)
        expect(claims.filter((x) => x.c === "busy")).toHaveLength(150)
      }))
  })
}

describe.skipIf(noRedis("Redis retention"))("Redis de-dup store: keys", () => {
  it.scopedLive("a claim lives for its lease, a committed id for the retention", () =>
    Effect.gen(function*() {
      const r = yield* Effect.acquireRelease(Effect.sync(() => redisClient(1)), (r) => Effect.promise(() => r.quit()))
      const store = RedisDedupStore.make(r, { prefix: `ttl-${process.pid}:`, lease: "2 seconds", retention: "2 days", owner: "me" })
      expect(yield* store.claim("k")).toBe("new")
      const claimed = yield* Effect.promise(() => Promise.all([r.get(`ttl-${process.pid}:k`), r.pttl(`ttl-${process.pid}:k`)]))
      expect(claimed[0]).toMatch(/^me:[0-9a-f]{16}$/)
      expect(claimed[1]).toBeGreaterThan(1_500)
      expect(claimed[1]).toBeLessThanOrEqual(2_000)
      yield* store.commit("k")
      const ttl = yield* Effect.promise(() => r.pttl(`ttl-${process.pid}:k`))
      expect(ttl).toBeGreaterThan(2 * 86_400_000 - 5_000)
    }))
})

describe("SQL de-dup store: retention", () => {
  it.scopedLive("purge deletes committed ids past their retention, and no claim", () =>
    Effect.gen(function*() {
      const [store] = yield* sqlInstances(1, { retention: "100 millis" })
      expect(yield* store!.claim("old")).toBe("new")
      yield* store!.commit("old")
      expect(yield* store!.claim("pending")).toBe("new")
      yield* Effect.sleep("150 millis")
      yield* (store as unknown as { purge: Effect.Effect<void> }).purge
      expect(yield* store!.claim("old")).toBe("new") // forgotten after the retention
      expect(yield* store!.claim("pending")).toBe("busy")
    }))
})

const keys = testKeys()
const callback = callbackFor(keys)

/** One "instance": an HTTP server on loopback mounting `Notifications.handler(onEvent)` over `storeLayer`; answers its notify URL. */
const instance = <E>(onEvent: (event: Notifications.NotificationEvent) => Effect.Effect<void, E>, storeLayer: Layer.Layer<Notifications.DedupStore>) =>
  Effect.gen(function*() {
    const app = HttpRouter.empty.pipe(HttpRouter.post("/notify", Notifications.handler(onEvent)))
    const context = yield* Layer.build(Layer.merge(clientLayer(keys, "http://127.0.0.1:9", memoryHttp().layer), storeLayer))
    return `${yield* serveOnLoopback(app).pipe(Effect.provide(context))}/notify`
  })

/** An instance whose `onEvent` takes 30 ms and records `name:id`. */
const server = (handled: Array<string>, name: string, storeLayer: Layer.Layer<Notifications.DedupStore>) =>
  instance((event) => Effect.sleep("30 millis").pipe(Effect.andThen(() => void handled.push(`${name}:${event.id}`))), storeLayer)

const post = (url: string, c: { headers: Record<string, string>; body: string }) =>
  Effect.promise(() => fetch(url, { method: "POST", headers: c.headers, body: c.body }).then((r) => r.status))

describe("the handler and the store's lease", () => {
  it.scopedLive("an onEvent that outlives the store's lease is stopped and released (500), and the next delivery runs it", () =>
    Effect.gen(function*() {
      const handled: Array<string> = []
      let slow = true
      const url = yield* instance(
        (event) => (slow ? Effect.sleep("5 seconds") : Effect.sync(() => void handled.push(event.id))),
        Layer.succeed(Notifications.DedupStore, Notifications.memoryDedupStore({ lease: "200 millis" }))
      )
      const c = callback("COUPON.SEND", couponSend, { id: "fleet-slow" })
      const started = Date.now()
      expect(yield* post(url, c)).toBe(500)
      expect(Date.now() - started).toBeLessThan(2_000)
      slow = false
      expect(yield* post(url, c)).toBe(204)
      expect(handled).toEqual(["fleet-slow"])
    }))
})

describe.skipIf(noRedis("the handler over a shared Redis store"))("two servers sharing a Redis store", () => {
  it.scopedLive("the same notification posted to both at once is handled once; the loser answers 503, later 204", () =>
    Effect.gen(function*() {
      const handled: Array<string> = []
      const prefix = `http-${process.pid}:`
      const store = RedisDedupStore.layer({ host: "127.0.0.1", port: Number(new URL(redisUrl).port), db: 1, prefix })
      const [u1, u2] = yield* Effect.all([server(handled, "a", store), server(handled, "b", store)])
      const c = callback("COUPON.SEND", couponSend, { id: "fleet-1" })
      const statuses = yield* Effect.all([post(u1!, c), post(u2!, c)], { concurrency: 2 })
      expect(statuses.sort()).toEqual([204, 503])
      expect(yield* post(u2!, c)).toBe(204)
      expect(yield* post(u1!, c)).toBe(204)
      expect(handled).toHaveLength(1)
    }))

  it.scopedLive("a store that cannot reach Redis answers 503, so WeChat Pay retries", () =>
    Effect.gen(function*() {
      const handled: Array<string> = []
      const down = RedisDedupStore.layer({ host: "127.0.0.1", port: 9, maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true })
      const [u] = yield* Effect.all([server(handled, "down", down)])
      expect(yield* post(u!, callback("COUPON.SEND", couponSend, { id: "fleet-2" }))).toBe(503)
      expect(handled).toEqual([])
    }))
})
