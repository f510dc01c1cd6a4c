/**
 * The sandbox's socket server is a test tool, but it listens on a socket: request bodies are
 * capped (413 on a declared length, the read cut on a chunked one) and the server's own timeouts
 * are set, so a runaway client cannot fill its memory.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Sandbox from "../../src/sandbox/Sandbox.js"
import { exchange, floodChunked } from "../support/notifyServer.js"

const MiB = 1024 * 1024

describe("Sandbox.make bounds", () => {
  it.scopedLive("a declared body over maxBodyBytes is answered 413 at once; a chunked flood is cut, not read", () =>
    Effect.gen(function*() {
      const server = yield* Sandbox.make({ maxBodyBytes: 1 * MiB })
      const port = Number(new URL(server.url).port)
      const head = (extra: string) => `POST /v3/pay/transactions/jsapi HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n${extra}\r\n`
      const declared = yield* Effect.promise(() =>
        exchange(port, head(`content-length: ${50 * MiB}\r\n`), async (write) => {
          const piece = Buffer.alloc(64 * 1024, 0x20)
          for (let i = 0; i < 800; i++) if (!(await write(piece))) return
        }))
      expect(declared.status).toBe(413)
      expect(declared.wrote).toBeLessThan(40 * MiB)
      const chunked = yield* Effect.promise(() => exchange(port, head("transfer-encoding: chunked\r\n"), floodChunked(200 * MiB)))
      expect(chunked.wrote).toBeLessThan(100 * MiB)
      expect(chunked.millis).toBeLessThan(10_000)
      // and it still answers normally
      const ok = yield* Effect.promise(() => fetch(`${server.url}/__sandbox/payments`))
      expect(ok.status).toBe(200)
    }), 30_000)
})
