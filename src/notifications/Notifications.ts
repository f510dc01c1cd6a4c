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
import type * as http from "node:http"
import { Context, Duration, Effect, type Either, Layer, Option, ParseResult, Redacted, Schema } from "effect"
import { type InvalidKey, VerificationReason } from "../errors/errors.js"
import { withSpanWhenTraced } from "../internal/tracing.js"
import * as ApiV3Key from "../signing/ApiV3Key.js"
import { aeadDecrypt } from "../signing/crypto.js"
import * as Verifier from "../signing/Verifier.js"
import { declaresTooMuch, dropAfterAnswer, readBoundedBody } from "../internal/boundedBody.js"
import { parseJsonSafely } from "../internal/safeJson.js"
import { EncryptedResource, Envelope, NotificationEvent } from "./events.js"

export * from "./events.js"

/** The callback is not provably from WeChat Pay (signature, serial, window, probe). */
export class NotificationVerificationError extends Schema.TaggedError<NotificationVerificationError>()(
  "NotificationVerificationError",
  { reason: VerificationReason, message: Schema.String, requestId: Schema.optional(Schema.String) }
) {}

/** The body is larger than `maxBodyBytes`: no WeChat Pay notification is. */
export class NotificationTooLarge extends Schema.TaggedError<NotificationTooLarge>()("NotificationTooLarge", {
  message: Schema.String,
  limit: Schema.Number
}) {}

/**
 * Why a resource could not be decrypted: no APIv3 key configured, an algorithm other than
 * AEAD_AES_256_GCM, a nonce or ciphertext that cannot be one, or a tag that does not match (wrong
 * key, tampered ciphertext or associated data).
 */
export const DecryptReason = Schema.Literal("NoApiV3Key", "UnsupportedAlgorithm", "BadNonce", "ShortCiphertext", "AuthenticationFailed")
export type DecryptReason = typeof DecryptReason.Type

/** The resource could not be decrypted. */
export class NotificationDecryptError extends Schema.TaggedError<NotificationDecryptError>()("NotificationDecryptError", {
  reason: DecryptReason,
  message: Schema.String,
  id: Schema.optional(Schema.String)
}) {}

/**
 * A verified callback whose body or decrypted resource does not fit its schema, or is hostile
 * (too deep, a prototype key, an inexact number). The message names fields, never their values.
 */
export class UnexpectedNotification extends Schema.TaggedError<UnexpectedNotification>()("UnexpectedNotification", {
  message: Schema.String,
  id: Schema.optional(Schema.String)
}) {}

export type NotificationError = NotificationVerificationError | NotificationTooLarge | NotificationDecryptError | UnexpectedNotification

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

/**
 * Default `maxBodyBytes`: 64 KiB. WeChat Pay's notifications are a few KB (an envelope of about
 * 500 bytes around the base64 of one encrypted resource); the largest, a combined payment with
 * its sub-orders and promotion details, stays well under 16 KB. Four times that leaves room for
 * fields WeChat Pay adds without letting a stranger make us hold megabytes.
 */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024
/** Default `readTimeout`: WeChat Pay sends a few KB from its data centres in milliseconds. */
export const DEFAULT_READ_TIMEOUT: Duration.Duration = Duration.seconds(5)

/**
 * Settings for the Node `http.Server` a notify URL runs on (`http.createServer(nodeServerOptions)`
 * under `NodeHttpServer.layer`): what the handler cannot bound itself because it runs only once
 * the headers are in. Trickled headers are cut after 10 s (checked every second), a whole request
 * after 30 s, idle keep-alive sockets after 5 s; headers over 16 KiB are refused. Also set
 * `server.maxConnections` to what the machine can hold.
 */
export const nodeServerOptions = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
  maxHeaderSize: 16 * 1024
} as const satisfies http.ServerOptions

