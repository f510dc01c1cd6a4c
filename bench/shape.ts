/**
 * `npm run bench:shape`: does the endpoint shape of `src/api/Endpoint.ts` scale to a thousand
 * endpoints? Generates a synthetic surface of N endpoints declared exactly like
 * `src/api/DiscountCard.ts` (named interfaces, `Endpoint.Endpoint<Req, Res, E>` on each const,
 * schemas behind the `schemas` thunk), then measures what a user and a maintainer pay for it:
 *
 *   a. marginal import of the root entry `src/index.ts` (after `effect` + `@effect/platform`)
 *   b. marginal import of the N-endpoint index (after the root entry)
 *   c. an endpoint's first call (schemas built, declaration checked, validators compiled) vs its second
 *   d. `tsc --noEmit` of the fixture alone: check time and instantiations, against a baseline
 *      program that imports the same modules without any endpoint
 *   e. emitted `.d.ts` bytes per endpoint, and what a user's program that calls one endpoint pays
 *      to type-check against those declarations (vs one that imports the same modules, no endpoint)
 *
 * Every endpoint is also called once with a generated valid input (c): a declaration that does
 * not check, or an input or answer its schemas refuse, fails the run.
 *
 *   npx tsx bench/shape.ts                          # 1000 endpoints, the chosen shape ("thunk")
 *   npx tsx bench/shape.ts --count 200 --keep       # keep bench/.shape/ to read the generated code
 *   npx tsx bench/shape.ts --shape thunk,family,eager   # compare the ways of making schemas lazy
 *   npx tsx bench/shape.ts --runs 9 --seed 2        # more fresh processes per startup figure; another fixture
 *
 * Shapes (where the `Schema.Struct`s are built):
 *   thunk   inside each endpoint's `schemas` thunk, as local consts: only that endpoint's, on its first call
 *   family  in one memoized thunk per family module: the whole family's, on the first call of any of its endpoints
 *   eager   as exported consts at module top level (the `src/schemas/*.ts` style): all of them at import
 *
 * The fixture lives in `bench/.shape/` (inside the repo, so `../../../src/...` imports resolve;
 * ignored by git, eslint and the repo's tsconfig) and is deleted at the end unless `--keep`.
 * Startup figures are medians over fresh `node` processes running the plain JavaScript that
 * `bench/build.ts` transpiles (no tsx loader in the measurement).
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import ts from "typescript"
import { build, buildDir } from "./build.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const shapeDir = path.join(root, "bench", ".shape")
const FAMILIES = 20

// ---------------------------------------------------------------------------------------------
// Options

const SHAPES = ["thunk", "family", "eager"] as const
type Shape = (typeof SHAPES)[number]

const option = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? undefined : process.argv[i + 1]
}
const intOption = (name: string, fallback: number): number => {
  const raw = option(name)
  const n = raw === undefined ? fallback : Number(raw)
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} wants a non-negative integer, got ${raw}`)
  return n
}
const COUNT = intOption("count", 1000)
const RUNS = Math.max(1, intOption("runs", 7))
const SEED = intOption("seed", 1)
const KEEP = process.argv.includes("--keep")
const shapes: ReadonlyArray<Shape> = (option("shape") ?? "thunk").split(",").map((s) => {
  if (!(SHAPES as ReadonlyArray<string>).includes(s)) throw new Error(`--shape wants ${SHAPES.join("|")} (comma-separated), got ${s}`)
  return s as Shape
})

// ---------------------------------------------------------------------------------------------
// A model of the fixture: endpoints with typed fields, from a seeded generator (same seed, same code)

type FieldType =
  | { readonly kind: "string"; readonly min: number; readonly max: number }
  | { readonly kind: "int"; readonly schema: "Schema.Int" | "PositiveInt" | "Fen" }
  | { readonly kind: "boolean" }
  | { readonly kind: "time" }
  | { readonly kind: "enum"; readonly values: ReadonlyArray<string> }
  | { readonly kind: "array"; readonly of: FieldType; readonly maxItems: number | undefined }
  | { readonly kind: "struct"; readonly struct: Struct }

interface Field {
  readonly name: string
  readonly type: FieldType
  readonly optional: boolean
  readonly doc: string | undefined
}

/** A struct and its names: `iface` the exported interface, `local` its schema's name inside the endpoint. */
interface Struct {
  readonly iface: string
  readonly local: string
  readonly fields: ReadonlyArray<Field>
}

type Method = "GET" | "POST" | "PATCH" | "PUT"
type Location = "params" | "query" | "body"

interface EndpointModel {
  readonly family: string
  readonly name: string
  readonly pascal: string
  readonly method: Method
  readonly path: string
  readonly locations: { readonly [L in Location]?: Struct }
  /** `undefined`: answers 204 (`Endpoint.NoContent`). */
  readonly response: Struct | undefined
  /** `true`: `[...commonErrors, OrderNotExist]`; `false`: `commonErrors`. */
  readonly orderNotExist: boolean
  /** How many properties the request and the response declare, nested ones included. */
  readonly requestFields: number
  readonly responseFields: number
}

/** mulberry32: small, fast, and the same sequence on every machine. */
const prng = (seed: number) => {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1))
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(next() * xs.length)]!
  return { next, int, pick, chance: (p: number) => next() < p }
}
type Rand = ReturnType<typeof prng>

