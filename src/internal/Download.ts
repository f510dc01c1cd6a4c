/**
 * A signed GET whose answer is a byte stream WeChat Pay does not sign (bill files, and later the
 * other file downloads: `/v3/billdownload/file`, `/v3/transferdownload/*`, media by id). The
 * request carries a merchant Authorization over its path and query; the answer is streamed under
 * a size cap, never verified (what proves a file is the digest its signed answer gave, checked by
 * the caller). Kept apart from `Transport`, whose collected-body path is the hot one.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import * as http from "node:http"
import * as https from "node:https"
import { Chunk, Clock, Effect, type Scope, Stream } from "effect"
import type { Downloader } from "../core/download.js"
import { DEFAULT_BACKUP_BASE_URL, DEFAULT_BASE_URL } from "../core/WechatPayClient.js"
import { type CommonError, commonErrors, TransportError, UnexpectedResponse } from "../errors/errors.js"
import { authorizationHeader, requestMessage } from "../signing/crypto.js"
import { Nonce } from "../signing/Nonce.js"
import type { SignerService } from "../signing/Signer.js"
import { errorInterpreter } from "./interpret.js"
import { capBytes, errorCode, headersFromRaw, type OutgoingHttp, safeOrigin, transportErrorFrom } from "./Transport.js"

/** The status and headers of an answer, and its body still to be read. */
export interface StreamingHttp {
  readonly status: number
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Stream.Stream<Uint8Array, TransportError>
}

/** Opens a request and hands over its body as a stream; the request is closed with the scope. */
export interface StreamingTransport {
  readonly open: (request: OutgoingHttp) => Effect.Effect<StreamingHttp, TransportError, Scope.Scope>
}

/** How much of a non-200 answer is read to tell which WeChat Pay error it is. */
const ERROR_BODY_BYTES = 64 * 1024

// ---- streaming transports ----

/** Over an `@effect/platform` `HttpClient` (the in-memory sandbox, fetch, undici …). */
export const fromHttpClient = (client: HttpClient.HttpClient): StreamingTransport => {
  const httpClient = HttpClient.withTracerPropagation(client, false)
  return {
    open: (req) =>
      httpClient.execute(HttpClientRequest.make(req.method as "GET")(req.url, { headers: req.headers })).pipe(
        Effect.map((response): StreamingHttp => ({
          status: response.status,
          headers: response.headers as Record<string, string>,
          body: response.stream.pipe(
            Stream.catchAll((e) =>
              e.reason === "EmptyBody"
                ? Stream.empty
                : Stream.fail(new TransportError({ reason: "Body", message: `the download was cut short (${errorCode(e.cause) ?? "cut short"})`, url: safeOrigin(req.url) }))
            )
          )
        })),
        Effect.catchTag("RequestError", (e) => Effect.fail(transportErrorFrom(e.cause, req.url))),
        Effect.catchTag("ResponseError", (e) => Effect.fail(transportErrorFrom(e.cause, req.url)))
      )
  }
}

export interface NodeStreamingOptions {
  /** Your agents (a proxy, an extra CA): the same ones the client's transport uses. */
  readonly httpAgent?: http.Agent | undefined
  readonly httpsAgent?: https.Agent | undefined
}

/** Over bare `node:http(s)` (what `WechatPay.layerNode` uses): rare, long requests, on the default agents unless given. */
export const node = (options: NodeStreamingOptions = {}): StreamingTransport => ({
  open: (req) =>
    Effect.acquireRelease(
      Effect.async<{ readonly request: http.ClientRequest; readonly response: http.IncomingMessage }, TransportError>((resume) => {
        let url: URL
        try {
          url = new URL(req.url)
        } catch {
          resume(Effect.fail(new TransportError({ reason: "Unknown", message: "the URL is not an absolute http(s) URL", url: "(invalid url)" })))
          return
        }
        const secure = url.protocol === "https:"
        const request = (secure ? https.request : http.request)(url, {
          method: req.method,
          headers: req.headers,
          ...(secure ? (options.httpsAgent ? { agent: options.httpsAgent } : {}) : options.httpAgent ? { agent: options.httpAgent } : {})
        })
        request.once("response", (response) => resume(Effect.succeed({ request, response })))
        request.once("error", (e) => resume(Effect.fail(transportErrorFrom(e, req.url))))
        request.end()
        return Effect.sync(() => request.destroy())
      }),
      ({ request }) => Effect.sync(() => request.destroy())
    ).pipe(
      Effect.map(({ response }): StreamingHttp => {
        const headers = headersFromRaw(response.rawHeaders)
        return {
          status: response.statusCode ?? 0,
          headers,
          body: Stream.fromAsyncIterable(
            response as AsyncIterable<Buffer>,
            (e) => new TransportError({ reason: "Body", message: `the download was cut short (${errorCode(e) ?? "cut short"})`, url: safeOrigin(req.url) })
          ).pipe(Stream.map((b): Uint8Array => b))
        }
      })
    )
})

