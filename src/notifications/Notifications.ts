/**
 * Receiving WeChat Pay callbacks: `parse` verifies the signature (same keys and 300 s window as
 * responses; probe signatures refused), decrypts `resource` with the APIv3 key and decodes a typed
 * event. `handler` is an `HttpApp` to mount in a merchant's server: 204 when the merchant's
 * `onEvent` succeeds, 4xx/5xx otherwise so WeChat Pay retries, once per notification `id`.
 *
 * It needs only a `Verifier` and the `ApiV3Key`: the client layers provide both, and a server
 * that only receives notifications uses `Notifications.layer` and never loads the merchant key.
 */
import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Context, Duration, Effect, type Either, Layer, Option, ParseResult, Redacted, Schema } from "effect"
import { type InvalidKey, VerificationReason } from "../errors/errors.js"
import { withSpanWhenTraced } from "../internal/tracing.js"
import * as ApiV3Key from "../signing/ApiV3Key.js"
import { aeadDecrypt } from "../signing/crypto.js"
import * as Verifier from "../signing/Verifier.js"
import { Envelope, NotificationEvent } from "./events.js"

export * from "./events.js"

/** The callback is not provably from WeChat Pay (signature, serial, window, probe). */
export class NotificationVerificationError extends Schema.TaggedError<NotificationVerificationError>()(
  "NotificationVerificationError",
  { reason: VerificationReason, message: Schema.String, requestId: Schema.optional(Schema.String) }
) {}

/** The resource could not be decrypted (no APIv3 key, wrong key, tampered ciphertext). */
export class NotificationDecryptError extends Schema.TaggedError<NotificationDecryptError>()("NotificationDecryptError", {
  message: Schema.String,
  id: Schema.optional(Schema.String)
}) {}

/** A verified callback whose body or decrypted resource does not fit its schema. */
export class UnexpectedNotification extends Schema.TaggedError<UnexpectedNotification>()("UnexpectedNotification", {
  message: Schema.String,
  id: Schema.optional(Schema.String)
}) {}

export type NotificationError = NotificationVerificationError | NotificationDecryptError | UnexpectedNotification

export type HeadersInput =
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  | { readonly forEach: (f: (value: string, key: string) => void) => void }

const toRecord = (headers: HeadersInput): Record<string, string> => {
  const out: Record<string, string> = {}
  if (typeof (headers as { forEach?: unknown }).forEach === "function") {
    ;(headers as { forEach: (f: (value: string, key: string) => void) => void }).forEach((v, k) => {
      out[k.toLowerCase()] = v
    })
  } else {
    for (const [k, v] of Object.entries(headers)) if (typeof v === "string") out[k.toLowerCase()] = v
  }
  return out
}

// Compiled on the first notification, not at import (the event union is large).
let envelopeDecoder: ((u: unknown) => Either.Either<Envelope, ParseResult.ParseError>) | undefined
let eventDecoder: ((u: unknown) => Either.Either<NotificationEvent, ParseResult.ParseError>) | undefined
const decodeEnvelope = (u: unknown) => (envelopeDecoder ??= Schema.decodeUnknownEither(Schema.parseJson(Envelope)))(u)
const decodeEvent = (u: unknown) => (eventDecoder ??= Schema.decodeUnknownEither(NotificationEvent))(u)

