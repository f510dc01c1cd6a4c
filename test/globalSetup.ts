/**
 * Starts one `redis-server` for the suite on a loopback port and stops it after. Tests that need it
 * read its URL with `inject("redisUrl")` and are skipped, with a message saying why, when the
 * machine has no `redis-server`; under CI a missing one fails the run instead (CI installs it).
 */
import type { TestProject } from "vitest/node"
import { startRedisServer } from "./support/redisServer.js"

declare module "vitest" {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>`, or "" when no redis-server is installed. */
    readonly redisUrl: string
  }
}

export default async function setup(project: TestProject) {
  const server = await startRedisServer()
  if (server === undefined) {
    if (process.env["CI"]) throw new Error("redis-server is not installed: .ci/run installs it (apt-get install -y redis-server)")
    console.warn("\n[redis] redis-server is not installed: the Redis tests are SKIPPED (apt-get install -y redis-server)\n")
    project.provide("redisUrl", "")
    return
  }
  project.provide("redisUrl", server.url)
  return () => server.stop()
}
