/**
 * Models once (codegen/generator/emit/effect3/schemas.ts): in a family module, structurally
 * identical objects are one exported interface and one lazily built schema, which every endpoint
 * that holds them shares; a shared one is named after what it is, not after its first endpoint.
 */
import { describe, expect, it } from "@effect/vitest"
import { Schema, SchemaAST } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { pay } from "../../src/v3/pay.js"

const v3 = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/v3")

/** Each family's modules: `pay.ts`, or a split family's `marketing.ts` with `marketing/*.ts`. */
const families = (): Map<string, Array<string>> => {
  const out = new Map<string, Array<string>>()
  for (const e of fs.readdirSync(v3, { withFileTypes: true })) {
    if (!e.isFile() || !e.name.endsWith(".ts") || e.name === "index.ts" || e.name === "prelude.ts") continue
    const family = e.name.replace(/\.ts$/, "")
    const dir = path.join(v3, family)
    const products = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => path.join(dir, f)) : []
    out.set(family, [path.join(v3, e.name), ...products])
  }
  return out
}

/** Each interface's members without their docs, in a fixed order: what "the same type" means here. */
const interfaceBodies = (text: string): Array<{ readonly name: string; readonly body: string }> =>
  [...text.matchAll(/^export interface (\w+)(?: extends [^{]*)? \{\n(.*?)^\}/gms)].map((m) => ({
    name: m[1]!,
    body: m[2]!.replace(/\/\*\*.*?\*\//gs, "").split("\n").map((l) => l.trim()).filter((l) => l !== "").sort().join("\n")
  }))

describe("generated models", () => {
  it("no family declares one type body twice, in any of its modules", () => {
    const all = families()
    expect(all.size).toBeGreaterThan(50)
    expect([...all.values()].some((modules) => modules.length > 5)).toBe(true)
    for (const [family, modules] of all) {
      const seen = new Map<string, string>()
      for (const file of modules) {
        for (const { name, body } of interfaceBodies(fs.readFileSync(file, "utf8"))) {
          if (body === "") continue
          expect([family, name, seen.get(body)]).toEqual([family, name, undefined])
          seen.set(body, name)
        }
      }
    }
  })

  it("a split family's modules are each about 5,000 lines at most; the family module holds the tree", () => {
    for (const [family, modules] of families()) {
      for (const file of modules) expect([path.relative(v3, file), fs.readFileSync(file, "utf8").split("\n").length <= 6000]).toEqual([path.relative(v3, file), true])
      if (modules.length > 1) expect(fs.readFileSync(modules[0]!, "utf8")).toMatch(new RegExp(`^export const ${family} = \\{`, "m"))
    }
  })

  it("a shared object is one schema, built once, that its endpoints share", () => {
    const fieldSchema = (endpoint: { readonly spec: { readonly schemas: () => { readonly body?: Schema.Schema.Any | undefined } } }, field: string) => {
      const body = endpoint.spec.schemas().body!
      const ast = SchemaAST.isTransformation(body.ast) ? body.ast.from : body.ast
      const typeLiteral = SchemaAST.isRefinement(ast) ? ast.from : ast
      if (!SchemaAST.isTypeLiteral(typeLiteral)) throw new Error("not a struct")
      const type = typeLiteral.propertySignatures.find((p) => p.name === field)!.type
      // an optional field's type is `T | undefined`
      return SchemaAST.isUnion(type) ? type.types.find((t) => !SchemaAST.isUndefinedKeyword(t)) : type
    }
    const app = fieldSchema(pay.partner.transactions.app.post, "settle_info")
    const h5 = fieldSchema(pay.partner.transactions.h5.post, "settle_info")
    expect(app).toBeDefined()
    expect(SchemaAST.isTypeLiteral(app!)).toBe(true)
    expect(app).toBe(h5)
  })

  it("a shared object is named after its field; one in a single place after where it sits; an endpoint's own types after the endpoint", () => {
    const text = fs.readFileSync(path.join(v3, "pay.ts"), "utf8")
    const names = new Set(interfaceBodies(text).map((i) => i.name))
    // partner app, H5, JSAPI … prepay bodies share their settle_info and goods details
    expect(names.has("SettleInfo")).toBe(true)
    expect(names.has("GoodsDetail")).toBe(true)
    expect(text).toMatch(/readonly settle_info\?: SettleInfo \| undefined/)
    expect(names.has("PartnerTransactionsAppPostBody")).toBe(true)
    // the JSAPI answer has the app answer's shape: its own name stays, as an alias
    expect(text).toMatch(/^export type PartnerTransactionsJsapiPostResponse = PartnerTransactionsAppPostResponse$/m)
  })
})
