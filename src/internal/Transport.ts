/**
 * The smallest thing the pipeline needs from HTTP: send bytes, get status, headers and the body
 * bytes (capped) back, or a `TransportError` saying why there was no answer. The default is built
 * on `@effect/platform`'s `HttpClient`, so any of its layers (fetch, undici, node:http, the
 * sandbox in memory) plugs in.
 */
import { HttpClient, type HttpClientError, HttpClientRequest, type HttpClientResponse } from "@effect/platform"
import { Chunk, Clock, Context, DefaultServices, Effect, Exit, Option, Stream } from "effect"
import { TransportError, UnexpectedResponse } from "../errors/errors.js"
import * as Deadlines from "./Deadlines.js"
import { isTraced } from "./tracing.js"

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
/**
 * Node's raw header list as the pipeline reads headers: names lower-cased, a repeated header's
 * values joined with ", " as fetch and undici do (so a doubled Wechatpay-* header never verifies).
 */
export const headersFromRaw = (raw: ReadonlyArray<string>): Record<string, string> => {
  const headers: Record<string, string> = Object.create(null)
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase()
    const prior = headers[name]
    headers[name] = prior === undefined ? raw[i + 1]! : `${prior}, ${raw[i + 1]!}`
  }
  return headers
}

/**
 * A stream that fails with `onExceed` once more than `maxBytes` have gone through (counted per
 * run of the stream).
 */
export const capBytes = <X>(maxBytes: number, onExceed: () => X) => <E>(body: Stream.Stream<Uint8Array, E>): Stream.Stream<Uint8Array, E | X> =>
  Stream.suspend(() => {
    let size = 0
    return Stream.mapEffect(body, (chunk) => {
      size += chunk.length
      return size > maxBytes ? Effect.fail(onExceed()) : Effect.succeed(chunk)
    })
  })

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

