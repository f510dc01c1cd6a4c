/**
 * The one pipeline every endpoint shares, after its input is encoded:
 *   sign (fresh timestamp + nonce, over the exact body bytes) → send (per-attempt timeout,
 *   failover to the backup host on a connection failure) → verify every 2xx → classify
 *   non-2xx into the endpoint's tagged errors, with retries around all of it.
 * It knows nothing of any endpoint; `Endpoint` turns a declaration into a call to `execute`.
 */
import { HttpClient } from "@effect/platform"
import * as os from "node:os"
import { Clock, Context, DefaultServices, Duration, Effect, type Fiber, Layer, Option, type Redacted, Schedule, Tracer } from "effect"
import { authorizationHeader, requestMessage } from "../signing/crypto.js"
import { Nonce } from "../signing/Nonce.js"
import { isBounded, Signer } from "../signing/Signer.js"
import { signedMessageFromHeaders, Verifier, type VerifierService } from "../signing/Verifier.js"
import { ResponseVerificationError, TransportError, UnexpectedResponse } from "./errors.js"
import { currentRetrySchedule, defaultSchedule, isRetryable } from "./Retry.js"
import { fromHttpClient, type IncomingHttp, type OutgoingHttp, type Transport } from "./Transport.js"
import { VERSION } from "./version.js"

export const DEFAULT_BASE_URL = "https://api.mch.weixin.qq.com"
export const DEFAULT_BACKUP_BASE_URL = "https://api2.mch.weixin.qq.com"

export interface ClientSettings {
  /** Default `https://api.mch.weixin.qq.com`. */
  readonly baseUrl?: string | undefined
  /** Where a request goes once when the primary cannot be reached. Default `https://api2.mch.weixin.qq.com`; `null` turns it off. */
  readonly backupBaseUrl?: string | null | undefined
  /** Retry schedule over the failure (see `Retry.isRetryable` for what is retried). */
  readonly retry?: Schedule.Schedule<unknown, any> | undefined
  /** Per attempt. Default 10 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Whole call, retries included. Default 30 s. */
  readonly deadline?: Duration.DurationInput | undefined
  /** Response body cap. Default 1 MiB. */
  readonly maxResponseBytes?: number | undefined
  /** Replaces the default `effect-wechatpay/<version> (<platform>) node/<version>`. */
  readonly userAgent?: string | undefined
  /** The APIv3 key (32 bytes): decrypts notifications and downloaded certificates. */
  readonly apiV3Key?: Redacted.Redacted<string> | undefined
}

export interface OutgoingRequest {
  readonly method: string
  /** Path and query exactly as they will be signed and sent. */
  readonly url: string
  /** The serialized body: these bytes are signed and sent. */
  readonly body: string | undefined
  /** Extra headers, e.g. `Wechatpay-Serial` for encrypted fields. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

export interface IncomingResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** The body as UTF-8 text; for a 2xx, the text whose signature was verified. */
  readonly body: string
  readonly requestId: string | undefined
  /** Which base URL answered. */
  readonly host: "primary" | "backup"
}

export interface WechatPayClientService {
  readonly mchid: string
  readonly settings: Required<Pick<ClientSettings, "baseUrl" | "maxResponseBytes" | "userAgent">> & {
    readonly backupBaseUrl: string | null
  }
  readonly verifier: VerifierService
  readonly apiV3Key: Option.Option<Redacted.Redacted<string>>
  /** One attempt: sign, send (with failover), verify a 2xx. Non-2xx answers are returned, not failed. */
  readonly attempt: (request: OutgoingRequest) => Effect.Effect<IncomingResponse, TransportError | ResponseVerificationError | UnexpectedResponse>
  /**
   * Attempts under the retry schedule and deadline. `interpret` turns an answer into the
   * endpoint's result or typed error, so retries can see `SystemError` and friends.
   */
  readonly execute: <A, E>(
    request: OutgoingRequest,
    interpret: (response: IncomingResponse) => Effect.Effect<A, E>
  ) => Effect.Effect<A, E | TransportError | ResponseVerificationError | UnexpectedResponse>
}

/** A per-attempt time limit a transport enforces itself, and the error to fail with when it passes. */
export interface TransportTimeout {
  readonly millis: number
  readonly onTimeout: () => TransportError
}

/**
 * A transport that enforces the per-attempt timeout itself (a timer, e.g. `NodeTransport`), so the
 * client need not race a timer fiber against every request.
 */
