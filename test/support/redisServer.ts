/**
 * A throwaway `redis-server` (Debian's package) on a free loopback port, without persistence:
 * started by the vitest global setup and by `npm run soak:fleet`, stopped after.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as net from "node:net"

export interface RedisServer {
  readonly port: number
  readonly url: string
  readonly stop: () => Promise<void>
}

/** The `redis-server` binary, or `undefined` when it is not installed. */
export const redisServerBinary = (): string | undefined => {
  try {
    return execFileSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).trim() || undefined
  } catch {
    return undefined
  }
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })

const ready = (child: ChildProcess) =>
  new Promise<void>((resolve, reject) => {
    let log = ""
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 10 s:\n${log}`)), 10_000)
    child.stdout!.on("data", (chunk: Buffer) => {
      log += chunk.toString()
      if (log.includes("Ready to accept connections")) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited with ${code}:\n${log}`))
    })
  })

/** Starts one; `undefined` when `redis-server` is not installed. */
export const startRedisServer = async (): Promise<RedisServer | undefined> => {
  const binary = redisServerBinary()
  if (binary === undefined) return undefined
  for (let tries = 0; ; tries++) {
    const port = await freePort()
    const child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--loglevel", "notice"], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    try {
      await ready(child)
    } catch (e) {
      child.kill("SIGKILL")
      if (tries < 3) continue // the port was taken between probing and binding
      throw e
    }
    child.stdout!.resume()
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve()
          child.once("exit", () => resolve())
          child.kill("SIGTERM")
        })
    }
  }
}
