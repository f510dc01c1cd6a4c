/**
 * Import cost of effect-wechatpay, in a fresh process (run by `run.ts`):
 *   node importCost.js marginal   → ms to import it after `effect` and `@effect/platform` are loaded
 *   node importCost.js scratch    → ms to import it from nothing
 * Prints one JSON line.
 */
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const entry = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "src", "index.js")).href

const main = async () => {
  const mode = process.argv[2] ?? "scratch"
  if (mode === "marginal") {
    await import("effect")
    await import("@effect/platform")
  }
  const t0 = performance.now()
  await import(entry)
  const ms = performance.now() - t0
  process.stdout.write(JSON.stringify({ mode, ms }) + "\n")
}
main()
