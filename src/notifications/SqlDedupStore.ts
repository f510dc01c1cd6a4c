/**
 * A notification de-dup store in a SQL table, shared by every instance of a merchant's server
 * (`effect-wechatpay/notifications/sql`; needs `@effect/sql` and a client such as
 * `@effect/sql-pg`, `@effect/sql-mysql2` or `@effect/sql-sqlite-node`, optional peer dependencies).
 *
 * One table, the notification id its primary key:
 *   claim    insert (id, 'busy', token, now + lease) unless the id is there; read the row back: our
 *            token → "new"; 'done' → "done"; another's claim past its lease → take it over with an
 *            update that still names that claim's token (so two takers cannot both win)
 *   commit   state 'done', kept until now + retention (expired rows are purged by the layer)
 *   release  delete the row only while it holds this claim's token
 * Plain SQL that PostgreSQL, MySQL and SQLite all run; times are epoch milliseconds from each
 * instance's clock, so keep the lease well above the clocks' skew.
 */
import * as crypto from "node:crypto"
import * as os from "node:os"
import { SqlClient, type SqlError } from "@effect/sql"
import { Clock, Duration, Effect, Layer, Schedule, type Scope } from "effect"
import { type Claim, DEFAULT_LEASE, DEFAULT_RETENTION, DedupStore, DedupStoreError, type DedupStoreService } from "./Notifications.js"

export interface StoreOptions {
  /** Default `wechatpay_notifications`; give each merchant (mchid) its own when they share a database. */
  readonly table?: string | undefined
  /** `CREATE TABLE IF NOT EXISTS` when the store is made. Default `true`; `false` when migrations own the schema. */
  readonly createTable?: boolean | undefined
  /** How long a claim holds before another instance may take it over. Default 1 minute. */
  readonly lease?: Duration.DurationInput | undefined
  /** How long a committed id is remembered. Default 3 days (WeChat Pay retries for about 24 h). */
  readonly retention?: Duration.DurationInput | undefined
  /** Written into each claim, to tell who holds it. Default `<hostname>:<pid>`. */
  readonly owner?: string | undefined
}

interface Row {
  readonly state: string
  readonly owner: string | null
  readonly expires_at: number | string | bigint
}

const failed = (what: string) => (cause: SqlError.SqlError) => new DedupStoreError({ message: `SQL ${what} failed`, cause })

/**
 * A store over the `SqlClient` in context, and an effect that deletes committed rows past their
 * retention (the layer runs it hourly).
 */
export const make = (
  options: StoreOptions = {}
): Effect.Effect<DedupStoreService & { readonly purge: Effect.Effect<void, DedupStoreError> }, SqlError.SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const table = sql(options.table ?? "wechatpay_notifications")
    const lease = Duration.decode(options.lease ?? DEFAULT_LEASE)
    const leaseMillis = Duration.toMillis(lease)
    const retentionMillis = Duration.toMillis(options.retention ?? DEFAULT_RETENTION)
    const owner = options.owner ?? `${os.hostname()}:${process.pid}`
    if (options.createTable !== false) {
      // VARCHAR(191): the longest key MySQL indexes in utf8mb4
      yield* sql`CREATE TABLE IF NOT EXISTS ${table} (
        id VARCHAR(191) NOT NULL PRIMARY KEY,
        state VARCHAR(8) NOT NULL,
        owner VARCHAR(191),
        expires_at BIGINT NOT NULL
      )`
    }
    /** id → the token of the claim this store holds */
    const held = new Map<string, string>()

    const insertIfAbsent = (id: string, token: string, expiresAt: number) =>
      sql.onDialectOrElse({
        mysql: () => sql`INSERT IGNORE INTO ${table} (id, state, owner, expires_at) VALUES (${id}, 'busy', ${token}, ${expiresAt})`,
        orElse: () => sql`INSERT INTO ${table} (id, state, owner, expires_at) VALUES (${id}, 'busy', ${token}, ${expiresAt}) ON CONFLICT (id) DO NOTHING`
      })
    const read = (id: string) =>
      Effect.map(sql<Row>`SELECT state, owner, expires_at FROM ${table} WHERE id = ${id}`, (rows) => rows[0])

    const claim = (id: string): Effect.Effect<Claim, SqlError.SqlError> =>
      Effect.gen(function*() {
        const token = `${owner}:${crypto.randomBytes(8).toString("hex")}`
        const now = yield* Clock.currentTimeMillis
        yield* insertIfAbsent(id, token, now + leaseMillis)
        const row = yield* read(id)
        if (row === undefined) return "busy" // released between the two statements: the next delivery claims it
        if (row.state === "done") return "done"
        if (row.owner !== token) {
          if (Number(row.expires_at) > now) return "busy"
          yield* sql`UPDATE ${table} SET owner = ${token}, expires_at = ${now + leaseMillis}
            WHERE id = ${id} AND state = 'busy' AND owner = ${row.owner}`
          const after = yield* read(id)
          if (after?.state !== "busy" || after.owner !== token) return after?.state === "done" ? "done" : "busy"
        }
        held.set(id, token)
        return "new"
      })

    return {
      lease,
      claim: (id) => Effect.mapError(claim(id), failed("claim")),
      commit: (id) =>
        Clock.currentTimeMillis.pipe(
          Effect.flatMap((now) => sql`UPDATE ${table} SET state = 'done', owner = NULL, expires_at = ${now + retentionMillis} WHERE id = ${id}`),
          Effect.asVoid,
          Effect.ensuring(Effect.sync(() => held.delete(id))),
          Effect.mapError(failed("commit"))
        ),
      release: (id) =>
        Effect.suspend(() => {
          const token = held.get(id)
          if (token === undefined) return Effect.void
          held.delete(id)
          return sql`DELETE FROM ${table} WHERE id = ${id} AND state = 'busy' AND owner = ${token}`.pipe(Effect.asVoid, Effect.mapError(failed("release")))
        }),
      purge: Clock.currentTimeMillis.pipe(
        Effect.flatMap((now) => sql`DELETE FROM ${table} WHERE state = 'done' AND expires_at < ${now}`),
        Effect.asVoid,
        Effect.mapError(failed("purge"))
      )
    }
  })

/** `DedupStore` in a table of the `SqlClient` in context; committed ids past their retention are purged hourly. */
export const layer = (options: StoreOptions = {}): Layer.Layer<DedupStore, SqlError.SqlError, SqlClient.SqlClient> =>
  Layer.scoped(
    DedupStore,
    Effect.gen(function*() {
      const store = yield* make(options)
      yield* purgeHourly(store.purge)
      return store
    })
  )

const purgeHourly = (purge: Effect.Effect<void, DedupStoreError>): Effect.Effect<void, never, Scope.Scope> =>
  purge.pipe(
    Effect.catchAll((e) => Effect.logWarning("effect-wechatpay: purging expired notification ids failed").pipe(Effect.annotateLogs("error", e.message))),
    Effect.repeat(Schedule.spaced("1 hour")),
    Effect.interruptible,
    Effect.forkScoped,
    Effect.asVoid
  )