const WORDS = [
  "stock", "coupon", "card", "order", "member", "merchant", "store", "goods", "budget", "amount", "status", "type",
  "time", "reason", "remark", "code", "name", "scene", "channel", "device", "trade", "refund", "bill", "notify",
  "title", "description", "image", "color", "level", "point", "balance", "quota", "serial", "version", "mode",
  "source", "target", "begin", "end", "rule", "template", "batch", "user", "price", "discount", "limit", "detail"
]
const PATH_PARAMS = ["out_order_no", "card_id", "stock_id", "coupon_code", "out_request_no", "sub_mchid", "transaction_id", "template_id", "batch_no", "store_id"]
const VERBS: ReadonlyArray<readonly [string, Method]> = [
  ["create", "POST"], ["query", "GET"], ["update", "PATCH"], ["close", "POST"], ["cancel", "POST"], ["list", "GET"],
  ["apply", "POST"], ["modify", "PATCH"], ["send", "POST"], ["use", "POST"], ["return", "POST"], ["deactivate", "POST"],
  ["bind", "POST"], ["set", "PUT"], ["get", "GET"], ["add", "POST"], ["remove", "POST"], ["upload", "POST"], ["replace", "PUT"]
]
const NOUNS = [
  "Order", "Stock", "Coupon", "Card", "Member", "Refund", "Bill", "Receiver", "Merchant", "Store", "Goods", "Budget",
  "Callback", "Template", "Record", "Batch", "Transfer", "Profit", "Settlement", "Invoice", "Bonus", "Code", "Rule"
]
const ENUM_WORDS = ["ACTIVE", "PAUSED", "EXPIRED", "CREATED", "SUCCESS", "FAIL", "PROCESSING", "CLOSED", "NORMAL", "FROZEN", "ONLINE", "OFFLINE"]

const pascal = (snake: string) => snake.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("")
const kebab = (camel: string) => camel.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())

/** A snake_case name not yet in `taken` (and then taken). */
const freshName = (rand: Rand, taken: Set<string>): string => {
  for (let attempt = 0; ; attempt++) {
    const words = [rand.pick(WORDS), rand.pick(WORDS)]
    if (attempt > 5 || rand.chance(0.2)) words.push(rand.pick(WORDS))
    const name = words.join("_") + (attempt > 20 ? `_${attempt}` : "")
    if (!taken.has(name)) {
      taken.add(name)
      return name
    }
  }
}

const leafType = (rand: Rand, forQuery: boolean): FieldType => {
  const r = rand.next()
  if (r < 0.4) return { kind: "string", min: rand.pick([1, 1, 1, 0]), max: rand.pick([8, 16, 32, 32, 64, 128, 256]) }
  if (r < 0.58) return { kind: "int", schema: rand.pick(["Schema.Int", "PositiveInt", "Fen"] as const) }
  if (r < 0.72) {
    const values = new Set<string>()
    const n = rand.int(2, 5)
    while (values.size < n) values.add(rand.pick(ENUM_WORDS))
    return { kind: "enum", values: [...values] }
  }
  if (r < 0.84) return { kind: "time" }
  if (r < 0.92 || forQuery) return { kind: "boolean" }
  return { kind: "array", of: { kind: "string", min: 1, max: 32 }, maxItems: rand.pick([undefined, 10, 50]) }
}

/**
 * A struct of `budget` properties (nested ones included). Up to `depth` more levels of nested
 * structs (alone or in arrays) when the budget allows; `leaves` forbids nesting (path, query).
 */
const genStruct = (
  rand: Rand,
  iface: string,
  local: string,
  budget: number,
  depth: number,
  opts: { readonly taken?: Set<string>; readonly optional: number; readonly leaves?: boolean; readonly forQuery?: boolean }
): Struct => {
  const taken = opts.taken ?? new Set<string>()
  const fields: Array<Field> = []
  let left = budget
  while (left > 0) {
    const name = freshName(rand, taken)
    const optional = rand.chance(opts.optional)
    const doc = rand.chance(0.4) ? `${pascal(name).replace(/([A-Z])/g, " $1").trim()} (synthetic).` : undefined
    if (opts.leaves !== true && depth > 0 && left >= 4 && rand.chance(0.15)) {
      const size = rand.int(2, Math.min(7, left - 1))
      const child = genStruct(rand, iface + pascal(name), local + pascal(name), size, depth - 1, { optional: opts.optional })
      const type: FieldType = { kind: "struct", struct: child }
      fields.push({ name, optional, doc, type: rand.chance(0.5) ? { kind: "array", of: type, maxItems: rand.pick([undefined, 20]) } : type })
      left -= 1 + size
    } else {
      fields.push({ name, optional, doc, type: leafType(rand, opts.forQuery === true) })
      left -= 1
    }
  }
  return { iface, local, fields }
}

