/**
 * The Effect 3 surface: every family module (`<module>.ts`) and `index.ts` (`v3` with every v3
 * family; `hk`), by file name under src/v3.
 */
import { METHODS, type Operation } from "../../model.js"
import { IDENT } from "../../operations.js"
import { HEADER, RESERVED } from "../typescript.js"
import { emitFamily } from "./familyModule.js"
import { Family } from "./schemas.js"

/** The files, and the v3 families' names (for the summary). */
export const emitModules = (operations: ReadonlyArray<Operation>) => {
  const byModule = new Map<string, Array<Operation>>()
  for (const op of operations) {
    const list = byModule.get(op.module) ?? []
    list.push(op)
    byModule.set(op.module, list)
  }
  const files = new Map<string, string>()
  const modules = [...byModule.keys()].sort()
  for (const name of modules) {
    const ops = byModule.get(name)!.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : METHODS.indexOf(a.method) - METHODS.indexOf(b.method)))
    const family = ops[0]!.family
    if (!IDENT.test(family) || RESERVED.has(family)) throw new Error(`family ${family} is not a usable identifier`)
    files.set(`${name}.ts`, emitFamily(new Family(family), ops))
  }
  const families = modules.filter((m) => byModule.get(m)![0]!.root === "v3")
  files.set("index.ts", v3Index(families))
  return { files, families }
}

const v3Index = (families: ReadonlyArray<string>): string =>
  [
    HEADER,
    families.map((f) => `import { ${f} } from "./${f}.js"`).join("\n"),
    families.map((f) => `export { ${f} } from "./${f}.js"`).join("\n"),
    `/** The WeChat Pay API v3 (api.mch.weixin.qq.com), one key per URL segment: \`v3.discountCard.cards._out_card_code_.addUserRecords.post\`. */\nexport const v3 = {\n${families.map((f) => `  ${f}`).join(",\n")}\n} as const`,
    // the other hosts' roots: `hk` here; `global` (customs) from "./globalHost.js", as `global` is a v3 family's name
    `/** The Hong Kong wallet's \`/hk/v3/…\` endpoints (api.mch, backed up by apihk.mch): \`hk.v3.transactions.jsapi.post\`. */\nexport { hk } from "./hk.js"`
  ].join("\n\n") + "\n"