/** Verify, decrypt and decode one callback from its headers and raw body text. */
export const parse = (
  headers: HeadersInput,
  rawBody: string
): Effect.Effect<NotificationEvent, NotificationError, Verifier.Verifier | ApiV3Key.ApiV3Key> =>
  Effect.gen(function*() {
    const verifier = yield* Verifier.Verifier
    const apiV3Key = yield* ApiV3Key.ApiV3Key
    const message = Verifier.signedMessageFromHeaders(toRecord(headers), rawBody)
    yield* verifier.verify(message).pipe(
      Effect.mapError((e) =>
        new NotificationVerificationError({
          reason: e.reason,
          message: e.message,
          ...(message.requestId !== undefined ? { requestId: message.requestId } : {})
        })
      )
    )
    const envelope = decodeEnvelope(rawBody)
    if (envelope._tag === "Left") {
      return yield* new UnexpectedNotification({ message: `the notification body is not a WeChat Pay notification: ${ParseResult.TreeFormatter.formatErrorSync(envelope.left)}` })
    }
    const { id, resource, ...rest } = envelope.right
    if (Option.isNone(apiV3Key)) {
      return yield* new NotificationDecryptError({ id, message: "no apiV3Key is configured, so the resource cannot be decrypted" })
    }
    let plaintext: string
    try {
      plaintext = aeadDecrypt({
        key: Redacted.value(apiV3Key.value),
        nonce: resource.nonce,
        associatedData: resource.associated_data,
        ciphertext: resource.ciphertext
      })
    } catch {
      return yield* new NotificationDecryptError({ id, message: "AEAD_AES_256_GCM decryption failed: wrong APIv3 key or tampered resource" })
    }
    let decrypted: unknown
    try {
      decrypted = JSON.parse(plaintext)
    } catch {
      return yield* new UnexpectedNotification({ id, message: "the decrypted resource is not JSON" })
    }
    const event = decodeEvent({ ...rest, id, resource: decrypted })
    if (event._tag === "Left") {
      return yield* new UnexpectedNotification({ id, message: `the ${rest.event_type} resource does not fit its schema: ${ParseResult.TreeFormatter.formatErrorSync(event.left)}` })
    }
    return event.right
  }).pipe(withSpanWhenTraced("Notifications.parse", {}))

export interface LayerOptions {
  /** WeChat Pay's public key and/or platform certificates, as for the client. */
  readonly platform: Verifier.StaticPlatformOptions
  readonly apiV3Key: Redacted.Redacted<string>
}

/** What `parse` and `handler` need, for a server that only receives notifications (no merchant private key). */
export const layer = (options: LayerOptions): Layer.Layer<Verifier.Verifier | ApiV3Key.ApiV3Key, InvalidKey> =>
  Layer.merge(Verifier.layer(options.platform), ApiV3Key.layer(options.apiV3Key))

// ---- deduplication ----

