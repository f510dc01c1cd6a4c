/**
 * The `WechatPayClient` service built from a signer, a verifier and a transport. One call is:
 *   begin       — the call's state: deadline, nonce source, in-flight handle
 *   attempt     — sign (fresh timestamp + nonce) → send (failover once to the backup host) → receive
 *   receive     — body → UTF-8 text; every 2xx verified
 *   retryAfter  — a retryable failure hands over to the schedule, under what is left of the deadline
 * The first attempt runs bare (no retry driver, no timer fiber): a call that succeeds at once pays
 * for neither. Plain effects rather than generators throughout: this is the hot path.
 */
import { Clock, Context, Duration, Effect, type Fiber, Option, Schedule } from "effect"
import { ResponseVerificationError, TransportError, UnexpectedResponse } from "../errors/errors.js"
import { authorizationHeader, requestMessage } from "../signing/crypto.js"
import { Nonce } from "../signing/Nonce.js"
import type { SignerService } from "../signing/Signer.js"
import { signedMessageFromHeaders, type VerifierService } from "../signing/Verifier.js"
import {
  type AttemptError,
  type ClientSettings,
  DEFAULT_BACKUP_BASE_URL,
  DEFAULT_BASE_URL,
  DEFAULT_HK_BASE_URL,
  defaultUserAgent,
  type IncomingResponse,
  type OutgoingRequest,
  type RequestLimiterService,
  type WechatPayClientService
} from "../core/WechatPayClient.js"
import { currentRetrySchedule, defaultSchedule, isRetryable } from "../core/Retry.js"
import { isTraced } from "./tracing.js"
import { type IncomingHttp, type InFlight, isTimed, type Transport } from "./Transport.js"

// ignoreBOM keeps a leading BOM in the text: the signature covers the exact bytes.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
const lossyUtf8 = new TextDecoder("utf-8", { ignoreBOM: true })

const CONNECTION_FAILURES: ReadonlySet<string> = new Set(["Connect", "Reset"])

type Host = "primary" | "backup"

/** One call in progress. */
interface Call {
  readonly request: OutgoingRequest
  /** ms since epoch; `Infinity` for a lone `attempt` */
  readonly deadlineAt: number
  readonly nonces: { readonly next: () => string }
  /** The request on the wire, if any: aborted when the call ends early (interrupted, deadline). */
  readonly inFlight: InFlight | undefined
  /** Other calls are in flight on this client: the built-in signer then uses the thread pool. */
  readonly concurrent: boolean
  attempts: number
  readonly reasons: Array<string>
}

const tagOf = (e: unknown) => (e as { _tag?: string })._tag ?? "Unknown"
const clockOf = (fiber: Fiber.RuntimeFiber<unknown, unknown>) => Context.get(fiber.currentDefaultServices, Clock.Clock)
/** The `Nonce` source in the fiber's context (the CSPRNG by default, pinned in tests). */
const nonceSource = (fiber: Fiber.RuntimeFiber<unknown, unknown>) => Context.get(fiber.currentContext, Nonce)