/** A URL's origin for errors and logs (never its path or query, which may carry ids). */
export const safeOrigin = (url: string): string => {
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

const DIGITS = /^\d+$/

/**
 * The body under the cap. Read whole by `arrayBuffer` when the HTTP framing already bounds it:
 * a declared `Content-Length` within the cap, no `Transfer-Encoding` (with both, the parser
 * follows the chunks), no `Content-Encoding` (fetch inflates it past the declared length), or a
 * 204. Anything else is counted chunk by chunk as it arrives. A lying length cannot pass: the
 * parser reads no more than it declares, and fails a body that ends short.
 */
const readBody = (response: HttpClientResponse.HttpClientResponse, maxBodyBytes: number): Effect.Effect<IncomingHttp, UnexpectedResponse | HttpClientError.ResponseError> => {
  const status = response.status
  // read once: undici's response builds a new headers object on every read
  const headers = response.headers as Record<string, string>
  const length = headers["content-length"]
  const declared = Number(length)
  if (length !== undefined && Number.isFinite(declared) && declared > maxBodyBytes) {
    return Effect.fail(new UnexpectedResponse({ status, message: `the body declares ${declared} bytes, over the ${maxBodyBytes}-byte limit` }))
  }
  const encoding = headers["content-encoding"]
  const framed = status === 204 ||
    (length !== undefined && DIGITS.test(length) && headers["transfer-encoding"] === undefined && (encoding === undefined || encoding === "identity"))
  if (framed) return Effect.map(response.arrayBuffer, (buffer) => ({ status, headers, body: new Uint8Array(buffer) }))
  let size = 0
  return response.stream.pipe(
    // fetch gives an empty answer a null body, which the platform reports as EmptyBody: it is just empty
    Stream.catchSome((e) => (e.reason === "EmptyBody" ? Option.some(Stream.empty) : Option.none())),
    Stream.tap((chunk) => {
      size += chunk.length
      return size > maxBodyBytes
        ? Effect.fail(new UnexpectedResponse({ status, message: `the body exceeds the ${maxBodyBytes}-byte limit` }))
        : Effect.void
    }),
    Stream.runCollect,
    Effect.map((chunks) => ({ status, headers, body: concat(chunks, size) }))
  )
}

/** Effect's built-in clock: under it the per-attempt timeout runs on one shared timer; under another (a `TestClock`), on that clock. */
const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

/**
 * A transport over an `@effect/platform` `HttpClient`. Trace headers are never sent to WeChat
 * Pay, and the platform's own span is made only when a tracer other than Effect's built-in one is
 * installed (as for the client's own span).
 *
 * It enforces the per-attempt timeout itself: the exchange runs in a child fiber that one shared
 * timer (`Deadlines`) interrupts, which costs a fraction of `Effect.timeoutFail`'s two raced
 * fibers and a timer per request. Interrupting the fiber aborts the request on any `HttpClient`,
 * also one that ignores its abort signal.
 */
export const fromHttpClient = (client: HttpClient.HttpClient): TimedTransport => {
  const traced = HttpClient.withTracerPropagation(client, false)
  const untraced = HttpClient.withTracerDisabledWhen(client, () => true)
  const deadlines = Deadlines.make()

  const exchange = (http: HttpClient.HttpClient, req: OutgoingHttp, maxBodyBytes: number): Effect.Effect<IncomingHttp, TransportError | UnexpectedResponse> => {
    let request = HttpClientRequest.make(req.method as "POST")(req.url, { headers: req.headers })
    if (typeof req.body === "string") request = HttpClientRequest.bodyText(request, req.body, req.headers["content-type"] ?? "application/json")
    else if (req.body !== undefined) request = HttpClientRequest.bodyUint8Array(request, req.body, req.headers["content-type"] ?? "application/octet-stream")
    return Effect.flatMap(http.execute(request), (response) => readBody(response, maxBodyBytes)).pipe(
      Effect.catchTags({
        RequestError: (e) => Effect.fail(transportErrorFrom(e.cause, req.url)),
        ResponseError: (e) =>
          Effect.fail(
            new TransportError({ reason: "Body", message: `the answer's body could not be read in full (${errorCode(e.cause) ?? "cut short"})`, url: safeOrigin(req.url) })
          )
      })
    )
  }

  const send = (req: OutgoingHttp, maxBodyBytes: number, timeout?: TransportTimeout, inFlight?: InFlight) =>
    Effect.withFiberRuntime<IncomingHttp, TransportError | UnexpectedResponse>((fiber) => {
      const once = exchange(isTraced(fiber) ? traced : untraced, req, maxBodyBytes)
      if (timeout === undefined) return once
      if (Context.get(fiber.currentDefaultServices, Clock.Clock) !== liveClock) {
        return Effect.timeoutFail(once, { duration: timeout.millis, onTimeout: timeout.onTimeout })
      }
      // a supervised child (interrupted with its parent too, when nothing aborts it sooner) that
      // answers its exit rather than failing: a failed child fiber would be logged as unhandled
      return Effect.flatMap(Effect.fork(Effect.exit(once)), (child) =>
        Effect.async<IncomingHttp, TransportError | UnexpectedResponse>((resume) => {
          let done = false
          const stop = () => child.unsafeInterruptAsFork(fiber.id())
          const cancelDeadline = deadlines.add(timeout.millis, () => {
            if (done) return
            done = true
            if (inFlight !== undefined) inFlight.abort = undefined
            stop()
            resume(Effect.fail(timeout.onTimeout()))
          })
          if (inFlight !== undefined) {
            inFlight.abort = () => {
              done = true
              cancelDeadline()
              stop()
            }
          }
          child.addObserver((exit) => {
            if (done) return
            done = true
            cancelDeadline()
            if (inFlight !== undefined) inFlight.abort = undefined
            resume(Exit.flatten(exit))
          })
        }))
    })

  return { enforcesTimeout: true, send }
}