export interface ParseOptions {
  /** Larger bodies are refused with `NotificationTooLarge` before anything else. Default `DEFAULT_MAX_BODY_BYTES`. */
  readonly maxBodyBytes?: number | undefined
  /** Deeper `{`/`[` nesting of the body or the decrypted resource is refused. Default 32. */
  readonly maxDepth?: number | undefined
}

/** The envelope as it comes: any algorithm name, so an unsupported one is a typed decryption error. */
const WireEnvelope = Schema.Struct({
  ...Envelope.fields,
  resource: Schema.Struct({ ...EncryptedResource.fields, algorithm: Schema.String })
})

// Compiled on the first notification, not at import (the event union is large).
let envelopeDecoder: ((u: unknown) => Either.Either<typeof WireEnvelope.Type, ParseResult.ParseError>) | undefined
let eventDecoder: ((u: unknown) => Either.Either<NotificationEvent, ParseResult.ParseError>) | undefined
const decodeEnvelope = (u: unknown) => (envelopeDecoder ??= Schema.decodeUnknownEither(WireEnvelope, { errors: "all" }))(u)
const decodeEvent = (u: unknown) => (eventDecoder ??= Schema.decodeUnknownEither(NotificationEvent))(u)

/** Where and what was expected, without the value found there (it may be decrypted plaintext). */
const withoutValues = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .slice(0, 5)
    .map((issue) => {
      const at = issue.path.map(String).join(".") || "(root)"
      const what = issue._tag === "Missing" ? "is missing" : issue.message.replace(/,\s*actual[\s\S]*$/, "").replace(/\s+/g, " ").slice(0, 160)
      return `${at}: ${what}`
    })
    .join("; ")

const BASE64_CHARS = /^[A-Za-z0-9+/]*={0,2}$/

