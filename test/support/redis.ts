/** The suite's Redis (see test/globalSetup.ts): its URL, or a skip that says why. */
import { Redis } from "ioredis"
import { inject } from "vitest"

export const redisUrl: string = inject("redisUrl")

/** For `describe.skipIf`: true (and a note on the console) when the suite has no Redis. */
export const noRedis = (what: string): boolean => {
  if (redisUrl !== "") return false
  console.warn(`[redis] SKIPPED ${what}: redis-server is not installed`)
  return true
}

/** A client on the suite's Redis, on its own logical database so test files do not meet. */
export const redisClient = (db: number): Redis => new Redis(redisUrl, { db, lazyConnect: false, maxRetriesPerRequest: 2 })