const generate = (count: number, seed: number): ReadonlyArray<ReadonlyArray<EndpointModel>> => {
  const rand = prng(seed)
  const families: Array<Array<EndpointModel>> = []
  const nFamilies = Math.min(FAMILIES, count)
  for (let f = 0; f < nFamilies; f++) {
    const family = `F${String(f).padStart(2, "0")}`
    const size = Math.floor(count / nFamilies) + (f < count % nFamilies ? 1 : 0)
    const names = new Set<string>()
    const endpoints: Array<EndpointModel> = []
    while (endpoints.length < size) {
      const [verb, method] = rand.pick(VERBS)
      let name = verb + rand.pick(NOUNS) + (rand.chance(0.5) ? rand.pick(NOUNS) : "")
      for (let i = 2; names.has(name); i++) name = name.replace(/\d*$/, String(i))
      names.add(name)
      const P = name.charAt(0).toUpperCase() + name.slice(1)
      // one name space for the whole request: a field lives in exactly one location
      const taken = new Set<string>()
      const pathParams: Array<string> = []
      for (let i = rand.int(1, 2); i > 0; i--) {
        const p = rand.pick(PATH_PARAMS.filter((x) => !taken.has(x)))
        taken.add(p)
        pathParams.push(p)
      }
      const resource = kebab(rand.pick(NOUNS)).slice(1) + "s"
      const tail = pathParams.length === 2 ? `/{${pathParams[0]}}/${rand.pick(["codes", "items", "records"])}/{${pathParams[1]}}` : `/{${pathParams[0]}}`
      const urlPath = `/v3/marketing/${family.toLowerCase()}/${resource}${tail}${method === "POST" ? `/${kebab(verb)}` : ""}`
      const params: Struct = {
        iface: `${P}Params`,
        local: "Params",
        fields: pathParams.map((p) => ({ name: p, optional: false, doc: rand.chance(0.5) ? `${pascal(p)} (path).` : undefined, type: { kind: "string", min: 1, max: rand.pick([32, 64]) } }))
      }
      const locations: { -readonly [L in Location]?: Struct } = { params }
      let requestFields = pathParams.length
      if (method === "GET") {
        const n = rand.int(0, 3)
        if (n > 0) locations.query = genStruct(rand, `${P}Query`, "Query", n, 0, { taken, optional: 0.5, leaves: true, forQuery: true })
        requestFields += n
      } else {
        const total = rand.int(10, 40)
        locations.body = genStruct(rand, `${P}Body`, "Body", total - pathParams.length, 2, { taken, optional: 0.35 })
        requestFields = total
      }
      const noContent = method !== "GET" && rand.chance(0.2)
      const responseFields = noContent ? 0 : rand.int(5, 20)
      const response = noContent ? undefined : genStruct(rand, `${P}Response`, "Response", responseFields, 2, { optional: 0.3 })
      endpoints.push({ family, name, pascal: P, method, path: urlPath, locations, response, orderNotExist: rand.chance(0.3), requestFields, responseFields })
    }
    families.push(endpoints)
  }
  return families
}

// ---------------------------------------------------------------------------------------------
// Emitting TypeScript

/** The common.ts helpers a family uses, so that it imports exactly those (noUnusedLocals). */
type Uses = Set<"BoundedString" | "Rfc3339" | "PositiveInt" | "Fen" | "OrderNotExist">

const typeText = (t: FieldType): string => {
  switch (t.kind) {
    case "string":
    case "time":
      return "string"
    case "int":
      return "number"
    case "boolean":
      return "boolean"
    case "enum":
      return t.values.map((v) => JSON.stringify(v)).join(" | ")
    case "array":
      return `ReadonlyArray<${typeText(t.of)}>`
    case "struct":
      return t.struct.iface
  }
}

/** `ref` names a nested struct's schema: its local const (thunk) or `S.X` / the exported const. */
const schemaText = (t: FieldType, uses: Uses, ref: (s: Struct) => string): string => {
  switch (t.kind) {
    case "string":
      uses.add("BoundedString")
      return `BoundedString(${t.min}, ${t.max})`
    case "time":
      uses.add("Rfc3339")
      return "Rfc3339"
    case "int":
      if (t.schema !== "Schema.Int") uses.add(t.schema)
      return t.schema
    case "boolean":
      return "Schema.Boolean"
    case "enum":
      return `Schema.Literal(${t.values.map((v) => JSON.stringify(v)).join(", ")})`
    case "array": {
      const items = `Schema.Array(${schemaText(t.of, uses, ref)})`
      return t.maxItems === undefined ? items : `${items}.pipe(Schema.maxItems(${t.maxItems}))`
    }
    case "struct":
      return ref(t.struct)
  }
}

/** Nested structs first (a schema must exist before the struct that uses it). */
const structsOf = (s: Struct, out: Array<Struct> = []): Array<Struct> => {
  for (const f of s.fields) {
    const t = f.type.kind === "array" ? f.type.of : f.type
    if (t.kind === "struct") structsOf(t.struct, out)
  }
  out.push(s)
  return out
}

const allStructs = (e: EndpointModel): Array<Struct> => {
  const out: Array<Struct> = []
  for (const l of ["params", "query", "body"] as const) if (e.locations[l] !== undefined) structsOf(e.locations[l], out)
  if (e.response !== undefined) structsOf(e.response, out)
  return out
}

const interfaceText = (s: Struct): string => {
  const lines = s.fields.map((f) => {
    const doc = f.doc === undefined ? "" : `  /** ${f.doc} */\n`
    // exactOptionalPropertyTypes: `Schema.optional(X)` is `?: X | undefined`
    return `${doc}  readonly ${f.name}${f.optional ? `?: ${typeText(f.type)} | undefined` : `: ${typeText(f.type)}`}`
  })
  return `export interface ${s.iface} {\n${lines.join("\n")}\n}`
}

const structText = (s: Struct, uses: Uses, ref: (s: Struct) => string, indent: string): string => {
  const lines = s.fields.map((f) => {
    const schema = schemaText(f.type, uses, ref)
    return `${indent}  ${f.name}: ${f.optional ? `Schema.optional(${schema})` : schema}`
  })
  return `Schema.Struct({\n${lines.join(",\n")}\n${indent}})`
}

const reqType = (e: EndpointModel) => `${e.pascal}Request`
const resType = (e: EndpointModel) => (e.response === undefined ? "void" : e.response.iface)
const errType = (e: EndpointModel) => (e.orderNotExist ? "CommonError | OrderNotExist" : "CommonError")

/** The interfaces of one endpoint: nested structs, one per location, the flat request, the response. */
const typesText = (e: EndpointModel): string => {
  const locs = (["params", "query", "body"] as const).flatMap((l) => (e.locations[l] === undefined ? [] : [e.locations[l]]))
  return [
    `// ---- ${e.method} ${e.path} → ${e.response === undefined ? "204" : "200"} ----`,
    ...allStructs(e).map(interfaceText),
    `/** The input of \`${e.family}.${e.name}\`: ${locs.map((s) => s.local.toLowerCase()).join(", ")} fields together. */\n` +
    `export interface ${reqType(e)} extends ${locs.map((s) => s.iface).join(", ")} {}`
  ].join("\n\n")
}

