/**
 * The smallest thing the pipeline needs from HTTP: send bytes, get status, headers and the body
 * bytes (capped) back, or a `TransportError` saying why there was no answer. The default is built
 * on `@effect/platform`'s `HttpClient`, so any of its layers (fetch, undici, node:http, the
 * sandbox in memory) plugs in.
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Chunk, Effect, Option, Stream } from "effect"
import { TransportError, UnexpectedResponse } from "../errors/errors.js"

export interface OutgoingHttp {
  readonly method: string
  /** Absolute URL: base URL + the signed path and query. */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** Text (JSON) or bytes (an upload's form). */
  readonly body: string | Uint8Array | undefined
}

export interface IncomingHttp {
  readonly status: number
  /** Lower-case names. A repeated header has its values joined with ", " (fetch, undici and `NodeTransport` alike). */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

export interface Transport {
  readonly send: (request: OutgoingHttp, maxBodyBytes: number) => Effect.Effect<IncomingHttp, TransportError | UnexpectedResponse>
}

/** A per-attempt time limit a transport enforces itself, and the error to fail with when it passes. */
export interface TransportTimeout {
  readonly millis: number
  readonly onTimeout: () => TransportError
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

export const isTimed = (t: Transport): t is TimedTransport => (t as { readonly enforcesTimeout?: unknown }).enforcesTimeout === true

const CONNECT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "ETIMEDOUT",
  "ECONNRESET",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED"
])

/** Finds the system error code anywhere in a cause chain (fetch and undici nest them). */
export const errorCode = (e: unknown, depth = 0): string | undefined => {
  if (e === null || typeof e !== "object" || depth > 5) return undefined
  const code = (e as { code?: unknown }).code
  if (typeof code === "string") return code
  return errorCode((e as { cause?: unknown }).cause, depth + 1)
}

/** Maps a low-level failure to a `TransportError`. `Connect` and `Reset` are the ones that fail over. */
export const transportErrorFrom = (e: unknown, url: string): TransportError => {
  const code = errorCode(e)
  const reason = code === undefined
    ? "Unknown"
    : code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET" || code === "UND_ERR_CLOSED"
    ? "Reset"
    : CONNECT_CODES.has(code)
    ? "Connect"
    : "Unknown"
  const origin = safeOrigin(url)
  return new TransportError({
    reason,
    message: code ? `no answer from ${origin}: ${code}` : `no answer from ${origin}`,
    url: origin
  })
}

const safeOrigin = (url: string): string => {
  try {
    return new URL(url).origin
  } catch {
    return "(invalid url)"
  }
}

const concat = (chunks: Chunk.Chunk<Uint8Array>, size: number): Uint8Array => {
  if (Chunk.size(chunks) === 1) return Chunk.unsafeHead(chunks)
  const out = new Uint8Array(size)
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.length
  }
  return out
}

/** A transport over an `@effect/platform` `HttpClient` (trace headers are never sent to WeChat Pay). */
export const fromHttpClient = (client: HttpClient.HttpClient): Transport => {
  const http = HttpClient.withTracerPropagation(client, false)
  return {
    send: (req, maxBodyBytes) => {
      let request = HttpClientRequest.make(req.method as "POST")(req.url, { headers: req.headers })
      if (typeof req.body === "string") request = HttpClientRequest.bodyText(request, req.body, req.headers["content-type"] ?? "application/json")
      else if (req.body !== undefined) request = HttpClientRequest.bodyUint8Array(request, req.body, req.headers["content-type"] ?? "application/octet-stream")
      return Effect.scoped(
        Effect.gen(function*() {
          const response = yield* http.execute(request)
          const declared = Number(response.headers["content-length"])
          if (Number.isFinite(declared) && declared > maxBodyBytes) {
            return yield* new UnexpectedResponse({
              status: response.status,
              message: `the body declares ${declared} bytes, over the ${maxBodyBytes}-byte limit`
            })
          }
          let size = 0
          const chunks = yield* response.stream.pipe(
            // fetch gives a 204 (or any empty answer) a null body, which the platform reports as EmptyBody: it is just empty
            Stream.catchSome((e) => (e.reason === "EmptyBody" ? Option.some(Stream.empty) : Option.none())),
            Stream.tap((chunk) => {
              size += chunk.length
              return size > maxBodyBytes
                ? Effect.fail(new UnexpectedResponse({ status: response.status, message: `the body exceeds the ${maxBodyBytes}-byte limit` }))
                : Effect.void
            }),
            Stream.runCollect
          )
          return { status: response.status, headers: response.headers as Record<string, string>, body: concat(chunks, size) }
        })
      ).pipe(
        Effect.catchTag("RequestError", (e) => Effect.fail(transportErrorFrom(e.cause, req.url))),
        Effect.catchTag("ResponseError", (e) =>
          Effect.fail(
            new TransportError({ reason: "Body", message: `the answer's body could not be read in full (${errorCode(e.cause) ?? "cut short"})`, url: safeOrigin(req.url) })
          ))
      )
    }
  }
}
