/**
 * An in-memory `HttpClient` that records and counts what reaches it and answers from a function.
 * For tests that need no sockets: "zero requests sent" and status → error mapping.
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { Effect, Layer } from "effect"

export interface Sent {
  readonly method: string
  /** Path plus `?query`, as the URL object the client built says. */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

export interface Answer {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string | Uint8Array
}

export interface MemoryHttp {
  readonly sent: Array<Sent>
  readonly layer: Layer.Layer<HttpClient.HttpClient>
}

const decoder = new TextDecoder()

export const memoryHttp = (answer: (request: Sent) => Answer = () => ({ status: 404, body: "{\"code\":\"RESOURCE_NOT_EXISTS\",\"message\":\"none\"}" })): MemoryHttp => {
  const sent: Array<Sent> = []
  const client = HttpClient.make((request, url) =>
    Effect.sync(() => {
      const body = request.body._tag === "Uint8Array" ? decoder.decode(request.body.body) : request.body._tag === "Empty" ? undefined : "<non-byte body>"
      const s: Sent = { method: request.method, url: url.pathname + url.search, headers: { ...request.headers }, body }
      sent.push(s)
      const a = answer(s)
      const bodyless = a.status === 204 || a.status === 205 || a.status === 304
      return HttpClientResponse.fromWeb(request, new Response(bodyless ? null : (a.body ?? "") as BodyInit, { status: a.status, headers: { ...a.headers } }))
    })
  )
  return { sent, layer: Layer.succeed(HttpClient.HttpClient, client) }
}