/** `Endpoint.make({...})` around the given `schemas` thunk text. */
const endpointText = (e: EndpointModel, schemasThunk: string): string =>
  [
    `/** ${e.name}: ${e.requestFields} request fields, ${e.response === undefined ? "204" : `${e.responseFields} response fields`}. */`,
    `export const ${e.name}: Endpoint.Endpoint<${reqType(e)}, ${resType(e)}, ${errType(e)}> = /*#__PURE__*/ Endpoint.make({`,
    `  name: ${JSON.stringify(`${e.family}.${e.name}`)},`,
    `  method: ${JSON.stringify(e.method)},`,
    `  path: ${JSON.stringify(e.path)},`,
    `  schemas: ${schemasThunk}`,
    `})`
  ].join("\n")

/** `{ params: …, body: …, success: …, errors: … }`; a per-endpoint error list is made in the thunk (never at import). */
const schemasObject = (e: EndpointModel, uses: Uses, ref: (s: Struct) => string): string => {
  const parts = (["params", "query", "body"] as const).flatMap((l) => (e.locations[l] === undefined ? [] : [`${l}: ${ref(e.locations[l])}`]))
  parts.push(`success: ${e.response === undefined ? "Endpoint.NoContent" : ref(e.response)}`)
  if (e.orderNotExist) uses.add("OrderNotExist")
  parts.push(`errors: ${e.orderNotExist ? "[...commonErrors, OrderNotExist]" : "commonErrors"}`)
  return `{ ${parts.join(", ")} }`
}

const familyText = (shape: Shape, family: ReadonlyArray<EndpointModel>, seed: number): string => {
  const uses: Uses = new Set()
  const blocks: Array<string> = []
  const S: Array<string> = [] // family shape: the body of the family's memoized thunk
  for (const e of family) {
    blocks.push(typesText(e))
    const structs = allStructs(e)
    if (shape === "thunk") {
      // the Structs are local consts of the thunk: built on this endpoint's first call, and never in a .d.ts
      const local = (s: Struct) => s.local
      const consts = structs.map((s) => `    const ${s.local}: Schema.Schema<${s.iface}> = ${structText(s, uses, local, "    ")}`)
      blocks.push(endpointText(e, `() => {\n${consts.join("\n")}\n    return ${schemasObject(e, uses, local)}\n  }`))
    } else if (shape === "family") {
      const ref = (s: Struct) => s.iface
      for (const s of structs) S.push(`  const ${s.iface}: Schema.Schema<${s.iface}> = ${structText(s, uses, ref, "  ")}`)
      const sref = (s: Struct) => `s.${s.iface}`
      blocks.push(endpointText(e, `() => {\n    const s = S()\n    return ${schemasObject(e, uses, sref)}\n  }`))
    } else {
      const ref = (s: Struct) => s.iface
      for (const s of structs) blocks.push(`export const ${s.iface}: Schema.Schema<${s.iface}> = ${structText(s, uses, ref, "")}`)
      blocks.push(endpointText(e, `() => (${schemasObject(e, uses, ref)})`))
    }
  }
  if (shape === "family") {
    const names = family.flatMap((e) => allStructs(e).map((s) => s.iface))
    blocks.push(
      [
        "/** Memoizes a thunk. */",
        "const lazy = <A>(f: () => A): (() => A) => {\n  let a: A | undefined\n  return () => (a ??= f())\n}",
        "/** Every schema of this family, built on the first call of any of its endpoints (not exported: no .d.ts). */",
        `const S = lazy(() => {\n${S.join("\n")}\n  return { ${names.join(", ")} }\n})`
      ].join("\n")
    )
  }
  const common = (["BoundedString", "Fen", "PositiveInt", "Rfc3339"] as const).filter((n) => uses.has(n))
  const header = [
    `/** Synthetic family ${family[0]!.family} (bench/shape.ts, shape "${shape}", seed ${seed}): ${family.length} endpoints. Generated: do not edit. */`,
    `import { Schema } from "effect"`,
    `import * as Endpoint from "../../../src/api/Endpoint.js"`,
    ...(uses.has("OrderNotExist") ? [`import { OrderNotExist } from "../../../src/errors/codes.js"`] : []),
    `import { commonErrors, type CommonError } from "../../../src/errors/errors.js"`,
    ...(common.length > 0 ? [`import { ${common.join(", ")} } from "../../../src/schemas/common.js"`] : [])
  ].join("\n")
  return `${header}\n\n${blocks.join("\n\n")}\n`
}

// ---------------------------------------------------------------------------------------------
// Valid samples: an input and a success answer per endpoint, so every endpoint can be called

const sampleOf = (t: FieldType, rand: Rand): unknown => {
  switch (t.kind) {
    case "string":
      return "x".repeat(Math.max(1, Math.min(t.min + 3, t.max)))
    case "time":
      return "2024-05-20T13:29:35.120+08:00"
    case "int":
      return 100
    case "boolean":
      return true
    case "enum":
      return t.values[0]
    case "array":
      return [sampleOf(t.of, rand)]
    case "struct":
      return sampleStruct(t.struct, rand)
  }
}
const sampleStruct = (s: Struct, rand: Rand): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const f of s.fields) if (!f.optional || rand.chance(0.5)) out[f.name] = sampleOf(f.type, rand)
  return out
}

interface Sample {
  readonly family: string
  readonly name: string
  readonly method: Method
  readonly input: Record<string, unknown>
  readonly status: number
  readonly body: string
}

