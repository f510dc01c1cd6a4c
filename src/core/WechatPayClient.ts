/**
 * The one pipeline every endpoint shares, as a service: sign (fresh timestamp + nonce, over the
 * exact body bytes) → send (per-attempt timeout, failover to the backup host on a connection
 * failure) → verify every 2xx → interpret, with retries around all of it. It knows nothing of
 * any endpoint. Build it with `WechatPay.layer`, `WechatPay.layerNode` or `WechatPay.layerConfig`.
 */
import * as os from "node:os"
import { Context, type Duration, type Effect, type Schedule } from "effect"
import type { FrequencyLimited } from "../errors/codes.js"
import type { ResponseVerificationError, TransportError, UnexpectedResponse } from "../errors/errors.js"
import type { VerifierService } from "../signing/Verifier.js"
import type { Downloader } from "./download.js"
import { VERSION } from "./version.js"

export const DEFAULT_BASE_URL = "https://api.mch.weixin.qq.com"
export const DEFAULT_BACKUP_BASE_URL = "https://api2.mch.weixin.qq.com"
export const DEFAULT_HK_BASE_URL = "https://apihk.mch.weixin.qq.com"

export interface ClientSettings {
  /** Default `https://api.mch.weixin.qq.com`. */
  readonly baseUrl?: string | undefined
  /** Where a request goes once when the primary cannot be reached. Default `https://api2.mch.weixin.qq.com`; `null` turns it off. */
  readonly backupBaseUrl?: string | null | undefined
  /**
   * The Hong Kong access point, default `https://apihk.mch.weixin.qq.com`: the backup host of the
   * `hk.v3.…` endpoints (which go to `baseUrl` first) and the only host of `global.v3.customs.…`.
   */
  readonly hkBaseUrl?: string | undefined
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
}

export interface OutgoingRequest {
  readonly method: string
  /** Path and query exactly as they will be signed and sent. */
  readonly url: string
  /** The serialized body: these bytes are signed and sent (for an upload: the `meta` JSON, signed only). */
  readonly body: string | undefined
  /** Sent in place of `body` when the signed text is not the whole body: an upload's `multipart/form-data`. */
  readonly payload?: { readonly bytes: Uint8Array; readonly contentType: string } | undefined
  /** Extra headers, e.g. `Wechatpay-Serial` for encrypted fields. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Another host than `baseUrl` (backup `backupBaseUrl`): `hk` = `baseUrl`, backup `hkBaseUrl`; `apihk` = `hkBaseUrl` only. */
  readonly host?: "hk" | "apihk" | undefined
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

/** What an attempt can fail with before any endpoint reads the answer (`FrequencyLimited`: refused by a `RequestLimiter`, nothing sent). */
export type AttemptError = TransportError | ResponseVerificationError | UnexpectedResponse | FrequencyLimited

/**
 * A client-side rate limit (shared by a fleet through its store): `take` runs before each request
 * is signed and sent, retries included. It answers the time (ms) once the request may go, or fails
 * with `FrequencyLimited` (nothing sent) when it may not before `deadlineAt`. Provide one under a
 * client layer; `effect-wechatpay/rate-limit` makes one over `@effect/experimental`'s `RateLimiter`.
 */
export interface RequestLimiterService {
  readonly take: (request: OutgoingRequest, deadlineAt: number) => Effect.Effect<number, FrequencyLimited>
}

export class RequestLimiter extends Context.Tag("effect-wechatpay/RequestLimiter")<RequestLimiter, RequestLimiterService>() {}

export interface WechatPayClientService {
  readonly mchid: string
  readonly settings: {
    readonly baseUrl: string
    readonly backupBaseUrl: string | null
    readonly hkBaseUrl: string
    readonly maxResponseBytes: number
    readonly userAgent: string
  }
  /** Verifies answers; also holds WeChat Pay's key for encrypting sensitive fields. */
  readonly verifier: VerifierService
  /** One attempt: sign, send (with failover), verify a 2xx. Non-2xx answers are returned, not failed. */
  readonly attempt: (request: OutgoingRequest) => Effect.Effect<IncomingResponse, AttemptError>
  /**
   * Attempts under the retry schedule and deadline. `interpret` turns an answer into the
   * endpoint's result or typed error, so retries can see `SystemError` and friends.
   */
  readonly execute: <A, E>(
    request: OutgoingRequest,
    interpret: (response: IncomingResponse) => Effect.Effect<A, E>
  ) => Effect.Effect<A, E | AttemptError>
  /** Signed GETs whose answers are unsigned byte streams (bill files); set by the built-in layers. */
  readonly download?: Downloader | undefined
}

export class WechatPayClient extends Context.Tag("effect-wechatpay/WechatPayClient")<WechatPayClient, WechatPayClientService>() {}

export const defaultUserAgent = (): string =>
  `effect-wechatpay/${VERSION} (${os.platform()} ${os.release()}; ${process.arch}) node/${process.versions.node}`
