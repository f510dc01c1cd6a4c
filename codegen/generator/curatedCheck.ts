/** Each curated leaf (codegen/curated.ts) is an endpoint of src/api/ with its operation's method and path. */
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import type { Operation } from "./model.js"

export const checkCuratedDeclarations = async (repoRoot: string, operations: ReadonlyArray<Operation>): Promise<void> => {
  for (const op of operations) {
    const c = op.curated
    if (c === undefined) continue
    const mod = (await import(pathToFileURL(path.join(repoRoot, "src", "api", `${c.module}.ts`)).href)) as Record<string, unknown>
    const ep: unknown = mod[c.export]
    const spec = typeof ep === "function" ? (ep as { spec?: { method?: unknown; path?: unknown } }).spec : undefined
    if (spec === undefined) throw new Error(`codegen/curated.ts: ${op.key}: ${c.module}.${c.export} is not an endpoint`)
    if (spec.method !== op.method.toUpperCase() || spec.path !== op.url) {
      throw new Error(`codegen/curated.ts: ${op.key}: ${c.module}.${c.export} is ${String(spec.method)} ${String(spec.path)}`)
    }
  }
}