const samplesOf = (families: ReadonlyArray<ReadonlyArray<EndpointModel>>, seed: number): Array<Sample> => {
  const rand = prng(seed + 7919)
  return families.flat().map((e) => ({
    family: e.family,
    name: e.name,
    method: e.method,
    input: Object.assign({}, ...(["params", "query", "body"] as const).map((l) => (e.locations[l] === undefined ? {} : sampleStruct(e.locations[l], rand)))),
    status: e.response === undefined ? 204 : 200,
    body: e.response === undefined ? "" : JSON.stringify(sampleStruct(e.response, rand))
  }))
}

/** The endpoint whose first call is timed: the middle family's first with a body and a 200 (the common case). */
const pickTarget = (samples: ReadonlyArray<Sample>): Sample | undefined => {
  const families = [...new Set(samples.map((s) => s.family))]
  const isTarget = (s: Sample) => s.method !== "GET" && s.status === 200 && s.family !== families[0]
  const middle = families[Math.floor(families.length / 2)]
  return samples.find((s) => s.family === middle && isTarget(s)) ?? samples.find(isTarget) ?? samples.at(-1)
}

// ---------------------------------------------------------------------------------------------
// Writing the fixture and its JavaScript

const copyCompilerOptions = (): Record<string, unknown> => {
  const read = ts.readConfigFile(path.join(root, "tsconfig.json"), ts.sys.readFile)
  if (read.error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, "\n"))
  const options = { ...(read.config as { compilerOptions: Record<string, unknown> }).compilerOptions }
  // emit settings are given per run below; the rest (strictness, exactOptionalPropertyTypes …) is the repo's
  delete options.outDir
  delete options.sourceMap
  delete options.declaration
  return { ...options, rootDir: "../.." }
}

const writeFixture = (shape: Shape, count: number, seed: number) => {
  const families = generate(count, seed)
  fs.rmSync(shapeDir, { recursive: true, force: true })
  fs.mkdirSync(path.join(shapeDir, "families"), { recursive: true })
  fs.mkdirSync(path.join(shapeDir, "baseline"), { recursive: true })
  for (const family of families) {
    fs.writeFileSync(path.join(shapeDir, "families", `${family[0]!.family.toLowerCase()}.ts`), familyText(shape, family, seed))
  }
  fs.writeFileSync(
    path.join(shapeDir, "index.ts"),
    [
      `/** Synthetic surface: ${count} endpoints in ${families.length} families (bench/shape.ts). Generated: do not edit. */`,
      ...families.map((f) => `export * as ${f[0]!.family} from "./families/${f[0]!.family.toLowerCase()}.js"`),
      ...(families.length === 0 ? ["export {}"] : [])
    ].join("\n") + "\n"
  )
  // the same program without a single endpoint: what the fixture's figures are measured against
  fs.writeFileSync(
    path.join(shapeDir, "baseline", "baseline.ts"),
    [
      `/** The modules a family imports, and nothing else: the baseline of the type-check. */`,
      `export { Schema } from "effect"`,
      `export * as Endpoint from "../../../src/api/Endpoint.js"`,
      `export { OrderNotExist } from "../../../src/errors/codes.js"`,
      `export { commonErrors, type CommonError } from "../../../src/errors/errors.js"`,
      `export { BoundedString, Fen, PositiveInt, Rfc3339 } from "../../../src/schemas/common.js"`
    ].join("\n") + "\n"
  )
  const compilerOptions = copyCompilerOptions()
  // ./dts: where the declarations are emitted (e), and the consumer programs that read them
  fs.writeFileSync(path.join(shapeDir, "tsconfig.json"), JSON.stringify({ compilerOptions, include: ["./**/*.ts"], exclude: ["./baseline", "./dts"] }, null, 2))
  // the emit also takes the baseline, so src's declarations are there for the consumers even with --count 0
  fs.writeFileSync(path.join(shapeDir, "tsconfig.emit.json"), JSON.stringify({ extends: "./tsconfig.json", exclude: ["./dts"] }, null, 2))
  fs.writeFileSync(
    path.join(shapeDir, "baseline", "tsconfig.json"),
    JSON.stringify({ compilerOptions: { ...compilerOptions, rootDir: "../../.." }, include: ["./baseline.ts"] }, null, 2)
  )
  const samples = samplesOf(families, seed)
  fs.writeFileSync(path.join(shapeDir, "samples.json"), JSON.stringify(samples))
  const models = families.flat()
  return {
    target: pickTarget(samples),
    families: families.length,
    requestFields: models.reduce((n, e) => n + e.requestFields, 0) / Math.max(1, models.length),
    responseFields: models.reduce((n, e) => n + e.responseFields, 0) / Math.max(1, models.length),
    noContent: models.filter((e) => e.response === undefined).length,
    orderNotExist: models.filter((e) => e.orderNotExist).length,
    gets: models.filter((e) => e.method === "GET").length,
    sourceBytes: fs.readdirSync(path.join(shapeDir, "families")).reduce((n, f) => n + fs.statSync(path.join(shapeDir, "families", f)).size, 0)
  }
}

/**
 * `build()` transpiles src/** and bench/** but skips dot-directories; the fixture is transpiled
 * here with the same options, next to it. Returns the fixture's JavaScript bytes.
 */
const transpileFixture = (): number => {
  build()
  let bytes = 0
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== "baseline") walk(p)
      } else if (entry.name.endsWith(".ts")) {
        const out = ts.transpileModule(fs.readFileSync(p, "utf8"), {
          fileName: p,
          compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true, sourceMap: false }
        })
        const target = path.join(buildDir, path.relative(root, p)).replace(/\.ts$/, ".js")
        fs.mkdirSync(path.dirname(target), { recursive: true })
        fs.writeFileSync(target, out.outputText)
        bytes += Buffer.byteLength(out.outputText)
      }
    }
  }
  walk(shapeDir)
  fs.copyFileSync(path.join(shapeDir, "samples.json"), path.join(buildDir, "bench", ".shape", "samples.json"))
  return bytes
}

