/**
 * Certificate mode, automatically: download `GET /v3/certificates`, decrypt each certificate with
 * the APIv3 key (AEAD_AES_256_GCM), check serial and validity, and keep a serial → key map that
 * refreshes on a schedule in a scoped fiber and once (rate-limited) on an unknown serial.
 *
 * Trust: a downloaded certificate is authentic because only WeChat Pay and the merchant hold the
 * APIv3 key. The download itself must still be signed, by a key already known (static public key
 * or a known certificate) or by one of the certificates it carries (the first download, and a
 * rotation whose new certificate signs before we have it).
 *
 * The download itself (a signed `GET /v3/certificates`) is given by the caller: the client layers
 * pass one made on their own pipeline, so this module needs nothing above `signing/`.
 *
 * Shared by a fleet: with a `cache` (any `@effect/platform` `KeyValueStore`: a file, Redis) every
 * download is also written there as it came, still encrypted and signed, and an instance reads it
 * before downloading: at start, when its scheduled refresh is due, and on an unknown serial. A
 * cached download is trusted exactly like a fresh one (signature checked as of its own timestamp,
 * each certificate decrypted with the APIv3 key and checked against now), so the store needs no
 * trust: whoever can write it can at most hand back genuine WeChat Pay certificates.
 */
import { KeyValueStore } from "@effect/platform"
import { Clock, Context, Duration, Effect, Layer, Option, Redacted, Ref, Schedule, Schema, type Scope } from "effect"
import { CertificateError, ResponseVerificationError } from "../errors/errors.js"
import { aeadDecrypt, KeyLoadFailure, loadCertificate, normalizeSerial } from "./crypto.js"
import { fromKeyLookup, pickEncryptionKey, signedMessageFromHeaders, type VerificationKey, type VerifierService } from "./Verifier.js"

export const CertificatesResponse = Schema.Struct({
  data: Schema.Array(
    Schema.Struct({
      serial_no: Schema.String,
      effective_time: Schema.String,
      expire_time: Schema.String,
      encrypt_certificate: Schema.Struct({
        algorithm: Schema.Literal("AEAD_AES_256_GCM"),
        associated_data: Schema.optional(Schema.String),
        nonce: Schema.String,
        ciphertext: Schema.String
      })
    })
  )
})
export type CertificatesResponse = typeof CertificatesResponse.Type

export interface AutoCertificateOptions {
  readonly apiV3Key: Redacted.Redacted<string>
  /** Default 12 h. */
  readonly refreshInterval?: Duration.DurationInput | undefined
  /** At most one on-demand refresh per this gap when answers carry unknown serials. Default 60 s. */
  readonly minRefreshGap?: Duration.DurationInput | undefined
  /** Keys configured alongside (public-key mode during migration). */
  readonly staticKeys?: ReadonlyArray<VerificationKey> | undefined
  /** Where instances share the last download (see the module's note). */
  readonly cache?: KeyValueStore.KeyValueStore | undefined
  /** The cache key. Default `effect-wechatpay:certificates`; the client layers add the mchid. */
  readonly cacheKey?: string | undefined
}

/**
 * The `KeyValueStore` where a fleet shares its certificate downloads: provide it under a client
 * layer with `certificates: "auto"`, e.g. `Layer.provide(Certificates.layerCache)` over a
 * `KeyValueStore` layer (`NodeKeyValueStore.layerFileSystem(dir)`, or Redis through
 * `effect-wechatpay/redis`).
 */
export class CertificateCache extends Context.Tag("effect-wechatpay/CertificateCache")<CertificateCache, KeyValueStore.KeyValueStore>() {}

/** `CertificateCache` from the `KeyValueStore` in context. */
export const layerCache: Layer.Layer<CertificateCache, never, KeyValueStore.KeyValueStore> = Layer.effect(CertificateCache, KeyValueStore.KeyValueStore)

/** A download as the cache keeps it: the bytes that were signed, and when we fetched them. */
const CachedDownload = Schema.parseJson(Schema.Struct({
  fetchedAt: Schema.Number,
  headers: Schema.Record({ key: Schema.String, value: Schema.String }),
  body: Schema.String
}))
// compiled when a cache is first used, not at import
let cachedDecoder: ((u: unknown) => Option.Option<typeof CachedDownload.Type>) | undefined
let cachedEncoder: ((a: typeof CachedDownload.Type) => string) | undefined
const decodeCached = (u: unknown) => (cachedDecoder ??= Schema.decodeUnknownOption(CachedDownload))(u)
const encodeCached = (a: typeof CachedDownload.Type) => (cachedEncoder ??= Schema.encodeSync(CachedDownload))(a)