export interface TimedTransport extends Transport {
  readonly enforcesTimeout: true
  readonly send: (
    request: OutgoingHttp,
    maxBodyBytes: number,
    timeout?: TransportTimeout,
    inFlight?: InFlight
  ) => Effect.Effect<IncomingHttp, TransportError | UnexpectedResponse>
}

/**
 * Where a transport leaves the way to abort its request while it runs (cleared when it ends).
 * Given one, `send` returns no canceler and the caller aborts on interruption: Effect's
 * interrupt wrapper around an `async` with a canceler costs ~30–40 µs per real call (and makes
 * V8 promote 3× more to old space), while the client already has an exit hook per call.
 */
export interface InFlight {
  abort: (() => void) | undefined
}

const isTimed = (t: Transport): t is TimedTransport => (t as { readonly enforcesTimeout?: unknown }).enforcesTimeout === true

/** Effect's built-in tracer: its spans go nowhere, so a span under it is pure cost. */
const nativeTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/** Whether a tracer other than Effect's built-in one is installed (OpenTelemetry, DevTools …). */
export const isTraced = (fiber: Fiber.RuntimeFiber<unknown, unknown>): boolean => fiber.currentTracer !== nativeTracer

/**
 * `Effect.withSpan`, only when a tracer is installed: one span per call where someone sees it,
 * no span (and no per-call span cost) otherwise.
 */
export const withSpanWhenTraced = (name: string, attributes: Record<string, unknown>) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime<A, E, R>((fiber) =>
    isTraced(fiber) ? Effect.withSpan(self, name, { attributes, captureStackTrace: false }) : self
  )

export class WechatPayClient extends Context.Tag("effect-wechatpay/WechatPayClient")<WechatPayClient, WechatPayClientService>() {}

export const defaultUserAgent = (): string =>
  `effect-wechatpay/${VERSION} (${os.platform()} ${os.release()}; ${process.arch}) node/${process.versions.node}`

// ignoreBOM keeps a leading BOM in the text: the signature covers the exact bytes.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
const lossyUtf8 = new TextDecoder("utf-8", { ignoreBOM: true })

const CONNECTION_FAILURES: ReadonlySet<string> = new Set(["Connect", "Reset"])

/** The `Nonce` source in the fiber's context (the CSPRNG by default, pinned in tests). */
const nonceSource = (fiber: Fiber.RuntimeFiber<unknown, unknown>): { readonly next: () => string } =>
  Context.get(fiber.currentContext, Nonce)