// ---------------------------------------------------------------------------------------------
// Measuring

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

const jsUrl = (rel: string) => pathToFileURL(path.join(buildDir, rel)).href

/** Runs ES module code in a fresh `node` (cwd in the build dir, so `effect` resolves from the repo); returns its last stdout line as JSON. */
const runChild = <A>(code: string): A => {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: buildDir, encoding: "utf8", timeout: 120_000 })
  if (r.status !== 0) throw new Error(`child failed (${r.status ?? r.signal}):\n${r.stderr}\n${r.stdout}`)
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as A
}

/** a + b: both marginal, in the same fresh process, in order: effect + platform → root entry → fixture. */
const importCode = () => `
await import("effect")
await import("@effect/platform")
const t0 = performance.now()
await import(${JSON.stringify(jsUrl("src/index.js"))})
const t1 = performance.now()
await import(${JSON.stringify(jsUrl("bench/.shape/index.js"))})
const t2 = performance.now()
console.log(JSON.stringify({ root: t1 - t0, fixture: t2 - t1 }))
`

/**
 * c: calls against an in-memory `WechatPayClient` whose `execute` records the request and answers
 * the sample's success at once (interpreted, so the success decoder runs too). All synchronous:
 * `runSyncExit` times the call and nothing else. Order:
 *   1. one endpoint of the first family, to warm the Effect runtime and the pipeline's own code
 *   2. the target (`pickTarget`): its first call, then its second
 *   3. `spec.schemas()` alone, of an endpoint of a family nothing has touched yet (the last family)
 *   4. every endpoint once (the first call of each): proves every declaration checks and every sample passes
 */
const callCode = (target: Sample) => `
const { Effect, Exit, Cause } = await import("effect")
await import("@effect/platform")
const { WechatPayClient } = await import(${JSON.stringify(jsUrl("src/api/WechatPayClient.js"))})
await import(${JSON.stringify(jsUrl("src/index.js"))})
const fixture = await import(${JSON.stringify(jsUrl("bench/.shape/index.js"))})
const { readFileSync } = await import("node:fs")
const samples = JSON.parse(readFileSync(new URL(${JSON.stringify(jsUrl("bench/.shape/samples.json"))}), "utf8"))
let current, last
const client = {
  mchid: "1900000001",
  settings: { baseUrl: "https://api.mch.weixin.qq.com", backupBaseUrl: null, maxResponseBytes: 1 << 20, userAgent: "bench" },
  verifier: {},
  attempt: () => Effect.die("not used"),
  execute: (request, interpret) => {
    last = request
    return interpret({ status: current.status, headers: {}, body: current.body, requestId: "bench", host: "primary" })
  }
}
const call = (s) => {
  current = s
  last = undefined
  const exit = Effect.runSyncExit(Effect.provideService(fixture[s.family][s.name](s.input), WechatPayClient, client))
  if (!Exit.isSuccess(exit)) throw new Error(s.family + "." + s.name + " failed: " + Cause.pretty(exit.cause))
  if (last === undefined || last.method !== s.method || last.url.includes("{") || (s.method === "GET") !== (last.body === undefined)) {
    throw new Error(s.family + "." + s.name + ": unexpected request " + JSON.stringify(last))
  }
}
const time = (f) => { const t0 = performance.now(); f(); return performance.now() - t0 }
const families = [...new Set(samples.map((s) => s.family))]
const ofFamily = (i) => samples.filter((s) => s.family === families[i])
call(ofFamily(0)[0])
const target = samples.find((s) => s.family === ${JSON.stringify(target.family)} && s.name === ${JSON.stringify(target.name)})
const first = time(() => call(target))
const second = time(() => call(target))
const untouched = ofFamily(families.length - 1)[0]
const schemas = time(() => fixture[untouched.family][untouched.name].spec.schemas())
const all = time(() => { for (const s of samples) call(s) })
console.log(JSON.stringify({ first, second, schemas, all }))
`

interface TscFigures {
  readonly instantiations: number
  readonly types: number
  readonly checkSeconds: number
  readonly totalSeconds: number
  readonly memoryKB: number
}

