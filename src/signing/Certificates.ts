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
 */
import { Clock, Duration, Effect, Redacted, Ref, Schedule, Schema, type Scope } from "effect"
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
}

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

    const refreshOnce = Effect.gen(function*() {
      const response = yield* download
      const parsed = decode(response.body)
      if (parsed._tag === "Left") return yield* new CertificateError({ message: "the certificate download does not fit its schema" })
      const now = yield* Clock.currentTimeMillis
      const fresh = yield* decryptCertificates(parsed.right, Redacted.value(options.apiV3Key), now)
      const known = yield* Ref.get(certificates)
      const byId = new Map<string, VerificationKey>([...staticById, ...known, ...fresh.map((k) => [k.id, k] as const)])
      yield* fromKeyLookup(
        (serial) => Effect.succeed(byId.get(serial) ?? byId.get(normalizeSerial(serial))),
        deferredVerifier.encryptionKey
      ).verify(signedMessageFromHeaders(response.headers, response.body))
      if (fresh.length === 0) return yield* new CertificateError({ message: "the download holds no certificate that is valid now" })
      yield* Ref.set(certificates, new Map(fresh.map((k) => [k.id, k])))
      return fresh
    })

    const refresh = lock.withPermits(1)(refreshOnce)

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
