/**
 * Reads a request body from a stranger: at most `maxBytes`, within `timeout`. Too large or too
 * slow ends the read without consuming the rest, so the caller can answer 413/408 and close the
 * connection instead of draining what an attacker sends.
 */
import type { HttpServerRequest } from "@effect/platform"
import { Chunk, type Duration, Effect, Option, Stream } from "effect"
import type { Readable } from "node:stream"

export type BodyRead =
  | { readonly _tag: "Body"; readonly text: string }
  | { readonly _tag: "TooLarge" }
  | { readonly _tag: "TooSlow" }
  /** The client went away or sent a malformed body. */
  | { readonly _tag: "Failed" }

export interface BodyLimits {
  readonly maxBytes: number
  readonly timeout: Duration.DurationInput
}

const TOO_LARGE: BodyRead = { _tag: "TooLarge" }
const TOO_SLOW: BodyRead = { _tag: "TooSlow" }
const FAILED: BodyRead = { _tag: "Failed" }

/** The declared length says too large before a byte is read. */
export const declaresTooMuch = (headers: Readonly<Record<string, string | undefined>>, maxBytes: number): boolean => {
  const declared = headers["content-length"]
  return declared !== undefined && /^\d+$/.test(declared) && Number(declared) > maxBytes
}

const isNodeReadable = (source: unknown): source is Readable & { readonly complete?: boolean } =>
  source !== null && typeof source === "object" && typeof (source as Readable).on === "function" &&
  typeof (source as Readable).pause === "function" && "socket" in source

/**
 * Node's request directly: the platform's `stream` destroys the request when a reader stops early,
 * which resets the socket before any answer is written. Here the listeners go and the request is
 * paused; the server closes the connection after the answer.
 */
const readNode = (source: Readable, maxBytes: number) =>
  Effect.async<BodyRead>((resume) => {
    // Already read by someone else: nothing will arrive.
    if (source.readableEnded) return resume(Effect.succeed(FAILED))
    const chunks: Array<Buffer> = []
    let bytes = 0
    const stop = () => {
      source.off("data", onData)
      source.off("end", onEnd)
      source.off("error", onError)
      source.off("aborted", onError)
    }
    const onData = (chunk: Buffer) => {
      bytes += chunk.length
      if (bytes > maxBytes) {
        stop()
        source.pause()
        return resume(Effect.succeed(TOO_LARGE))
      }
      chunks.push(chunk)
    }
    const onEnd = () => {
      stop()
      resume(Effect.succeed({ _tag: "Body", text: Buffer.concat(chunks, bytes).toString("utf8") }))
    }
    const onError = () => {
      stop()
      resume(Effect.succeed(FAILED))
    }
    source.on("data", onData)
    source.once("end", onEnd)
    source.once("error", onError)
    source.once("aborted", onError)
    return Effect.sync(() => {
      stop()
      source.pause()
    })
  })

/** Any other platform (a web `Request`): its stream, counted; stopping it cancels the reader. */
const readStream = (request: HttpServerRequest.HttpServerRequest, maxBytes: number) =>
  request.stream.pipe(
    Stream.runFoldWhile(
      { bytes: 0, chunks: Chunk.empty<Uint8Array>() },
      (acc) => acc.bytes <= maxBytes,
      (acc, chunk) => ({ bytes: acc.bytes + chunk.length, chunks: Chunk.append(acc.chunks, chunk) })
    ),
    Effect.map(({ bytes, chunks }): BodyRead =>
      bytes > maxBytes ? TOO_LARGE : { _tag: "Body", text: Buffer.concat(Chunk.toReadonlyArray(chunks)).toString("utf8") }
    ),
    Effect.orElseSucceed(() => FAILED)
  )

export const readBoundedBody = (request: HttpServerRequest.HttpServerRequest, limits: BodyLimits): Effect.Effect<BodyRead> =>
  (isNodeReadable(request.source) ? readNode(request.source, limits.maxBytes) : readStream(request, limits.maxBytes)).pipe(
    // The server may run the handler uninterruptibly; the deadline must still stop the read.
    Effect.interruptible,
    Effect.timeoutOption(limits.timeout),
    Effect.map(Option.getOrElse(() => TOO_SLOW))
  )

interface NodeResponse {
  readonly once: (event: "finish", listener: () => void) => unknown
  readonly socket: { readonly destroy: () => void } | null
}

const nodeResponseOf = (request: HttpServerRequest.HttpServerRequest): NodeResponse | undefined => {
  const response = (request as { readonly resolvedResponse?: unknown }).resolvedResponse
  return response !== null && typeof response === "object" && typeof (response as NodeResponse).once === "function" && "socket" in response
    ? response as NodeResponse
    : undefined
}

/**
 * After a refusal's answer is handed to the OS, drop the connection at once. Node would resume
 * the request to drain it while the socket ends, reading what an attacker keeps sending.
 */
export const dropAfterAnswer = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<void> =>
  Effect.sync(() => {
    const response = nodeResponseOf(request)
    // Node detaches the socket from the response before our listener runs: hold it now.
    const socket = response?.socket
    if (response !== undefined && socket != null) response.once("finish", () => socket.destroy())
  })
