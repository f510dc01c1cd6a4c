/**
 * The Effect 3 surface: every family module (`<module>.ts`), `index.ts` (`v3` with every v3
 * family; `hk`), and the answers' examples (`examples/<module>.ts`, `examples/index.ts`), which
 * only the sandbox loads: a client never carries them. By file name under src/v3.
 */
import { METHODS, type Operation } from "../../model.js"
import { IDENT } from "../../operations.js"
import { HEADER, RESERVED } from "../typescript.js"
import { emitFamily, hasProducts } from "./familyModule.js"
import { COMMON_HELPERS, Family } from "./schemas.js"

/**
 * Over this many generated lines, a family is split by product: brand and the larger families
 * are; pay (3,400 lines, the family most programs import) stays one module.
 */
const SPLIT_LINES = 4000

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
  const withExamples: Array<string> = []
  const codes = new Set<string>()
  for (const name of modules) {
    const ops = byModule.get(name)!.sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : METHODS.indexOf(a.method) - METHODS.indexOf(b.method)))
    const family = ops[0]!.family
    if (!IDENT.test(family) || RESERVED.has(family)) throw new Error(`family ${family} is not a usable identifier`)
    // a family over SPLIT_LINES lines is one module per product (when it has two or more)
    let f = new Family(family)
    let out = emitFamily(f, ops)
    if (out.modules.get(name)!.split("\n").length > SPLIT_LINES && hasProducts(ops)) out = emitFamily((f = new Family(family)), ops, true)
    for (const c of f.codes) codes.add(c)
    for (const [path, text] of out.modules) files.set(`${path}.ts`, text)
    if (out.examples.length > 0) {
      files.set(`examples/${name}.ts`, examplesModule(family, out.examples))
      withExamples.push(name)
    }
  }
  files.set("prelude.ts", prelude(codes))
  const families = modules.filter((m) => byModule.get(m)![0]!.root === "v3")
  files.set("index.ts", v3Index(families))
  files.set("examples/index.ts", examplesIndex(withExamples))
  return { files, families }
}

/**
 * What the generated modules import, re-exported by one module, so that each imports it in one
 * statement: Node's ESM loader spends about 0.1 ms on each import statement of each module.
 */
const prelude = (codes: ReadonlySet<string>): string =>
  [
    HEADER,
    `/** What every generated module imports, in one place (not a public entry: closed in package.json's \`exports\`). */
export { Schema } from "effect"
export * as Endpoint from "../api/Endpoint.js"
export { ${[...codes].sort().join(", ")} } from "../errors/codes.js"
export { commonErrors, type CommonError } from "../errors/errors.js"
export { ${[...COMMON_HELPERS].sort().join(", ")} } from "../schemas/common.js"`
  ].join("\n\n") + "\n"

const examplesModule = (family: string, examples: ReadonlyArray<readonly [string, string]>): string =>
  [
    HEADER,
    `/** The documented answers of ${family}'s endpoints, by endpoint name: what the sandbox answers for an endpoint it has no business rules for. */
export const examples: Readonly<Record<string, unknown>> = {
${examples.map(([name, text]) => `  ${JSON.stringify(name)}: ${text}`).join(",\n")}
}`
  ].join("\n\n") + "\n"

const examplesIndex = (modules: ReadonlyArray<string>): string =>
  [
    HEADER,
    modules.map((m, i) => `import { examples as e${i} } from "./${m}.js"`).join("\n"),
    `/** Every generated endpoint's documented answer, by endpoint name (\`v3.pay.transactions.jsapi.post\`). */
export const examples: Readonly<Record<string, unknown>> = {
${modules.map((_, i) => `  ...e${i}`).join(",\n")}
}`
  ].join("\n\n") + "\n"

const v3Index = (families: ReadonlyArray<string>): string =>
  [
    HEADER,
    families.map((f) => `import { ${f} } from "./${f}.js"`).join("\n"),
    families.map((f) => `export { ${f} } from "./${f}.js"`).join("\n"),
    `/** The WeChat Pay API v3 (api.mch.weixin.qq.com), one key per URL segment: \`v3.discountCard.cards._out_card_code_.addUserRecords.post\`. */\nexport const v3 = {\n${families.map((f) => `  ${f}`).join(",\n")}\n} as const`,
    // the other hosts' roots: `hk` here; `global` (customs) from "./globalHost.js", as `global` is a v3 family's name
    `/** The Hong Kong wallet's \`/hk/v3/…\` endpoints (api.mch, backed up by apihk.mch): \`hk.v3.transactions.jsapi.post\`. */\nexport { hk } from "./hk.js"`
  ].join("\n\n") + "\n"