/** Verify, decrypt and decode one callback from its headers and raw body text. */
export const parse = (
  headers: HeadersInput,
  rawBody: string,
  options: ParseOptions = {}
): Effect.Effect<NotificationEvent, NotificationError, Verifier.Verifier | ApiV3Key.ApiV3Key> =>
  Effect.gen(function*() {
    const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    if (rawBody.length > limit || Buffer.byteLength(rawBody, "utf8") > limit) {
      return yield* new NotificationTooLarge({ limit, message: `the notification body is larger than ${limit} bytes` })
    }
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
    const json = parseJsonSafely(rawBody, options.maxDepth)
    if (!json.ok) return yield* new UnexpectedNotification({ message: `the notification body is refused: ${json.problem}` })
    const envelope = decodeEnvelope(json.value)
    if (envelope._tag === "Left") {
      return yield* new UnexpectedNotification({ message: `the notification body is not a WeChat Pay notification: ${withoutValues(envelope.left)}` })
    }
    const { id, resource, ...rest } = envelope.right
    const refuse = (reason: DecryptReason, why: string) => new NotificationDecryptError({ id, reason, message: why })
    if (Option.isNone(apiV3Key)) return yield* refuse("NoApiV3Key", "no apiV3Key is configured, so the resource cannot be decrypted")
    if (resource.algorithm !== "AEAD_AES_256_GCM") return yield* refuse("UnsupportedAlgorithm", "the resource is not encrypted with AEAD_AES_256_GCM")
    if (resource.nonce.length === 0 || resource.nonce.length > 64) return yield* refuse("BadNonce", "the resource's nonce is empty or longer than 64 characters")
    // base64 of at least the 16-byte tag
    if (resource.ciphertext.length < 24 || !BASE64_CHARS.test(resource.ciphertext)) {
      return yield* refuse("ShortCiphertext", "the resource's ciphertext is not base64 of at least the 16-byte tag")
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
      return yield* refuse("AuthenticationFailed", "AEAD_AES_256_GCM decryption failed: wrong APIv3 key, or tampered ciphertext or associated data")
    }
    const decrypted = parseJsonSafely(plaintext, options.maxDepth)
    if (!decrypted.ok) return yield* new UnexpectedNotification({ id, message: `the decrypted resource is refused: ${decrypted.problem}` })
    const event = decodeEvent({ ...rest, id, resource: decrypted.value })
    if (event._tag === "Left") {
      return yield* new UnexpectedNotification({ id, message: `the ${rest.event_type.slice(0, 64)} resource does not fit its schema: ${withoutValues(event.left)}` })
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
  /** How long a committed id is remembered. Default `DEFAULT_RETENTION`, as the Redis and SQL stores. */
  readonly retention?: Duration.DurationInput | undefined
}

/** In memory, per process, keeping the newest `capacity` ids for `retention`. */
export const memoryDedupStore = (options: number | MemoryDedupStoreOptions = {}): DedupStoreService => {
  const { capacity = 100_000, lease: leaseInput, retention: retentionInput } = typeof options === "number" ? { capacity: options } : options
  const lease = Duration.decode(leaseInput ?? DEFAULT_LEASE)
  const leaseMillis = Duration.toMillis(lease)
  const retentionMillis = Duration.toMillis(retentionInput ?? DEFAULT_RETENTION)
  /** id → until when it is claimed (`done: false`) or remembered as handled (`done: true`), ms */
  const seen = new Map<string, { readonly done: boolean; readonly until: number }>()
  const put = (id: string, entry: { readonly done: boolean; readonly until: number }) => {
    seen.delete(id) // re-inserted last: the newest entry, evicted last
    seen.set(id, entry)
    if (seen.size > capacity) seen.delete(seen.keys().next().value!)
  }
  return {
    lease,
    claim: (id) =>
      Effect.clockWith((clock) =>
        Effect.sync((): Claim => {
          const now = clock.unsafeCurrentTimeMillis()
          const state = seen.get(id)
          if (state !== undefined && state.until > now) return state.done ? "done" : "busy"
          put(id, { done: false, until: now + leaseMillis })
          return "new"
        })
      ),
    commit: (id) => Effect.clockWith((clock) => Effect.sync(() => put(id, { done: true, until: clock.unsafeCurrentTimeMillis() + retentionMillis }))),
    release: (id) => Effect.sync(() => void (seen.get(id)?.done === false && seen.delete(id)))
  }
}

export interface HandlerOptions extends ParseOptions {
  /** Where handled ids are kept. Default: the `DedupStore` in context, else an in-memory store per handler. */
  readonly store?: DedupStoreService
  /**
   * How long the body may take to arrive once the headers are in; a slower one is answered 408
   * and its connection closed. Default `DEFAULT_READ_TIMEOUT`. Trickled headers are the HTTP
   * server's to bound (Node: `headersTimeout`, `requestTimeout`; see the README).
   */
  readonly readTimeout?: Duration.DurationInput | undefined
}

/** What WeChat Pay's docs ask of a refusal: a 4xx/5xx and this body. Nothing about why. */
const FAIL_BODY = { code: "FAIL", message: "失败" } as const

const acknowledge = HttpServerResponse.empty({ status: 204 })
const failWith = (status: number, options: { readonly close?: boolean } = {}) =>
  HttpServerResponse.unsafeJson(FAIL_BODY, { status, ...(options.close === true ? { headers: { connection: "close" } } : {}) })

/** A Request-ID fit for a log line: bounded and plain, else left out. */
const REQUEST_ID = /^[0-9A-Za-z_.:-]{1,128}$/

/** Why a notification was refused, as logged and in the status: the reason, never the detail. */
const refusalOf = (e: NotificationError): { readonly status: number; readonly reason: string } => {
  switch (e._tag) {
    case "NotificationVerificationError":
      return { status: 401, reason: e.reason }
    case "NotificationTooLarge":
      return { status: 413, reason: "TooLarge" }
    case "NotificationDecryptError":
      // no key here is ours to fix: 500, so WeChat Pay retries once it is configured
      return { status: e.reason === "NoApiV3Key" ? 500 : 400, reason: e.reason }
    case "UnexpectedNotification":
      return { status: 400, reason: "UnexpectedNotification" }
  }
}

/**
 * An `HttpApp` for the notify URL. In order, each step refusing before the next costs anything:
 * the signature headers (presence, shape, window, a known serial) before the body is read (401);
 * a declared or read length over `maxBodyBytes` (413) or a body slower than `readTimeout` (408),
 * those connections closed rather than drained; then the signature over the body (401),
 * decryption and decoding (400). A refusal answers WeChat Pay's `{"code":"FAIL","message":"失败"}`
 * and logs one warning with the reason, the Request-ID and the peer address only. Then once per
 * notification `id`: 204 when `onEvent` succeeds, 500 when it fails (WeChat Pay retries).
 */
export const handler = <E, R>(
  onEvent: (event: NotificationEvent) => Effect.Effect<void, E, R>,
  options: HandlerOptions = {}
) => {
  const ownStore = options.store ?? memoryDedupStore()
  const limits = { maxBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, timeout: options.readTimeout ?? DEFAULT_READ_TIMEOUT }
  const parseOptions: ParseOptions = { maxBodyBytes: limits.maxBytes, maxDepth: options.maxDepth }
  const storeFailed = (e: DedupStoreError) =>
    Effect.logError("effect-wechatpay: the de-dup store failed; WeChat Pay will retry").pipe(
      Effect.annotateLogs({ error: e.message }),
      Effect.as(failWith(503))
    )
  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const headers = toRecord(request.headers)
    const requestId = headers["request-id"]
    const peer = Option.getOrUndefined(request.remoteAddress)
    const refused = (status: number, reason: string, close: boolean) =>
      (reason === "SignatureProbe" ? Effect.logDebug : Effect.logWarning)("effect-wechatpay: notification refused").pipe(
        Effect.annotateLogs({
          reason,
          ...(requestId !== undefined && REQUEST_ID.test(requestId) ? { requestId } : {}),
          ...(peer !== undefined ? { peer } : {})
        }),
        Effect.zipRight(close ? dropAfterAnswer(request) : Effect.void),
        Effect.as(failWith(status, { close }))
      )

    const verifier = yield* Verifier.Verifier
    const early = yield* Effect.either(verifier.verifyHeaders(Verifier.signedMessageFromHeaders(headers, "")))
    if (early._tag === "Left") return yield* refused(401, early.left.reason, true)
    if (declaresTooMuch(headers, limits.maxBytes)) return yield* refused(413, "TooLarge", true)
    const body = yield* readBoundedBody(request, limits)
    if (body._tag === "TooLarge") return yield* refused(413, "TooLarge", true)
    if (body._tag === "TooSlow") return yield* refused(408, "TooSlow", true)
    if (body._tag === "Failed") return yield* refused(400, "BodyUnreadable", true)

    const parsed = yield* Effect.either(parse(headers, body.text, parseOptions))
    if (parsed._tag === "Left") {
      const { reason, status } = refusalOf(parsed.left)
      return yield* refused(status, reason, false)
    }
    const event = parsed.right
    const store = options.store ?? Option.getOrElse(yield* Effect.serviceOption(DedupStore), () => ownStore)
    const claim = yield* store.claim(event.id)
    if (claim === "done") return acknowledge
    if (claim === "busy") return failWith(503)
    // past its lease the id may be handled elsewhere: stop rather than race the taker
    const handled = store.lease === undefined ? onEvent(event) : Effect.timeoutFail(onEvent(event), { duration: store.lease, onTimeout: () => "lease" as const })
    // interrupted (the server shutting down): let go, so the next delivery need not wait out the lease
    const outcome = yield* Effect.exit(handled).pipe(Effect.onInterrupt(() => Effect.ignore(store.release(event.id))))
    if (outcome._tag === "Success") {
      yield* store.commit(event.id)
      return acknowledge
    }
    yield* store.release(event.id)
    yield* Effect.logError("effect-wechatpay: notification handler failed; WeChat Pay will retry").pipe(Effect.annotateLogs({ id: event.id }))
    return failWith(500)
  }).pipe(Effect.catchTag("DedupStoreError", storeFailed))
}
