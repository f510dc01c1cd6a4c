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
import { Effect, Layer, Option, ParseResult, Redacted, Schema } from "effect"
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

const decodeEnvelope = Schema.decodeUnknownEither(Schema.parseJson(Envelope))
const decodeEvent = Schema.decodeUnknownEither(NotificationEvent)

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

/**
 * Remembers which notification ids were handled. `claim` answers `"new"` once per id (until
 * `release`), `"done"` after `commit`, `"busy"` while another delivery of it is in flight.
 */
export interface DedupStoreService {
  readonly claim: (id: string) => Effect.Effect<"new" | "busy" | "done">
  readonly commit: (id: string) => Effect.Effect<void>
  readonly release: (id: string) => Effect.Effect<void>
}

/** In memory, keeping the newest `capacity` ids (WeChat Pay retries for about 24 h). */
export const memoryDedupStore = (capacity = 100_000): DedupStoreService => {
  const seen = new Map<string, "busy" | "done">()
  return {
    claim: (id) =>
      Effect.sync(() => {
        const state = seen.get(id)
        if (state !== undefined) return state
        seen.set(id, "busy")
        if (seen.size > capacity) seen.delete(seen.keys().next().value!)
        return "new" as const
      }),
    commit: (id) => Effect.sync(() => void seen.set(id, "done")),
    release: (id) => Effect.sync(() => void seen.delete(id))
  }
}

export interface HandlerOptions {
  /** Where handled ids are kept. Default: an in-memory store per handler. */
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
  const store = options.store ?? memoryDedupStore()
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
    const claim = yield* store.claim(event.id)
    if (claim === "done") return reply(204, "SUCCESS", "")
    if (claim === "busy") return reply(503, "FAIL", "this notification is being handled")
    const outcome = yield* Effect.exit(onEvent(event))
    if (outcome._tag === "Success") {
      yield* store.commit(event.id)
      return reply(204, "SUCCESS", "")
    }
    yield* store.release(event.id)
    yield* Effect.logError("effect-wechatpay: notification handler failed; WeChat Pay will retry").pipe(Effect.annotateLogs({ id: event.id }))
    return reply(500, "FAIL", "the merchant could not handle the notification")
  })
}
