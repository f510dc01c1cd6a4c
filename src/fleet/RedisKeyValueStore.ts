/**
 * An `@effect/platform` `KeyValueStore` in Redis (`effect-wechatpay/redis`; needs `ioredis` ^5, an
 * optional peer dependency): for the certificate cache a fleet shares
 * (`Certificates.layerCache`), or anything else that takes a `KeyValueStore`. Keys live under a
 * prefix, so `clear` and `size` touch only this store's keys.
 */
import { Error as PlatformError, KeyValueStore } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { Redis, type RedisOptions } from "ioredis"

export interface StoreOptions {
  /** Default `effect-wechatpay:kv:`. */
  readonly prefix?: string | undefined
}

/** A store over a client you own (it is not closed here). */
export const make = (redis: Redis, options: StoreOptions = {}): KeyValueStore.KeyValueStore => {
  const prefix = options.prefix ?? "effect-wechatpay:kv:"
  const run = <A>(method: string, f: () => Promise<A>) =>
    Effect.tryPromise({
      try: f,
      catch: (cause) => new PlatformError.SystemError({ reason: "Unknown", module: "KeyValueStore", method, description: "Redis command failed", cause })
    })
  /** This store's keys, by SCAN (never KEYS, which blocks the server). */
  const keys = run("scan", () =>
    new Promise<Array<string>>((resolve, reject) => {
      const found: Array<string> = []
      redis.scanStream({ match: `${prefix.replace(/[*?[\]\\]/g, "\\$&")}*`, count: 500 })
        .on("data", (batch: Array<string>) => found.push(...batch))
        .on("end", () => resolve(found))
        .on("error", reject)
    }))
  return KeyValueStore.make({
    get: (key) => Effect.map(run("get", () => redis.get(prefix + key)), Option.fromNullable),
    // a Buffer is a Uint8Array: no copy
    getUint8Array: (key) => Effect.map(run("getUint8Array", () => redis.getBuffer(prefix + key)), (b): Option.Option<Uint8Array> => Option.fromNullable(b)),
    set: (key, value) => Effect.asVoid(run("set", () => redis.set(prefix + key, typeof value === "string" ? value : Buffer.from(value)))),
    remove: (key) => Effect.asVoid(run("remove", () => redis.del(prefix + key))),
    clear: Effect.flatMap(keys, (ks) => (ks.length === 0 ? Effect.void : Effect.asVoid(run("clear", () => redis.del(...ks))))),
    size: Effect.map(keys, (ks) => ks.length)
  })
}

/** `KeyValueStore` over a Redis connection of its own, closed with the layer. */
export const layer = (options: RedisOptions & StoreOptions): Layer.Layer<KeyValueStore.KeyValueStore> =>
  Layer.scoped(
    KeyValueStore.KeyValueStore,
    Effect.map(
      Effect.acquireRelease(
        // connection errors reach the caller as a failed get or set; no second report
        Effect.sync(() => new Redis(options).on("error", () => undefined)),
        (redis) => Effect.promise(() => redis.quit().catch(() => "closed"))
      ),
      (redis) => make(redis, options)
    )
  )