/** A de-dup store could not answer (its server is down, a query failed): the handler answers 503 and WeChat Pay retries. */
export class DedupStoreError extends Schema.TaggedError<DedupStoreError>()("DedupStoreError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * `"new"`: this caller now holds the id for the store's `lease`; `"busy"`: another delivery holds
 * it; `"done"`: it was committed.
 */
export type Claim = "new" | "busy" | "done"

/**
 * Remembers which notification ids were handled. `claim` answers `"new"` once per id (until
 * `release`, or until the claim's `lease` runs out: a claim by a process that died is taken over
 * by the next delivery), `"done"` after `commit`, `"busy"` while another delivery holds it.
 * `release` lets go of this store's own claim only (a claim taken over since is left alone).
 */
export interface DedupStoreService {
  readonly claim: (id: string) => Effect.Effect<Claim, DedupStoreError>
  readonly commit: (id: string) => Effect.Effect<void, DedupStoreError>
  readonly release: (id: string) => Effect.Effect<void, DedupStoreError>
  /** How long a claim holds: the handler stops `onEvent` when it runs longer, since the id may be taken over then. */
  readonly lease?: Duration.Duration | undefined
}

/** The store `handler` uses when none is given in its options (e.g. `RedisDedupStore.layer`, `SqlDedupStore.layer`). */
export class DedupStore extends Context.Tag("effect-wechatpay/DedupStore")<DedupStore, DedupStoreService>() {}

/** Default lease of a claim: longer than any sane handler, short enough that WeChat Pay's retries find the id free again. */
export const DEFAULT_LEASE: Duration.Duration = Duration.minutes(1)
/** Default retention of a committed id: WeChat Pay retries a notification for about 24 h. */
export const DEFAULT_RETENTION: Duration.Duration = Duration.days(3)

export interface MemoryDedupStoreOptions {
  /** The newest this many ids are kept. Default 100 000. */
  readonly capacity?: number | undefined
  /** Default `DEFAULT_LEASE`. */
  readonly lease?: Duration.DurationInput | undefined
}

/** In memory, per process, keeping the newest `capacity` ids. */
export const memoryDedupStore = (options: number | MemoryDedupStoreOptions = {}): DedupStoreService => {
  const { capacity = 100_000, lease: leaseInput } = typeof options === "number" ? { capacity: options } : options
  const lease = Duration.decode(leaseInput ?? DEFAULT_LEASE)
  const leaseMillis = Duration.toMillis(lease)
  /** id → "done", or the time (ms) its claim runs out */
  const seen = new Map<string, "done" | number>()
  return {
    lease,
    claim: (id) =>
      Effect.clockWith((clock) =>
        Effect.sync((): Claim => {
          const now = clock.unsafeCurrentTimeMillis()
          const state = seen.get(id)
          if (state === "done") return "done"
          if (state !== undefined && state > now) return "busy"
          seen.delete(id) // re-inserted last: a claim taken over is the newest entry
          seen.set(id, now + leaseMillis)
          if (seen.size > capacity) seen.delete(seen.keys().next().value!)
          return "new"
        })
      ),
    commit: (id) => Effect.sync(() => void seen.set(id, "done")),
    release: (id) => Effect.sync(() => void (seen.get(id) !== "done" && seen.delete(id)))
  }
}

export interface HandlerOptions {
  /** Where handled ids are kept. Default: the `DedupStore` in context, else an in-memory store per handler. */
  readonly store?: DedupStoreService
}

const reply = (status: number, code: "SUCCESS" | "FAIL", message: string) =>
  status === 204 ? HttpServerResponse.empty({ status }) : HttpServerResponse.unsafeJson({ code, message }, { status })

/**
 * An `HttpApp` for the notify URL. Verification failures answer 401, undecodable callbacks 400
 * (WeChat Pay's retries cannot fix them, but a 4xx is logged on its side), an `onEvent` failure 500.
 */
export const handler = <E, R>(
  onEvent: (event: NotificationEvent) => Effect.Effect<void, E, R>,
  options: HandlerOptions = {}
) => {
  const ownStore = options.store ?? memoryDedupStore()
  const storeFailed = (e: DedupStoreError) =>
    Effect.logError("effect-wechatpay: the de-dup store failed; WeChat Pay will retry").pipe(
      Effect.annotateLogs({ error: e.message }),
      Effect.as(reply(503, "FAIL", "the notification could not be recorded"))
    )
  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const body = yield* Effect.orElseSucceed(request.text, () => "")
    const parsed = yield* Effect.either(parse(request.headers, body))
    if (parsed._tag === "Left") {
      const e = parsed.left
      // WeChat Pay's deliberate probe traffic is expected: note it quietly
      const log = "reason" in e && e.reason === "SignatureProbe" ? Effect.logDebug : Effect.logWarning
      yield* log("effect-wechatpay: notification refused").pipe(Effect.annotateLogs({ error: e._tag, reason: "reason" in e ? e.reason : "" }))
      return reply(e._tag === "NotificationVerificationError" ? 401 : 400, "FAIL", e.message)
    }
    const event = parsed.right
    const store = options.store ?? Option.getOrElse(yield* Effect.serviceOption(DedupStore), () => ownStore)
    const claim = yield* store.claim(event.id)
    if (claim === "done") return reply(204, "SUCCESS", "")
    if (claim === "busy") return reply(503, "FAIL", "this notification is being handled")
    // past its lease the id may be handled elsewhere: stop rather than race the taker
    const handled = store.lease === undefined ? onEvent(event) : Effect.timeoutFail(onEvent(event), { duration: store.lease, onTimeout: () => "lease" as const })
    // interrupted (the server shutting down): let go, so the next delivery need not wait out the lease
    const outcome = yield* Effect.exit(handled).pipe(Effect.onInterrupt(() => Effect.ignore(store.release(event.id))))
    if (outcome._tag === "Success") {
      yield* store.commit(event.id)
      return reply(204, "SUCCESS", "")
    }
    yield* store.release(event.id)
    yield* Effect.logError("effect-wechatpay: notification handler failed; WeChat Pay will retry").pipe(Effect.annotateLogs({ id: event.id }))
    return reply(500, "FAIL", "the merchant could not handle the notification")
  }).pipe(Effect.catchTag("DedupStoreError", storeFailed))
}