/** A clock stopped at `millis`: a cached download's signature is checked as of when it was made. */
const clockAt = (millis: number): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: () => millis,
  unsafeCurrentTimeNanos: () => BigInt(millis) * 1_000_000n,
  currentTimeMillis: Effect.succeed(millis),
  currentTimeNanos: Effect.succeed(BigInt(millis) * 1_000_000n),
  sleep: () => Effect.void
})

/** Decrypts and checks one download. Certificates outside their validity are dropped. */
export const decryptCertificates = (
  response: CertificatesResponse,
  apiV3Key: string,
  now: number
): Effect.Effect<ReadonlyArray<VerificationKey>, CertificateError> =>
  Effect.try({
    try: () =>
      response.data.flatMap((entry, i): Array<VerificationKey> => {
        const enc = entry.encrypt_certificate
        let pem: string
        try {
          pem = aeadDecrypt({ key: apiV3Key, nonce: enc.nonce, associatedData: enc.associated_data, ciphertext: enc.ciphertext })
        } catch {
          throw new KeyLoadFailure(`certificates[${i}]`, "could not be decrypted with the APIv3 key")
        }
        const cert = loadCertificate(`certificates[${i}]`, pem)
        if (cert.serial !== normalizeSerial(entry.serial_no)) {
          throw new KeyLoadFailure(`certificates[${i}]`, `decrypted certificate has serial ${cert.serial}, not ${entry.serial_no}`)
        }
        if (now < cert.validFrom || now > cert.validTo) return []
        return [{ id: cert.serial, key: cert.publicKey, validFrom: cert.validFrom, validTo: cert.validTo }]
      }),
    catch: (e) => new CertificateError({ message: e instanceof KeyLoadFailure ? e.message : "the certificate download could not be read" })
  })

