/**
 * A notification de-dup store in Redis, shared by every instance of a merchant's server
 * (`effect-wechatpay/notifications/redis`; needs `ioredis` ^5, an optional peer dependency).
 *
 *   claim    `SET key <owner:token> NX PX lease` (in a script that also reads what is there): the key
 *            vanishes when the lease runs out, so a claim by a process that died is taken over by
 *            the next delivery WeChat Pay makes
 *   commit   `SET key done PX retention`: "done" for as long as WeChat Pay may retry (days)
 *   release  delete the key only if it still holds this claim's token (a claim taken over since is
 *            someone else's)
 */
import * as crypto from "node:crypto"
import * as os from "node:os"
import { Duration, Effect, Layer } from "effect"
import { Redis, type RedisOptions } from "ioredis"
import { type Claim, DEFAULT_LEASE, DEFAULT_RETENTION, DedupStore, DedupStoreError, type DedupStoreService } from "./Notifications.js"

export interface StoreOptions {
  /** Key prefix. Default `effect-wechatpay:notification:`; give each merchant (mchid) its own when they share a Redis. */
  readonly prefix?: string | undefined
  /** How long a claim holds before another instance may take it over. Default 1 minute. */
  readonly lease?: Duration.DurationInput | undefined
  /** How long a committed id is remembered. Default 3 days (WeChat Pay retries for about 24 h). */
  readonly retention?: Duration.DurationInput | undefined
  /** Written into each claim, to tell who holds it (`redis-cli GET`). Default `<hostname>:<pid>`. */
  readonly owner?: string | undefined
}

const DONE = "done"

/** The claim in one round trip: set if absent, else tell "done" from another's claim. */
const CLAIM = `
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return "new" end
if redis.call("GET", KEYS[1]) == "${DONE}" then return "done" end
return "busy"`

const RELEASE = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`

interface ScriptedRedis extends Redis {
  effectWechatpayClaim(key: string, token: string, leaseMillis: number): Promise<Claim>
  effectWechatpayRelease(key: string, token: string): Promise<number>
}

/** A store over a client you own (it is not closed here); the client gets two script commands. */
export const make = (redis: Redis, options: StoreOptions = {}): DedupStoreService => {
  const prefix = options.prefix ?? "effect-wechatpay:notification:"
  const lease = Duration.decode(options.lease ?? DEFAULT_LEASE)
  const leaseMillis = Math.max(1, Math.round(Duration.toMillis(lease)))
  const retentionMillis = Math.max(1, Math.round(Duration.toMillis(options.retention ?? DEFAULT_RETENTION)))
  const owner = options.owner ?? `${os.hostname()}:${process.pid}`
  const scripted = redis as ScriptedRedis
  if (typeof scripted.effectWechatpayClaim !== "function") {
    redis.defineCommand("effectWechatpayClaim", { numberOfKeys: 1, lua: CLAIM })
    redis.defineCommand("effectWechatpayRelease", { numberOfKeys: 1, lua: RELEASE })
  }
  /** id → the token of the claim this store holds */
  const held = new Map<string, string>()
  const run = <A>(what: string, f: () => Promise<A>) =>
    Effect.tryPromise({ try: f, catch: (cause) => new DedupStoreError({ message: `Redis ${what} failed`, cause }) })
  return {
    lease,
    claim: (id) =>
      Effect.suspend(() => {
        const token = `${owner}:${crypto.randomBytes(8).toString("hex")}`
        return run("claim", () => scripted.effectWechatpayClaim(prefix + id, token, leaseMillis)).pipe(
          Effect.tap((claim) => {
            if (claim === "new") held.set(id, token)
          })
        )
      }),
    commit: (id) =>
      Effect.asVoid(run("commit", () => redis.set(prefix + id, DONE, "PX", retentionMillis))).pipe(
        Effect.ensuring(Effect.sync(() => held.delete(id)))
      ),
    release: (id) =>
      Effect.suspend(() => {
        const token = held.get(id)
        if (token === undefined) return Effect.void
        held.delete(id)
        return Effect.asVoid(run("release", () => scripted.effectWechatpayRelease(prefix + id, token)))
      })
  }
}

/** `DedupStore` over a Redis connection of its own, closed with the layer. */
export const layer = (options: RedisOptions & StoreOptions): Layer.Layer<DedupStore> =>
  Layer.scoped(
    DedupStore,
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() =>
          // connection errors reach the handler as a failed claim or commit (a 503); no second report
          new Redis(options).on("error", () => undefined)
        ),
        (redis) => Effect.promise(() => redis.quit().catch(() => "closed"))
      ),
      (redis) => make(redis, options)
    )
  )