// ---- the signed download ----

export interface DownloaderSettings {
  readonly baseUrl: string
  readonly userAgent: string
  /** Until the answer's status and headers arrive. */
  readonly timeoutMillis: number
}

/** WeChat Pay's own API hosts: a `download_url` there goes to the configured base URL (a proxy, a sandbox). */
const WECHATPAY_ORIGINS = new Set([DEFAULT_BASE_URL, DEFAULT_BACKUP_BASE_URL])

/** Where a download goes, and the path and query that are signed: a path (a generated download's, built and encoded by the pipeline) goes to the base URL as it is. */
const target = (url: string, settings: DownloaderSettings): { readonly origin: string; readonly pathAndQuery: string } | undefined => {
  if (url.startsWith("/")) return { origin: settings.baseUrl, pathAndQuery: url }
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return undefined
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return undefined
  const pathAndQuery = u.pathname + u.search
  return { origin: WECHATPAY_ORIGINS.has(u.origin) ? settings.baseUrl : u.origin, pathAndQuery }
}

const capped = (maxBytes: number, status: number) =>
  capBytes(maxBytes, () => new UnexpectedResponse({ status, message: `the download exceeds its ${maxBytes}-byte limit` }))

const utf8 = new TextDecoder("utf-8")

export const make = (signer: SignerService, streaming: StreamingTransport, settings: DownloaderSettings): Downloader => {
  const interpretError = errorInterpreter<CommonError>(commonErrors)
  return {
    get: (url, options) =>
      Stream.unwrapScoped(
        Effect.gen(function*() {
          const to = target(url, settings)
          if (to === undefined) {
            return yield* new UnexpectedResponse({ status: 0, message: "the download URL is not an absolute http(s) URL" })
          }
          const timestamp = Math.floor((yield* Clock.currentTimeMillis) / 1000)
          const nonce = (yield* Nonce).next()
          const signature = yield* signer.sign(requestMessage({ method: "GET", url: to.pathAndQuery, timestamp, nonce, body: "" }))
          const headers = {
            accept: "*/*",
            "user-agent": settings.userAgent,
            authorization: authorizationHeader({ mchid: signer.mchid, serialNo: signer.serialNo, nonce, timestamp, signature })
          }
          const answer = yield* streaming.open({ method: "GET", url: to.origin + to.pathAndQuery, headers, body: undefined }).pipe(
            Effect.timeoutFail({
              duration: settings.timeoutMillis,
              onTimeout: () => new TransportError({ reason: "Timeout", message: `no answer within ${settings.timeoutMillis} ms`, url: to.origin })
            })
          )
          const requestId = answer.headers["request-id"]
          if (answer.status !== 200) {
            const chunks = yield* answer.body.pipe(Stream.take(64), Stream.runCollect, Effect.orElseSucceed(() => Chunk.empty<Uint8Array>()))
            const bytes = Buffer.concat(Chunk.toArray(chunks)).subarray(0, ERROR_BODY_BYTES)
            return yield* interpretError({ status: answer.status, body: utf8.decode(bytes), requestId })
          }
          const declared = Number(answer.headers["content-length"])
          if (Number.isFinite(declared) && declared > options.maxBytes) {
            return yield* new UnexpectedResponse({
              status: answer.status,
              message: `the download declares ${declared} bytes, over its ${options.maxBytes}-byte limit`,
              ...(requestId !== undefined ? { requestId } : {})
            })
          }
          return capped(options.maxBytes, answer.status)(answer.body)
        })
      )
  }
}