/** A 200 answer of `GET /v3/certificates`, not yet verified: `make` verifies it after decryption. */
export interface Download {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** Lets every answer through: a certificate download is verified by `make` after decryption. */
export const deferredVerifier: VerifierService = {
  verify: () => Effect.void,
  verifyHeaders: () => Effect.void,
  encryptionKey: Effect.fail(new ResponseVerificationError({ reason: "UnknownSerial", message: "no key for encryption" }))
}

/**
 * A verifier in certificate mode (plus static keys, if any), over `download` (signed by the
 * merchant, answered unverified), with a background refresh in the `Scope`.
 */
export const make = <E extends { readonly _tag: string }>(
  options: AutoCertificateOptions,
  download: Effect.Effect<Download, E>
): Effect.Effect<VerifierService, CertificateError, Scope.Scope> =>
  Effect.gen(function*() {
    const staticKeys = options.staticKeys ?? []
    const staticById = new Map(staticKeys.map((k) => [k.id, k]))
    const certificates = yield* Ref.make<ReadonlyMap<string, VerificationKey>>(new Map())
    const lastOnDemand = yield* Ref.make(Number.NEGATIVE_INFINITY)
    const lock = yield* Effect.makeSemaphore(1)
    const minGap = Duration.toMillis(options.minRefreshGap ?? "60 seconds")
    const decode = Schema.decodeUnknownEither(Schema.parseJson(CertificatesResponse))

    const cache = options.cache
    const cacheKey = options.cacheKey ?? "effect-wechatpay:certificates"
    const refreshMillis = Duration.toMillis(options.refreshInterval ?? "12 hours")
    /** When the set in use was fetched (by us or by another instance). */
    const installedAt = yield* Ref.make(Number.NEGATIVE_INFINITY)

    /** Decrypt, check and verify one download (as of `signedAt` for a cached one), then use it. */
    const install = (response: Download, fetchedAt: number, cached: boolean) =>
      Effect.gen(function*() {
        const parsed = decode(response.body)
        if (parsed._tag === "Left") return yield* new CertificateError({ message: "the certificate download does not fit its schema" })
        const now = yield* Clock.currentTimeMillis
        const fresh = yield* decryptCertificates(parsed.right, Redacted.value(options.apiV3Key), now)
        const known = yield* Ref.get(certificates)
        const byId = new Map<string, VerificationKey>([...staticById, ...known, ...fresh.map((k) => [k.id, k] as const)])
        const verify = fromKeyLookup(
          (serial) => Effect.succeed(byId.get(serial) ?? byId.get(normalizeSerial(serial))),
          deferredVerifier.encryptionKey
        ).verify(signedMessageFromHeaders(response.headers, response.body))
        yield* cached ? Effect.withClock(verify, clockAt(fetchedAt)) : verify
        if (fresh.length === 0) return yield* new CertificateError({ message: "the download holds no certificate that is valid now" })
        yield* Ref.set(certificates, new Map(fresh.map((k) => [k.id, k])))
        yield* Ref.set(installedAt, fetchedAt)
        return fresh
      })

    const refreshOnce = Effect.gen(function*() {
      const response = yield* download
      const fetchedAt = yield* Clock.currentTimeMillis
      const fresh = yield* install(response, fetchedAt, false)
      if (cache !== undefined) {
        yield* cache.set(cacheKey, encodeCached({ fetchedAt, headers: response.headers, body: response.body })).pipe(
          Effect.catchAll((e) => Effect.logWarning("effect-wechatpay: could not share the certificate download").pipe(Effect.annotateLogs("error", e.message)))
        )
      }
      return fresh
    })

    /**
     * Another instance's download, when it is newer than ours and, unless `any`, still within the
     * refresh interval: `true` when it was installed.
     */
    const fromCache = (any: boolean): Effect.Effect<boolean> =>
      cache === undefined ? Effect.succeed(false) : Effect.gen(function*() {
        const entry = Option.flatMap(yield* Effect.orElseSucceed(cache.get(cacheKey), () => Option.none()), decodeCached)
        if (Option.isNone(entry)) return false
        const { body, fetchedAt, headers } = entry.value
        const now = yield* Clock.currentTimeMillis
        if (fetchedAt <= (yield* Ref.get(installedAt)) || (!any && now - fetchedAt >= refreshMillis)) return false
        return yield* install({ headers, body }, fetchedAt, true).pipe(
          Effect.as(true),
          Effect.catchAll((e) => Effect.logWarning("effect-wechatpay: the shared certificate download was refused").pipe(Effect.annotateLogs("error", e.message), Effect.as(false)))
        )
      })

    /** Someone else's recent download if there is one, else our own. */
    const sharedRefresh = Effect.flatMap(fromCache(false), (installed) => (installed ? Effect.void : Effect.asVoid(refreshOnce)))

    const refresh = lock.withPermits(1)(sharedRefresh)

    const lookupKnown = (serial: string) =>
      Effect.map(Ref.get(certificates), (m) => staticById.get(serial) ?? m.get(normalizeSerial(serial)))

    /** Unknown serial: one refresh, unless one happened within `minGap` (a flood of forged serials stays cheap). */
    const lookup = (serial: string) =>
      Effect.flatMap(lookupKnown(serial), (found) => {
        if (found !== undefined) return Effect.succeed(found)
        return lock.withPermits(1)(
          Effect.gen(function*() {
            const again = yield* lookupKnown(serial)
            if (again !== undefined) return again
            // another instance may have met the new serial first
            if (yield* fromCache(true)) {
              const shared = yield* lookupKnown(serial)
              if (shared !== undefined) return shared
            }
            const now = yield* Clock.currentTimeMillis
            if (now - (yield* Ref.get(lastOnDemand)) < minGap) return undefined
            yield* Ref.set(lastOnDemand, now)
            yield* refreshOnce.pipe(
              Effect.catchAll((e) => Effect.logWarning("effect-wechatpay: certificate refresh failed; keeping the known set").pipe(Effect.annotateLogs("error", e._tag)))
            )
            return yield* lookupKnown(serial)
          })
        )
      })

    // The first download: without it and without a static key nothing can be verified.
    yield* refresh.pipe(
      Effect.catchAll((e) =>
        staticKeys.length > 0
          ? Effect.logWarning("effect-wechatpay: first certificate download failed; using the static keys").pipe(Effect.annotateLogs("error", e._tag))
          : Effect.fail(e instanceof CertificateError ? e : new CertificateError({ message: `the first certificate download failed: ${e._tag}` }))
      )
    )

    yield* refresh.pipe(
      Effect.catchAll((e) => Effect.logWarning("effect-wechatpay: scheduled certificate refresh failed; keeping the known set").pipe(Effect.annotateLogs("error", e._tag))),
      Effect.repeat(Schedule.spaced(options.refreshInterval ?? "12 hours")),
      Effect.delay(options.refreshInterval ?? "12 hours"),
      Effect.interruptible,
      Effect.forkScoped
    )

    const encryptionKey = Effect.flatMap(Ref.get(certificates), (m) => {
      const key = pickEncryptionKey([...staticKeys, ...m.values()])
      return key
        ? Effect.succeed(key)
        : Effect.fail(new ResponseVerificationError({ reason: "UnknownSerial", message: "no WeChat Pay key or certificate is known yet" }))
    })

    return fromKeyLookup(lookup, encryptionKey)
  })
