/**
 * The one pipeline every endpoint shares, after its input is encoded:
 *   sign (fresh timestamp + nonce, over the exact body bytes) → send (per-attempt timeout,
 *   failover to the backup host on a connection failure) → verify every 2xx → classify
 *   non-2xx into the endpoint's tagged errors, with retries around all of it.
 * It knows nothing of any endpoint; `Endpoint` turns a declaration into a call to `execute`.
 */
import { HttpClient } from "@effect/platform"
import * as os from "node:os"
import { Clock, Context, Duration, Effect, FiberRef, Layer, Option, type Redacted, Schedule } from "effect"
import { authorizationHeader, requestMessage } from "../signing/crypto.js"
import { Nonce } from "../signing/Nonce.js"
import { Signer } from "../signing/Signer.js"
import { signedMessageFromHeaders, Verifier, type VerifierService } from "../signing/Verifier.js"
import { ResponseVerificationError, TransportError, UnexpectedResponse } from "./errors.js"
import { currentRetrySchedule, defaultSchedule, isRetryable } from "./Retry.js"
import { fromHttpClient, type Transport } from "./Transport.js"
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

export class WechatPayClient extends Context.Tag("effect-wechatpay/WechatPayClient")<WechatPayClient, WechatPayClientService>() {}

export const defaultUserAgent = (): string =>
  `effect-wechatpay/${VERSION} (${os.platform()} ${os.release()}; ${process.arch}) node/${process.versions.node}`

// ignoreBOM keeps a leading BOM in the text: the signature covers the exact bytes.
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
const lossyUtf8 = new TextDecoder("utf-8", { ignoreBOM: true })

const CONNECTION_FAILURES: ReadonlySet<string> = new Set(["Connect", "Reset"])

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

    const sendOnce = (url: string, headers: Record<string, string>, request: OutgoingRequest) =>
      transport.send({ method: request.method, url, headers, body: request.body }, maxResponseBytes).pipe(
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => new TransportError({ reason: "Timeout", message: `no answer within ${Duration.format(timeout)}`, url })
        })
      )

    const attempt = (request: OutgoingRequest) =>
      Effect.gen(function*() {
        const timestamp = Math.floor((yield* Clock.currentTimeMillis) / 1000)
        const nonce = (yield* Nonce).next()
        const signature = yield* signer.sign(
          requestMessage({ method: request.method, url: request.url, timestamp, nonce, body: request.body ?? "" })
        )
        const headers: Record<string, string> = {
          ...baseHeaders,
          ...(request.body !== undefined ? { "content-type": "application/json" } : {}),
          ...request.headers,
          authorization: authorizationHeader({ mchid: signer.mchid, serialNo: signer.serialNo, nonce, timestamp, signature })
        }
        let host: "primary" | "backup" = "primary"
        const raw = yield* sendOnce(baseUrl + request.url, headers, request).pipe(
          Effect.catchTag("TransportError", (e) => {
            if (backupBaseUrl === null || !CONNECTION_FAILURES.has(e.reason)) return Effect.fail(e)
            host = "backup"
            // The signed URL has no host, so the very same signed request is valid on the backup host.
            return Effect.logDebug("effect-wechatpay: primary unreachable, trying the backup host").pipe(
              Effect.annotateLogs({ reason: e.reason, backup: backupBaseUrl }),
              Effect.zipRight(sendOnce(backupBaseUrl + request.url, headers, request))
            )
          })
        )
        const requestId = raw.headers["request-id"]
        let body: string
        let validUtf8 = true
        try {
          body = utf8.decode(raw.body)
        } catch {
          body = lossyUtf8.decode(raw.body)
          validUtf8 = false
        }
        if (raw.status >= 200 && raw.status < 300) {
          // Every 2xx, 204 included, must be signed by WeChat Pay: an unsigned one is forged.
          // Verified before the UTF-8 check, so a corrupted or forged 2xx body is reported as such.
          yield* verifier.verify(signedMessageFromHeaders(raw.headers, body))
        }
        if (!validUtf8) {
          return yield* new UnexpectedResponse({
            status: raw.status,
            message: "the body is not valid UTF-8",
            ...(requestId !== undefined ? { requestId } : {})
          })
        }
        return { status: raw.status, headers: raw.headers, body, requestId, host } satisfies IncomingResponse
      })

    const execute = <A, E>(request: OutgoingRequest, interpret: (r: IncomingResponse) => Effect.Effect<A, E>) =>
      Effect.gen(function*() {
        const override = yield* FiberRef.get(currentRetrySchedule)
        const schedule = Option.getOrElse(override, () => layerSchedule)
        let attempts = 0
        const reasons: Array<string> = []
        const once = Effect.suspend(() => {
          attempts++
          return attempt(request)
        }).pipe(
          Effect.flatMap((response) =>
            Effect.annotateCurrentSpan({
              "http.response.status_code": response.status,
              "wechatpay.request_id": response.requestId ?? "",
              "wechatpay.host": response.host
            }).pipe(Effect.zipRight(interpret(response)))
          ),
          Effect.tapError((e) =>
            Effect.sync(() => {
              reasons.push((e as { _tag?: string })._tag ?? "Unknown")
            })
          )
        )
        const retried = once.pipe(
          Effect.retry({
            schedule: Schedule.tapInput(schedule, (e: unknown) =>
              Effect.logDebug("effect-wechatpay: retrying").pipe(
                Effect.annotateLogs({
                  error: (e as { _tag?: string })._tag ?? "Unknown",
                  requestId: (e as { requestId?: string }).requestId ?? ""
                })
              )),
            while: isRetryable
          }),
          Effect.timeoutFail({
            duration: deadline,
            onTimeout: () =>
              new TransportError({ reason: "Deadline", message: `the call did not finish within its ${Duration.format(deadline)} deadline` })
          })
        )
        return yield* retried.pipe(
          Effect.ensuring(
            Effect.suspend(() =>
              Effect.annotateCurrentSpan({ "wechatpay.attempts": attempts, "wechatpay.retry_reasons": reasons.slice(0, -1).join(",") })
            )
          )
        )
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
