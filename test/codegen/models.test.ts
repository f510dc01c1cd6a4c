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

const familyModules = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === "examples" ? [] : familyModules(path.join(dir, e.name))) : e.name.endsWith(".ts") && e.name !== "index.ts" ? [path.join(dir, e.name)] : []
  )

/** Each interface's members without their docs, in a fixed order: what "the same type" means here. */
const interfaceBodies = (text: string): Array<{ readonly name: string; readonly body: string }> =>
  [...text.matchAll(/^export interface (\w+)(?: extends [^{]*)? \{\n(.*?)^\}/gms)].map((m) => ({
    name: m[1]!,
    body: m[2]!.replace(/\/\*\*.*?\*\//gs, "").split("\n").map((l) => l.trim()).filter((l) => l !== "").sort().join("\n")
  }))

describe("generated models", () => {
  it("no family module declares one type body twice", () => {
    const modules = familyModules(v3)
    expect(modules.length).toBeGreaterThan(50)
    for (const file of modules) {
      const seen = new Map<string, string>()
      for (const { name, body } of interfaceBodies(fs.readFileSync(file, "utf8"))) {
        if (body === "") continue
        expect([path.relative(v3, file), name, seen.get(body)]).toEqual([path.relative(v3, file), name, undefined])
        seen.set(body, name)
      }
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
