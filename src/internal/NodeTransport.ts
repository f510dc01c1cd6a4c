/**
 * The default Node transport: one keep-alive `node:http` / `node:https` agent per transport, a
 * bare request inside `Effect.async`, the body collected under a cap. No web `Request`/`Response`
 * objects, no streams machinery: per call it costs little more than the request itself.
 *
 * `WechatPay.layerNode(options)` builds the client on it (agents closed with the layer).
 *
 * It also enforces the per-attempt timeout itself (one shared timer for all requests, not a timer
 * or a raced fiber per request), which the client uses when it sees `enforcesTimeout`.
 */
import * as http from "node:http"
import * as https from "node:https"
import { Effect } from "effect"
import type { NodeTransportOptions } from "../core/transportOptions.js"
import { TransportError, UnexpectedResponse } from "../errors/errors.js"
import * as Deadlines from "./Deadlines.js"
import { errorCode, headersFromRaw, type IncomingHttp, type InFlight, type OutgoingHttp, type TimedTransport, transportErrorFrom, type TransportTimeout } from "./Transport.js"


export interface NodeTransport extends TimedTransport {
  /** Closes the sockets of the agents this transport created (not the ones given to it). */
  readonly destroy: () => void
}

interface Target {
  readonly request: typeof http.request
  readonly agent: http.Agent
  readonly hostname: string
  readonly port: number
  readonly origin: string
}

/** Codes of a kept-alive socket that the server closed while it sat idle. */
const STALE = new Set(["ECONNRESET", "EPIPE"])

export const make = (options: NodeTransportOptions = {}): NodeTransport => {
  const agentOptions = {
    keepAlive: true,
    keepAliveMsecs: options.keepAliveMsecs ?? 1000,
    maxSockets: options.maxSockets ?? 64,
    maxFreeSockets: options.maxFreeSockets ?? 16,
    scheduling: "lifo" as const
  }
  let ownHttp: http.Agent | undefined
  let ownHttps: https.Agent | undefined
  const httpAgent = () => options.httpAgent ?? (ownHttp ??= new http.Agent(agentOptions))
  const httpsAgent = () => options.httpsAgent ?? (ownHttps ??= new https.Agent(agentOptions))

  const deadlines = Deadlines.make()

  // base URLs are few: parse each origin once
  const targets = new Map<string, Target | undefined>()
  const targetOf = (origin: string): Target | undefined => {
    if (targets.has(origin)) return targets.get(origin)
    let target: Target | undefined
    try {
      const u = new URL(origin)
      const secure = u.protocol === "https:"
      if (secure || u.protocol === "http:") {
        target = {
          request: secure ? https.request : http.request,
          agent: secure ? httpsAgent() : httpAgent(),
          hostname: u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname,
          port: u.port === "" ? (secure ? 443 : 80) : Number(u.port),
          origin: u.origin
        }
      }
    } catch {
      target = undefined
    }
    targets.set(origin, target)
    return target
  }

  const send = (req: OutgoingHttp, maxBodyBytes: number, timeout?: TransportTimeout, inFlight?: InFlight) =>
    Effect.async<IncomingHttp, TransportError | UnexpectedResponse>((resume) => {
      const schemeEnd = req.url.indexOf("://")
      const pathStart = schemeEnd < 0 ? -1 : req.url.indexOf("/", schemeEnd + 3)
      const origin = pathStart < 0 ? req.url : req.url.slice(0, pathStart)
      const target = schemeEnd < 0 ? undefined : targetOf(origin)
      if (target === undefined) {
        resume(Effect.fail(new TransportError({ reason: "Unknown", message: "the URL is not an absolute http(s) URL", url: "(invalid url)" })))
        return
      }
      const path = pathStart < 0 ? "/" : req.url.slice(pathStart)
      let done = false
      let current: http.ClientRequest | undefined
      let cancelDeadline: (() => void) | undefined
      const finish = (result: Effect.Effect<IncomingHttp, TransportError | UnexpectedResponse>) => {
        if (done) return
        done = true
        cancelDeadline?.()
        // never abort later: the socket may already carry another request
        if (inFlight !== undefined) inFlight.abort = undefined
        resume(result)
      }
      const fail = (e: TransportError | UnexpectedResponse) => {
        finish(Effect.fail(e))
        current?.destroy()
      }

      const start = (mayRetryStale: boolean) => {
        let answered = false
        const r = target.request({
          agent: target.agent,
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path,
          headers: req.headers
        })
        current = r
        r.on("response", (res) => {
          answered = true
          const status = res.statusCode ?? 0
          // from the raw list (`res.headers` is never built)
          const headers = headersFromRaw(res.rawHeaders)
          const declared = Number(headers["content-length"])
          if (declared > maxBodyBytes) {
            return fail(new UnexpectedResponse({ status, message: `the body declares ${declared} bytes, over the ${maxBodyBytes}-byte limit` }))
          }
          const chunks: Array<Buffer> = []
          let size = 0
          res.on("data", (chunk: Buffer) => {
            size += chunk.length
            if (size > maxBodyBytes) return fail(new UnexpectedResponse({ status, message: `the body exceeds the ${maxBodyBytes}-byte limit` }))
            chunks.push(chunk)
          })
          res.on("end", () => {
            if (done) return
            const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
            finish(Effect.succeed({ status, headers, body }))
          })
          const cutShort = (e?: unknown) =>
            fail(
              new TransportError({
                reason: "Body",
                message: `the answer's body could not be read in full (${errorCode(e) ?? "cut short"})`,
                url: target.origin
              })
            )
          res.on("error", cutShort)
          res.on("close", () => {
            if (!res.complete) cutShort()
          })
        })
        r.on("error", (e) => {
          if (done) return
          // a kept-alive socket the server had already closed: once more on a fresh one
          if (mayRetryStale && !answered && r.reusedSocket && STALE.has(errorCode(e) ?? "")) return start(false)
          finish(Effect.fail(transportErrorFrom(e, req.url)))
        })
        r.end(req.body)
      }

      if (timeout !== undefined) {
        cancelDeadline = deadlines.add(timeout.millis, () => fail(timeout.onTimeout()))
      }
      const abort = () => {
        if (done) return
        done = true
        cancelDeadline?.()
        current?.destroy()
      }
      start(true)
      if (inFlight !== undefined) {
        inFlight.abort = abort
        return
      }
      return Effect.sync(abort)
    })

  return {
    enforcesTimeout: true,
    send,
    destroy: () => {
      ownHttp?.destroy()
      ownHttps?.destroy()
    }
  }
}