const tscBin = path.join(path.dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc")

const tsc = (project: string, extra: ReadonlyArray<string>): TscFigures => {
  const r = spawnSync(process.execPath, [tscBin, "-p", project, "--extendedDiagnostics", ...extra], { cwd: root, encoding: "utf8", timeout: 600_000 })
  // the diagnostics come before the --extendedDiagnostics figures
  if (r.status !== 0) throw new Error(`tsc -p ${path.relative(root, project)} failed (${r.status ?? r.signal}):\n${r.stdout.split(/^Files:/m)[0]!.slice(0, 4000)}${r.stderr}`)
  const figure = (label: string) => {
    const m = new RegExp(`^${label}:\\s+([\\d.]+)`, "m").exec(r.stdout)
    if (m === null) throw new Error(`tsc printed no "${label}":\n${r.stdout}`)
    return Number(m[1])
  }
  return { instantiations: figure("Instantiations"), types: figure("Types"), checkSeconds: figure("Check time"), totalSeconds: figure("Total time"), memoryKB: figure("Memory used") }
}

/** Bytes of the files under `dir` whose names end with `suffix` (or of `dir` itself, a file). */
const dirBytes = (dir: string, suffix: string): number =>
  !fs.existsSync(dir)
    ? 0
    : fs.statSync(dir).isFile()
    ? fs.statSync(dir).size
    : fs.readdirSync(dir, { withFileTypes: true, recursive: true }).reduce(
      (n, e) => (e.isFile() && e.name.endsWith(suffix) ? n + fs.statSync(path.join(e.parentPath, e.name)).size : n),
      0
    )

/**
 * What a user's type-check pays: a program that calls the target endpoint, checked against the
 * emitted declarations only (as from the published package), against one that imports the same
 * src modules and no endpoint. Both use the repo's options (skipLibCheck: the .d.ts are parsed and
 * bound, and only what the program touches is checked).
 */
const writeConsumers = (dts: string, target: Sample | undefined) => {
  const compilerOptions = { ...copyCompilerOptions(), rootDir: "." }
  const program = target === undefined
    ? `export const program = Effect.void`
    : `export const program = ${target.family}.${target.name}(${JSON.stringify(target.input)}).pipe(Effect.map((r) => Object.keys(r).length))`
  fs.writeFileSync(
    path.join(dts, "consumer.ts"),
    [`import { Effect } from "effect"`, ...(target === undefined ? [] : [`import { ${target.family} } from "./bench/.shape/index.js"`]), program].join("\n") + "\n"
  )
  fs.writeFileSync(
    path.join(dts, "consumer-baseline.ts"),
    [
      `import { Effect, Schema } from "effect"`,
      `import * as Endpoint from "./src/api/Endpoint.js"`,
      `import { OrderNotExist } from "./src/errors/codes.js"`,
      `import { commonErrors } from "./src/errors/errors.js"`,
      `import { BoundedString } from "./src/schemas/common.js"`,
      `export const program = Effect.succeed([Endpoint.NoContent, OrderNotExist, commonErrors, BoundedString(1, 2), Schema.String] as const)`
    ].join("\n") + "\n"
  )
  for (const name of ["consumer", "consumer-baseline"]) {
    fs.writeFileSync(path.join(dts, `tsconfig.${name}.json`), JSON.stringify({ compilerOptions, files: [`./${name}.ts`] }, null, 2))
  }
}

interface Figures {
  readonly shape: Shape
  readonly fixture: ReturnType<typeof writeFixture>
  readonly jsBytes: number
  readonly rootImportMs: number
  readonly fixtureImportMs: number
  readonly target: string
  readonly firstCallMs: number
  readonly secondCallMs: number
  readonly schemasMs: number
  readonly allFirstCallsMs: number
  readonly tsc: TscFigures
  readonly baseline: TscFigures
  readonly dtsBytes: number
  readonly consumer: TscFigures
  readonly consumerBaseline: TscFigures
}

const measure = (shape: Shape): Figures => {
  const log = (s: string) => process.stderr.write(`[${shape}] ${s}\n`)
  log(`generating ${COUNT} endpoints …`)
  const fixture = writeFixture(shape, COUNT, SEED)
  log("transpiling src/**, bench/** and the fixture …")
  const jsBytes = transpileFixture()

  log(`import cost (${RUNS} fresh processes) …`)
  const imports = Array.from({ length: RUNS }, () => runChild<{ root: number; fixture: number }>(importCode()))

  const target = fixture.target
  let calls: Array<{ first: number; second: number; schemas: number; all: number }> = []
  if (target !== undefined) {
    log(`first vs second call (${RUNS} fresh processes) …`)
    calls = Array.from({ length: RUNS }, () => runChild(callCode(target)))
  }

  log("tsc --noEmit: baseline, then fixture …")
  const baseline = tsc(path.join(shapeDir, "baseline", "tsconfig.json"), ["--noEmit"])
  const checked = tsc(path.join(shapeDir, "tsconfig.json"), ["--noEmit"])

  log("tsc --declaration --emitDeclarationOnly, then a consumer of the .d.ts …")
  const dts = path.join(shapeDir, "dts")
  tsc(path.join(shapeDir, "tsconfig.emit.json"), ["--declaration", "--emitDeclarationOnly", "--outDir", dts])
  // rootDir is the repo: the fixture's declarations are under dts/bench/.shape (src's and the baseline's are not counted)
  const dtsBytes = dirBytes(path.join(dts, "bench", ".shape", "families"), ".d.ts") + dirBytes(path.join(dts, "bench", ".shape", "index.d.ts"), "")
  writeConsumers(dts, target)
  // a few seconds each: the fastest of 3 (interleaved), as other load on the machine only ever adds time
  const fastest = (xs: ReadonlyArray<TscFigures>) => xs.reduce((a, b) => (b.totalSeconds < a.totalSeconds ? b : a))
  const pairs = Array.from({ length: 3 }, () => [
    tsc(path.join(dts, "tsconfig.consumer-baseline.json"), ["--noEmit"]),
    tsc(path.join(dts, "tsconfig.consumer.json"), ["--noEmit"])
  ] as const)
  const consumerBaseline = fastest(pairs.map((p) => p[0]))
  const consumer = fastest(pairs.map((p) => p[1]))
  return {
    shape,
    fixture,
    jsBytes,
    rootImportMs: median(imports.map((r) => r.root)),
    fixtureImportMs: median(imports.map((r) => r.fixture)),
    target: target === undefined ? "-" : `${target.family}.${target.name}`,
    firstCallMs: median(calls.map((c) => c.first)),
    secondCallMs: median(calls.map((c) => c.second)),
    schemasMs: median(calls.map((c) => c.schemas)),
    allFirstCallsMs: median(calls.map((c) => c.all)),
    tsc: checked,
    baseline,
    dtsBytes,
    consumer,
    consumerBaseline
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const ms = (x: number) => (Number.isNaN(x) ? "-" : x < 1 ? `${x.toFixed(3)} ms` : `${x.toFixed(1)} ms`)
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`
const thousands = (n: number) => (Number.isNaN(n) ? "-" : Math.round(n).toLocaleString("en-US"))

const report = (results: ReadonlyArray<Figures>) => {
  const perEndpoint = (x: number) => (COUNT === 0 ? NaN : x / COUNT)
  type Row = readonly [label: string, target: string, value: (f: Figures) => string, met?: (f: Figures) => boolean]
  const rows: ReadonlyArray<Row> = [
    ["a. import src/index.ts (after effect + @effect/platform)", "≤ 50 ms", (f) => ms(f.rootImportMs), (f) => f.rootImportMs <= 50],
    [`b. import the ${COUNT}-endpoint index (after the root)`, "≤ 100 ms", (f) => ms(f.fixtureImportMs), (f) => f.fixtureImportMs <= 100],
    ["c. first call of one endpoint (builds + compiles)", "-", (f) => ms(f.firstCallMs)],
    ["   its second call", "-", (f) => ms(f.secondCallMs)],
    ["   spec.schemas() alone, untouched family", "-", (f) => ms(f.schemasMs)],
    [`   first call of all ${COUNT}, per endpoint`, "-", (f) => ms(perEndpoint(f.allFirstCallsMs))],
    ["d. tsc --noEmit fixture: check time", "-", (f) => `${f.tsc.checkSeconds.toFixed(2)} s`],
    ["   baseline (same imports, no endpoint)", "-", (f) => `${f.baseline.checkSeconds.toFixed(2)} s`],
    ["   total time (fixture / baseline)", "-", (f) => `${f.tsc.totalSeconds.toFixed(2)} / ${f.baseline.totalSeconds.toFixed(2)} s`],
    ["   instantiations (fixture / baseline)", "-", (f) => `${thousands(f.tsc.instantiations)} / ${thousands(f.baseline.instantiations)}`],
    ["   marginal per endpoint: instantiations", "-", (f) => thousands(perEndpoint(f.tsc.instantiations - f.baseline.instantiations))],
    ["   marginal per endpoint: check time", "-", (f) => ms(perEndpoint((f.tsc.checkSeconds - f.baseline.checkSeconds) * 1000))],
    ["   memory (fixture / baseline)", "-", (f) => `${thousands(f.tsc.memoryKB / 1024)} / ${thousands(f.baseline.memoryKB / 1024)} MB`],
    ["e. .d.ts bytes per endpoint", "-", (f) => `${thousands(perEndpoint(f.dtsBytes))} B`],
    ["   user program over the .d.ts: total time (best of 3)", "-", (f) => `${f.consumer.totalSeconds.toFixed(2)} / ${f.consumerBaseline.totalSeconds.toFixed(2)} s`],
    ["   (calls one endpoint / no endpoint) instantiations", "-", (f) => `${thousands(f.consumer.instantiations)} / ${thousands(f.consumerBaseline.instantiations)}`],
    ["   (source / JavaScript bytes per endpoint)", "-", (f) => `${thousands(perEndpoint(f.fixture.sourceBytes))} / ${thousands(perEndpoint(f.jsBytes))} B`]
  ]
  const width = Math.max(...rows.map((r) => r[0].length)) + 2
  const col = 20
  const head = `${"figure".padEnd(width)}${"target".padEnd(10)}${results.map((f) => f.shape.padEnd(col)).join("")}`
  console.log(`\n${head}\n${"-".repeat(head.length)}`)
  for (const [label, target, value, met] of rows) {
    const cells = results.map((f) => (value(f) + (met === undefined ? "" : met(f) ? " met" : " MISSED")).padEnd(col)).join("")
    console.log(`${label.padEnd(width)}${target.padEnd(10)}${cells}`)
  }
  console.log(`\nmedians of ${RUNS} fresh node processes (startup figures); tsc once each; first-call target: ${results[0]?.target}`)
  for (const f of results) {
    const x = f.fixture
    console.log(
      `shape: ${COUNT} endpoints, ${x.families} families, shape "${f.shape}", seed ${SEED}; ` +
        `${x.requestFields.toFixed(1)} request / ${x.responseFields.toFixed(1)} response fields per endpoint on average, ` +
        `${x.gets} GET, ${x.noContent} 204, ${x.orderNotExist} with OrderNotExist; source ${kb(x.sourceBytes)}, JS ${kb(f.jsBytes)}, .d.ts ${kb(f.dtsBytes)}; ` +
        `import ${ms(f.fixtureImportMs)} (≤ 100 ms ${f.fixtureImportMs <= 100 ? "met" : "MISSED"}), root ${ms(f.rootImportMs)} (≤ 50 ms ${f.rootImportMs <= 50 ? "met" : "MISSED"}), ` +
        `first call ${ms(f.firstCallMs)} / second ${ms(f.secondCallMs)}, tsc check ${f.tsc.checkSeconds.toFixed(2)} s, ` +
        `${thousands(perEndpoint(f.tsc.instantiations - f.baseline.instantiations))} instantiations and ${thousands(perEndpoint(f.dtsBytes))} B of .d.ts per endpoint`
    )
  }
}

const main = () => {
  const t0 = performance.now()
  const results: Array<Figures> = []
  try {
    for (const shape of shapes) results.push(measure(shape))
  } finally {
    if (!KEEP) fs.rmSync(shapeDir, { recursive: true, force: true })
    // the fixture's JavaScript is dead weight in the shared build dir once measured
    fs.rmSync(path.join(buildDir, "bench", ".shape"), { recursive: true, force: true })
  }
  report(results)
  process.stderr.write(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s${KEEP ? `; fixture kept in ${path.relative(root, shapeDir)}/` : ""}\n`)
}

main()