export const make = (
  signer: SignerService,
  verifier: VerifierService,
  transport: Transport,
  settings: ClientSettings = {},
  limiter?: RequestLimiterService
): WechatPayClientService => {
  const baseUrl = (settings.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, "")
  const backupBaseUrl = settings.backupBaseUrl === null ? null : (settings.backupBaseUrl ?? DEFAULT_BACKUP_BASE_URL).replace(/\/+$/, "")
  const hkBaseUrl = (settings.hkBaseUrl ?? DEFAULT_HK_BASE_URL).replace(/\/+$/, "")
  /** Where a request goes first and where it fails over to, per host (fixed at build: nothing per call). */
  const mainOrigins = { primary: baseUrl, backup: backupBaseUrl }
  const otherOrigins = { hk: { primary: baseUrl, backup: hkBaseUrl }, apihk: { primary: hkBaseUrl, backup: null } } as const
  const maxResponseBytes = settings.maxResponseBytes ?? 1024 * 1024
  const userAgent = settings.userAgent ?? defaultUserAgent()
  const timeout = Duration.decode(settings.timeout ?? "10 seconds")
  const deadline = Duration.decode(settings.deadline ?? "30 seconds")
  const layerSchedule = (settings.retry ?? defaultSchedule()) as Schedule.Schedule<unknown, unknown>
  const timeoutMillis = Duration.toMillis(timeout)
  const deadlineMillis = Duration.toMillis(deadline)
  const timed = isTimed(transport) ? transport : undefined
  const deadlineError = () =>
    new TransportError({ reason: "Deadline", message: `the call did not finish within its ${Duration.format(deadline)} deadline` })

  /** Calls in flight on this client. */
  let active = 0

  /** Sign the request message at `now`: a custom signer (KMS, HSM) may hang, so it runs under the deadline. */
  const sign = (call: Call, timestamp: number, nonce: string, now: number): Effect.Effect<string, TransportError> => {
    const { request } = call
    const signed = signer.sign(
      requestMessage({ method: request.method, url: request.url, timestamp, nonce, body: request.body ?? "" }),
      { concurrent: call.concurrent }
    )
    return signer.bounded === true || !Number.isFinite(call.deadlineAt)
      ? signed
      : Effect.timeoutFail(signed, { duration: Math.max(0, call.deadlineAt - now), onTimeout: deadlineError })
  }

  /** The headers of one attempt: fixed ones, the request's own, and the Authorization. */
  const headersOf = (request: OutgoingRequest, timestamp: number, nonce: string, signature: string): Record<string, string> => {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": userAgent }
    if (request.payload !== undefined) headers["content-type"] = request.payload.contentType
    else if (request.body !== undefined) headers["content-type"] = "application/json"
    if (request.headers !== undefined) Object.assign(headers, request.headers)
    headers.authorization = authorizationHeader({ mchid: signer.mchid, serialNo: signer.serialNo, nonce, timestamp, signature })
    return headers
  }

  /** One send to `origin` under the per-attempt timeout, or under what is left of the deadline when that is shorter. */
  const sendTo = (origin: string, call: Call, headers: Record<string, string>, left: number) => {
    const url = origin + call.request.url
    const millis = Math.max(0, Math.min(timeoutMillis, left))
    const onTimeout = left < timeoutMillis
      ? deadlineError
      : () => new TransportError({ reason: "Timeout", message: `no answer within ${Duration.format(timeout)}`, url })
    const outgoing = { method: call.request.method, url, headers, body: call.request.payload?.bytes ?? call.request.body }
    return timed !== undefined
      ? timed.send(outgoing, maxResponseBytes, { millis, onTimeout }, call.inFlight)
      : transport.send(outgoing, maxResponseBytes).pipe(Effect.timeoutFail({ duration: millis, onTimeout }))
  }

  /** The answer's text, verified when it is a 2xx. */
  const receive = (raw: IncomingHttp, host: Host): Effect.Effect<IncomingResponse, ResponseVerificationError | UnexpectedResponse> => {
    const requestId = raw.headers["request-id"]
    let body: string
    let validUtf8 = true
    try {
      body = utf8.decode(raw.body)
    } catch {
      body = lossyUtf8.decode(raw.body)
      validUtf8 = false
    }
    const response: IncomingResponse = { status: raw.status, headers: raw.headers, body, requestId, host }
    const checked: Effect.Effect<IncomingResponse, UnexpectedResponse> = validUtf8
      ? Effect.succeed(response)
      : Effect.fail(new UnexpectedResponse({ status: raw.status, message: "the body is not valid UTF-8", ...(requestId !== undefined ? { requestId } : {}) }))
    // Every 2xx, 204 included, must be signed by WeChat Pay: an unsigned one is forged.
    // Verified before the UTF-8 check, so a corrupted or forged 2xx body is reported as such.
    return raw.status >= 200 && raw.status < 300
      ? Effect.zipRight(verifier.verify(signedMessageFromHeaders(raw.headers, body)), checked)
      : checked
  }

  /** The primary, then once the backup host when the primary could not be reached (the signed URL has no host, so the same signature holds). */
  const sendWithFailover = (call: Call, headers: Record<string, string>, now: number): Effect.Effect<IncomingResponse, AttemptError> => {
    const { backup: backupUrl, primary: primaryUrl } = call.request.host === undefined ? mainOrigins : otherOrigins[call.request.host]
    const primary = sendTo(primaryUrl, call, headers, call.deadlineAt - now)
    if (backupUrl === null) return Effect.flatMap(primary, (raw) => receive(raw, "primary"))
    let answered: Host = "primary"
    return primary.pipe(
      Effect.catchTag("TransportError", (e) => {
        if (!CONNECTION_FAILURES.has(e.reason)) return Effect.fail(e)
        answered = "backup"
        return Effect.logDebug("effect-wechatpay: primary unreachable, trying the backup host").pipe(
          Effect.annotateLogs({ reason: e.reason, backup: backupUrl }),
          Effect.zipRight(Clock.currentTimeMillis),
          Effect.flatMap((later) => sendTo(backupUrl, call, headers, call.deadlineAt - later)),
          // the primary gave no answer, so the backup's Request-ID is the first one there is to log
          Effect.tap((raw) =>
            Effect.logDebug("effect-wechatpay: the backup host answered").pipe(
              Effect.annotateLogs({ status: raw.status, requestId: raw.headers["request-id"] ?? "", backup: backupUrl })
            )
          )
        )
      }),
      Effect.flatMap((raw) => receive(raw, answered))
    )
  }

  /** One attempt at `now` (ms): a fresh timestamp, nonce and signature over the same bytes. */
  const signAndSend = (call: Call, now: number): Effect.Effect<IncomingResponse, AttemptError> => {
    const timestamp = Math.floor(now / 1000)
    const nonce = call.nonces.next()
    return Effect.flatMap(sign(call, timestamp, nonce, now), (signature) =>
      sendWithFailover(call, headersOf(call.request, timestamp, nonce, signature), now))
  }

  /** With a limiter, each attempt first takes its permit (and is signed when it got it); without one, nothing is added. */
  const attemptAt = limiter === undefined
    ? signAndSend
    : (call: Call, _now: number) => Effect.flatMap(limiter.take(call.request, call.deadlineAt), (later) => signAndSend(call, later))

  /** A call's state. `tracked`: the call counts in `active` and aborts its in-flight request when it ends. */
  const begin = (fiber: Fiber.RuntimeFiber<unknown, unknown>, request: OutgoingRequest, deadlineAt: number, tracked: boolean): Call => ({
    request,
    deadlineAt,
    nonces: nonceSource(fiber),
    inFlight: tracked && timed !== undefined ? { abort: undefined } : undefined,
    concurrent: active > (tracked ? 1 : 0),
    attempts: 1,
    reasons: []
  })

  /** Later attempts under the schedule (the call's override, else the layer's), bounded by what is left of the deadline. */
  const retryAfter = <A, E>(
    fiber: Fiber.RuntimeFiber<unknown, unknown>,
    call: Call,
    firstError: E | AttemptError,
    run: (now: number) => Effect.Effect<A, E | AttemptError>
  ): Effect.Effect<A, E | AttemptError> => {
    const schedule = Option.getOrElse(fiber.getFiberRef(currentRetrySchedule), () => layerSchedule)
    call.reasons.push(tagOf(firstError))
    let previous: unknown = firstError
    let replay = true
    // the first failure, replayed so the schedule sees it, then fresh attempts
    const once = Effect.suspend(() => {
      if (replay) {
        replay = false
        return Effect.fail(firstError)
      }
      call.attempts++
      // logged when a retry really starts: not for the last failure, nor a non-retryable one
      return Effect.logDebug("effect-wechatpay: retrying").pipe(
        Effect.annotateLogs({ attempt: call.attempts, error: tagOf(previous), requestId: (previous as { requestId?: string }).requestId ?? "" }),
        Effect.zipRight(Clock.currentTimeMillis),
        Effect.flatMap(run),
        Effect.tapError((e) =>
          Effect.sync(() => {
            call.reasons.push(tagOf(e))
            previous = e
          })
        )
      )
    })
    return Effect.flatMap(Clock.currentTimeMillis, (now) =>
      once.pipe(
        Effect.retry({ schedule, while: isRetryable }),
        Effect.timeoutFail({ duration: Math.max(0, call.deadlineAt - now), onTimeout: deadlineError })
      ))
  }

  const attempt = (request: OutgoingRequest) =>
    Effect.withFiberRuntime<IncomingResponse, AttemptError>((fiber) => {
      const now = clockOf(fiber).unsafeCurrentTimeMillis()
      return attemptAt(begin(fiber, request, Infinity, false), now)
    })

  const execute = <A, E>(request: OutgoingRequest, interpret: (r: IncomingResponse) => Effect.Effect<A, E>) =>
    Effect.withFiberRuntime<A, E | AttemptError>((fiber) => {
      const traced = isTraced(fiber)
      active++
      const startedAt = clockOf(fiber).unsafeCurrentTimeMillis()
      const call = begin(fiber, request, startedAt + deadlineMillis, true)
      const annotated = (response: IncomingResponse) =>
        traced
          ? Effect.annotateCurrentSpan({
            "http.response.status_code": response.status,
            "wechatpay.request_id": response.requestId ?? "",
            "wechatpay.host": response.host
          }).pipe(Effect.zipRight(interpret(response)))
          : interpret(response)
      const run = (now: number) => Effect.flatMap(attemptAt(call, now), annotated)
      const leave = Effect.sync(() => {
        active--
        call.inFlight?.abort?.()
      })
      const result = Effect.onExit(Effect.catchIf(run(startedAt), isRetryable, (e) => retryAfter(fiber, call, e, run)), () => leave)
      return traced
        ? Effect.ensuring(
          result,
          Effect.suspend(() =>
            Effect.annotateCurrentSpan({ "wechatpay.attempts": call.attempts, "wechatpay.retry_reasons": call.reasons.slice(0, call.attempts - 1).join(",") })
          )
        )
        : result
    })

  return {
    mchid: signer.mchid,
    settings: { baseUrl, backupBaseUrl, hkBaseUrl, maxResponseBytes, userAgent },
    verifier,
    attempt,
    execute
  }
}