/** Builds the client from a signer, a verifier and a transport. */
export const make = (transport: Transport, settings: ClientSettings = {}) =>
  Effect.gen(function*() {
    const signer = yield* Signer
    const verifier = yield* Verifier
    const baseUrl = (settings.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
    const backupBaseUrl = settings.backupBaseUrl === null ? null : (settings.backupBaseUrl ?? DEFAULT_BACKUP_BASE_URL).replace(/\/+$/, "")
    const maxResponseBytes = settings.maxResponseBytes ?? 1024 * 1024
    const userAgent = settings.userAgent ?? defaultUserAgent()
    const timeout = Duration.decode(settings.timeout ?? "10 seconds")
    const deadline = Duration.decode(settings.deadline ?? "30 seconds")
    const layerSchedule: Schedule.Schedule<unknown, unknown> = (settings.retry ?? defaultSchedule()) as Schedule.Schedule<unknown, unknown>
    const baseHeaders = { accept: "application/json", "user-agent": userAgent }

    const timeoutMillis = Duration.toMillis(timeout)
    const deadlineMillis = Duration.toMillis(deadline)
    const timed = isTimed(transport) ? transport : undefined
    const boundedSigner = isBounded(signer)
    const deadlineError = () =>
      new TransportError({ reason: "Deadline", message: `the call did not finish within its ${Duration.format(deadline)} deadline` })

    /** One send under the per-attempt timeout, or under what is left of the deadline when that is shorter. */
    const sendOnce = (url: string, headers: Record<string, string>, request: OutgoingRequest, left: number, inFlight: InFlight | undefined) => {
      const millis = Math.max(0, Math.min(timeoutMillis, left))
      const onTimeout = left < timeoutMillis
        ? deadlineError
        : () => new TransportError({ reason: "Timeout", message: `no answer within ${Duration.format(timeout)}`, url })
      const outgoing = { method: request.method, url, headers, body: request.body }
      return timed !== undefined
        ? timed.send(outgoing, maxResponseBytes, { millis, onTimeout }, inFlight)
        : transport.send(outgoing, maxResponseBytes).pipe(Effect.timeoutFail({ duration: millis, onTimeout }))
    }

    /** The answer's text, verified when it is a 2xx. */
    const receive = (raw: IncomingHttp, host: "primary" | "backup") => {
      const requestId = raw.headers["request-id"]
      let body: string
      let validUtf8 = true
      try {
        body = utf8.decode(raw.body)
      } catch {
        body = lossyUtf8.decode(raw.body)
        validUtf8 = false
      }
      const response = { status: raw.status, headers: raw.headers, body, requestId, host } satisfies IncomingResponse
      const checked: Effect.Effect<IncomingResponse, UnexpectedResponse> = validUtf8 ? Effect.succeed(response) : Effect.fail(
        new UnexpectedResponse({
          status: raw.status,
          message: "the body is not valid UTF-8",
          ...(requestId !== undefined ? { requestId } : {})
        })
      )
      // Every 2xx, 204 included, must be signed by WeChat Pay: an unsigned one is forged.
      // Verified before the UTF-8 check, so a corrupted or forged 2xx body is reported as such.
      return raw.status >= 200 && raw.status < 300
        ? Effect.zipRight(verifier.verify(signedMessageFromHeaders(raw.headers, body)), checked)
        : checked
    }

    /** One attempt at `now` (ms), with `deadlineAt` (ms) bounding it. Plain effects, no generators: this is the hot path. */
    const attemptAt = (
      request: OutgoingRequest,
      now: number,
      deadlineAt: number,
      nonces: { readonly next: () => string },
      concurrent: boolean,
      inFlight?: InFlight
    ): Effect.Effect<IncomingResponse, TransportError | ResponseVerificationError | UnexpectedResponse> => {
      const timestamp = Math.floor(now / 1000)
      const nonce = nonces.next()
      let signed: Effect.Effect<string, TransportError> = signer.sign(
        requestMessage({ method: request.method, url: request.url, timestamp, nonce, body: request.body ?? "" }),
        { concurrent }
      )
      // a custom signer (KMS, HSM) may hang: keep it under the deadline; the built-in one is bounded CPU work
      if (!boundedSigner && Number.isFinite(deadlineAt)) {
        signed = Effect.timeoutFail(signed, { duration: Math.max(0, deadlineAt - now), onTimeout: deadlineError })
      }
      return Effect.flatMap(signed, (signature) => {
        const headers: Record<string, string> = { accept: baseHeaders.accept, "user-agent": baseHeaders["user-agent"] }
        if (request.body !== undefined) headers["content-type"] = "application/json"
        if (request.headers !== undefined) Object.assign(headers, request.headers)
        headers.authorization = authorizationHeader({ mchid: signer.mchid, serialNo: signer.serialNo, nonce, timestamp, signature })
        const primary = sendOnce(baseUrl + request.url, headers, request, deadlineAt - now, inFlight)
        if (backupBaseUrl === null) return Effect.flatMap(primary, (raw) => receive(raw, "primary"))
        let host: "primary" | "backup" = "primary"
        return primary.pipe(
          Effect.catchTag("TransportError", (e) => {
            if (!CONNECTION_FAILURES.has(e.reason)) return Effect.fail(e)
            host = "backup"
            // The signed URL has no host, so the very same signed request is valid on the backup host.
            return Effect.logDebug("effect-wechatpay: primary unreachable, trying the backup host").pipe(
              Effect.annotateLogs({ reason: e.reason, backup: backupBaseUrl }),
              Effect.zipRight(Clock.currentTimeMillis),
              Effect.flatMap((later) => sendOnce(backupBaseUrl + request.url, headers, request, deadlineAt - later, inFlight)),
              // the primary gave no answer, so the backup's Request-ID is the first one there is to log
              Effect.tap((raw) =>
                Effect.logDebug("effect-wechatpay: the backup host answered").pipe(
                  Effect.annotateLogs({ status: raw.status, requestId: raw.headers["request-id"] ?? "", backup: backupBaseUrl })
                )
              )
            )
          }),
          Effect.flatMap((raw) => receive(raw, host))
        )
      })
    }

    const clockOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>) => Context.get(fiber.currentDefaultServices, Clock.Clock)

    const attempt = (request: OutgoingRequest) =>
      Effect.withFiberRuntime<IncomingResponse, TransportError | ResponseVerificationError | UnexpectedResponse>((fiber) =>
        attemptAt(request, clockOf(fiber).unsafeCurrentTimeMillis(), Infinity, nonceSource(fiber), active > 0)
      )

    /** Calls in flight on this client: while others are, the built-in signer uses the thread pool. */
    let active = 0

    const tagOf = (e: unknown) => (e as { _tag?: string })._tag ?? "Unknown"

    /**
     * The first attempt runs bare: the deadline bounds it through its send timeout (and a custom
     * signer's), so a call that succeeds at once pays for no retry driver and no timer fiber.
     * A retryable failure hands over to the schedule, under what is left of the deadline.
     */
    const execute = <A, E>(request: OutgoingRequest, interpret: (r: IncomingResponse) => Effect.Effect<A, E>) =>
      Effect.withFiberRuntime<A, E | TransportError | ResponseVerificationError | UnexpectedResponse>((fiber) => {
        const traced = isTraced(fiber)
        const clock = clockOf(fiber)
        const nonces = nonceSource(fiber)
        active++
        const startedAt = clock.unsafeCurrentTimeMillis()
        const deadlineAt = startedAt + deadlineMillis
        let attempts = 1
        const reasons: Array<string> = []
        // the request on the wire, if any: aborted when the call ends early (interrupted, deadline)
        const inFlight: InFlight | undefined = timed !== undefined ? { abort: undefined } : undefined
        const leave = Effect.sync(() => {
          active--
          inFlight?.abort?.()
        })
        const annotated = (response: IncomingResponse) =>
          traced
            ? Effect.annotateCurrentSpan({
              "http.response.status_code": response.status,
              "wechatpay.request_id": response.requestId ?? "",
              "wechatpay.host": response.host
            }).pipe(Effect.zipRight(interpret(response)))
            : interpret(response)
        const first = Effect.flatMap(attemptAt(request, startedAt, deadlineAt, nonces, active > 1, inFlight), annotated)

        const retryAfter = (firstError: TransportError | ResponseVerificationError | UnexpectedResponse | E) => {
          const schedule = Option.getOrElse(fiber.getFiberRef(currentRetrySchedule), () => layerSchedule)
          reasons.push(tagOf(firstError))
          let previous: unknown = firstError
          let replay = true
          // the first failure, replayed so the schedule sees it, then fresh attempts
          const once = Effect.suspend(() => {
            if (replay) {
              replay = false
              return Effect.fail(firstError)
            }
            attempts++
            // logged when a retry really starts: not for the last failure, nor a non-retryable one
            return Effect.logDebug("effect-wechatpay: retrying").pipe(
              Effect.annotateLogs({ attempt: attempts, error: tagOf(previous), requestId: (previous as { requestId?: string }).requestId ?? "" }),
              Effect.zipRight(Clock.currentTimeMillis),
              Effect.flatMap((now) => Effect.flatMap(attemptAt(request, now, deadlineAt, nonces, active > 1, inFlight), annotated)),
              Effect.tapError((e) =>
                Effect.sync(() => {
                  reasons.push(tagOf(e))
                  previous = e
                })
              )
            )
          })
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            once.pipe(
              Effect.retry({ schedule, while: isRetryable }),
              Effect.timeoutFail({ duration: Math.max(0, deadlineAt - now), onTimeout: deadlineError })
            ))
        }

        const call = Effect.onExit(Effect.catchIf(first, isRetryable, retryAfter), () => leave)
        return traced
          ? Effect.ensuring(
            call,
            Effect.suspend(() =>
              Effect.annotateCurrentSpan({ "wechatpay.attempts": attempts, "wechatpay.retry_reasons": reasons.slice(0, attempts - 1).join(",") })
            )
          )
          : call
      })

    return {
      mchid: signer.mchid,
      settings: { baseUrl, backupBaseUrl, maxResponseBytes, userAgent },
      verifier,
      apiV3Key: Option.fromNullable(settings.apiV3Key),
      attempt,
      execute
    } satisfies WechatPayClientService
  })

/** The client over the `HttpClient` in context, with the `Signer` and `Verifier` in context. */
export const layer = (settings: ClientSettings = {}): Layer.Layer<WechatPayClient, never, Signer | Verifier | HttpClient.HttpClient> =>
  Layer.effect(
    WechatPayClient,
    Effect.flatMap(HttpClient.HttpClient, (client) => make(fromHttpClient(client), settings))
  )

/** The client over a custom `Transport` (e.g. the lean Node transport). */
export const layerTransport = (transport: Transport, settings: ClientSettings = {}): Layer.Layer<WechatPayClient, never, Signer | Verifier> =>
  Layer.effect(WechatPayClient, make(transport, settings))
