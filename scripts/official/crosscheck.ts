/**
 * Compares the generated surface (src/v3, hk, global: the schemas a client runs) with what the
 * official SDKs' generated models state (vendor/official-sdks/*\/facts.json, extracted by
 * extract-go.ts and extract-java.ts), operation by operation: the path and method, each request
 * and answer field's name, type, optionality and enum values.
 *
 *   npx tsx scripts/official/crosscheck.ts           writes docs/fidelity.md and vendor/official-sdks/differences.json
 *   npx tsx scripts/official/crosscheck.ts --check   exits 1 if either file is not what it would write
 *
 * A difference is open until an overlay entry fixes it (then it is gone from the comparison) or
 * `accepted.ts` gives it a reason.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { SchemaAST as AST } from "effect"
import * as Endpoint from "../../src/api/Endpoint.js"
import { DocumentedValues } from "../../src/schemas/common.js"
import { global } from "../../src/v3/globalHost.js"
import { hk, v3 } from "../../src/v3/index.js"
import { type Accepted, accepted } from "./accepted.js"
import { type FactField, type FactLocation as Location, type FactOperation, type FactType, placeholderShape as shape, readFacts, type Sdk } from "./facts.js"

/** A fact's kind, or an upload's file. */
type Kind = FactType["type"] | "file"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")

// ---- the surface, read from the schemas' AST ------------------------------------------------

interface Node {
  readonly type: Kind
  /** Closed (a request's literals) or documented (an answer's `OpenEnum`). */
  readonly enum?: ReadonlyArray<string | number>
  readonly items?: Node
  readonly fields?: ReadonlyMap<string, { readonly required: boolean; readonly node: Node }>
}

const INT_IDENTIFIERS = new Set(["Int", "PositiveInt", "Fen", "NonNegativeInt"])

const nodeOf = (ast: AST.AST): Node => {
  switch (ast._tag) {
    case "StringKeyword": {
      const values = ast.annotations[DocumentedValues] as ReadonlyArray<string> | undefined
      return values === undefined ? { type: "string" } : { type: "string", enum: values }
    }
    case "NumberKeyword":
      return { type: "number" }
    case "BooleanKeyword":
      return { type: "boolean" }
    case "Literal":
      return typeof ast.literal === "string"
        ? { type: "string", enum: [ast.literal] }
        : typeof ast.literal === "number"
        ? { type: Number.isInteger(ast.literal) ? "integer" : "number", enum: [ast.literal] }
        : typeof ast.literal === "boolean"
        ? { type: "boolean" }
        : { type: "unknown" }
    case "Refinement": {
      const from = nodeOf(ast.from)
      const id = AST.getIdentifierAnnotation(ast)
      if (from.type === "number" && (id._tag === "Some" && INT_IDENTIFIERS.has(id.value) || isIntRefinement(ast))) return { ...from, type: "integer" }
      const values = ast.annotations[DocumentedValues] as ReadonlyArray<string> | undefined
      return values === undefined ? from : { ...from, enum: values }
    }
    case "Union": {
      const members = ast.types.filter((t) => t._tag !== "UndefinedKeyword" && !(t._tag === "Literal" && t.literal === null)).map(nodeOf)
      if (members.length === 1) return members[0]!
      if (members.length > 0 && members.every((m) => m.enum !== undefined && m.type === members[0]!.type)) {
        return { type: members[0]!.type, enum: members.flatMap((m) => m.enum!) }
      }
      return { type: "unknown" }
    }
    case "TupleType":
      return ast.rest.length === 1 && ast.elements.length === 0 ? { type: "array", items: nodeOf(ast.rest[0]!.type) } : { type: "unknown" }
    case "TypeLiteral":
      return {
        type: "object",
        fields: new Map(ast.propertySignatures.map((p) => [String(p.name), { required: !p.isOptional, node: nodeOf(p.type) }]))
      }
    case "Suspend":
      return nodeOf(ast.f())
    case "Transformation":
      return nodeOf(ast.to)
    case "Declaration":
      return { type: "file" }
    default:
      return { type: "unknown" }
  }
}

/** `Schema.Int`'s refinement (and `int()` filters) as Effect names them. */
const isIntRefinement = (ast: AST.Refinement): boolean => {
  const schemaId = ast.annotations[AST.SchemaIdAnnotationId]
  return typeof schemaId === "symbol" && schemaId.description?.includes("Int") === true
}

const LOCATIONS: ReadonlyArray<readonly [Location, "params" | "query" | "headers" | "body"]> = [
  ["path", "params"],
  ["query", "query"],
  ["header", "headers"],
  ["body", "body"]
]

interface Ours {
  readonly name: string
  readonly family: string
  readonly request: ReadonlyMap<Location, Node>
  readonly response: Node | undefined
}

const leaves = (node: unknown, out: Array<Endpoint.Endpoint<any, any, any>>): Array<Endpoint.Endpoint<any, any, any>> => {
  if (Endpoint.isEndpoint(node)) out.push(node)
  if (node !== null && typeof node === "object") for (const v of Object.values(node)) leaves(v, out)
  return out
}

/** The family of a path, as docs/endpoints.md groups them: `/v3/pay/…` → `pay`, `/hk/v3/…` → `hk`. */
const familyOf = (p: string) => (p.startsWith("/v3/") ? p.split("/")[2]! : p.split("/")[1]!)


const surface = (roots: ReadonlyArray<unknown>): ReadonlyMap<string, Ours> => {
  const out = new Map<string, Ours>()
  for (const e of [...new Set(roots.flatMap((r) => leaves(r, [])))]) {
    const key = `${e.spec.method} ${shape(e.spec.path)}`
    if (out.has(key)) continue
    const schemas = e.spec.schemas()
    const request = new Map<Location, Node>()
    for (const [l, s] of LOCATIONS) if (schemas[s] !== undefined) request.set(l, nodeOf(schemas[s]!.ast))
    const success = schemas.success as { readonly ast?: AST.AST } | undefined
    out.set(key, {
      name: e.spec.name,
      family: familyOf(e.spec.path),
      request,
      response: success?.ast === undefined ? undefined : nodeOf(success.ast)
    })
  }
  return out
}

/**
 * The catalogue as it reads (`generate.ts --raw`: no overlay, no official SDKs, no supplement, its
 * own answer `required` lists), generated into a scratch folder of src/ and read like the surface:
 * what differed before the fixes, so the table can count what they fixed.
 */
const baseline = async (): Promise<ReadonlyMap<string, Ours>> => {
  const dir = path.join(repoRoot, "src", ".fidelity-baseline")
  const run = spawnSync(process.execPath, ["--import", "tsx", path.join(repoRoot, "codegen/generator/main.ts"), "--raw", "--out", dir], { encoding: "utf8" })
  try {
    if (run.status !== 0) throw new Error(`generate.ts --raw failed:\n${run.stderr}`)
    const modules: Array<unknown> = await Promise.all(fs.readdirSync(dir).sort().map((f) => import(pathToFileURL(path.join(dir, f)).href)))
    return surface(modules)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

// ---- comparing --------------------------------------------------------------------------------

export type DifferenceKind =
  | "no such operation"
  | "missing field"
  | "extra field"
  | "type"
  | "optionality"
  | "enum missing"
  | "enum values"
  | "enum not in SDK"

export interface Difference {
  readonly sdk: Sdk
  readonly operation: string
  readonly where: string
  readonly kind: DifferenceKind
  readonly ours?: string
  readonly theirs?: string
}

/**
 * Types that agree: an integer where the SDK has a float type; an answer's `number` for the SDK's
 * integer (answers decode any JSON number, by design); a file upload for the SDK's string.
 */
const sameType = (ours: Kind, theirs: Kind, answer: boolean) =>
  ours === theirs || theirs === "unknown" || ours === "unknown" || (ours === "integer" && theirs === "number") ||
  (answer && ours === "number" && theirs === "integer") || (ours === "file" && theirs === "string")

const compareType = (
  sdk: Sdk,
  operation: string,
  where: string,
  ours: Node,
  theirs: FactType,
  answer: boolean,
  out: Array<Difference>
) => {
  if (!sameType(ours.type, theirs.type, answer)) {
    out.push({ sdk, operation, where, kind: "type", ours: ours.type, theirs: theirs.type })
    return
  }
  if (theirs.enum !== undefined && theirs.enum.length > 0) {
    if (ours.enum === undefined) out.push({ sdk, operation, where, kind: "enum missing", theirs: theirs.enum.join(" ") })
    else {
      const a = [...ours.enum].map(String).sort()
      const b = [...theirs.enum].map(String).sort()
      // a request enum must hold every value the SDK can send; an answer's documented values may be more
      const lacking = b.filter((v) => !a.includes(v))
      const beyond = answer ? [] : a.filter((v) => !b.includes(v))
      if (lacking.length > 0 || beyond.length > 0) out.push({ sdk, operation, where, kind: "enum values", ours: a.join(" "), theirs: b.join(" ") })
    }
  }
  if (ours.type === "array" && ours.items !== undefined && theirs.items !== undefined) {
    compareType(sdk, operation, `${where}[]`, ours.items, theirs.items, answer, out)
  }
  if (ours.type === "object" && ours.fields !== undefined && theirs.fields !== undefined) {
    compareFields(sdk, operation, where, ours.fields, theirs.fields, answer, out)
  }
}

const compareFields = (
  sdk: Sdk,
  operation: string,
  where: string,
  ours: ReadonlyMap<string, { readonly required: boolean; readonly node: Node }>,
  theirs: ReadonlyArray<FactField>,
  answer: boolean,
  out: Array<Difference>
) => {
  const names = new Set(theirs.map((f) => f.name))
  for (const f of theirs) {
    const at = where === "" ? f.name : `${where}.${f.name}`
    const mine = ours.get(f.name)
    if (mine === undefined) {
      out.push({ sdk, operation, where: at, kind: "missing field", theirs: f.type })
      continue
    }
    // the SDKs state optionality for requests (Go: no omitempty); an answer is optional unless a page says otherwise
    if (!answer && f.required !== null && f.required !== mine.required) {
      out.push({ sdk, operation, where: at, kind: "optionality", ours: mine.required ? "required" : "optional", theirs: f.required ? "required" : "optional" })
    }
    compareType(sdk, operation, at, mine.node, f, answer, out)
  }
  for (const [name] of ours) {
    if (!names.has(name)) out.push({ sdk, operation, where: where === "" ? name : `${where}.${name}`, kind: "extra field" })
  }
}

const compareOperation = (sdk: Sdk, op: FactOperation, ours: Ours | undefined, out: Array<Difference>) => {
  const operation = `${op.method} ${op.path}`
  if (ours === undefined) {
    out.push({ sdk, operation, where: "", kind: "no such operation" })
    return
  }
  for (const [l] of LOCATIONS) {
    const theirs = op.request.filter((f) => (f.location ?? "body") === l)
    const mine = ours.request.get(l)
    const fields = mine?.fields ?? new Map()
    // path placeholders are matched by position, not name: compared as the path itself
    if (l === "path") continue
    if (theirs.length === 0 && fields.size === 0) continue
    compareFields(sdk, operation, `request ${l}`, fields, theirs, false, out)
  }
  if (op.response !== null) {
    const mine = ours.response
    if (mine?.fields === undefined) out.push({ sdk, operation, where: "answer", kind: "type", ours: mine?.type ?? "none", theirs: "object" })
    else compareFields(sdk, operation, "answer", mine.fields, op.response, true, out)
  }
}

const strip = (where: string) => where.replace(/^(request (path|query|header|body)|answer)\.?/, "")

const isAccepted = (d: Difference): Accepted | undefined =>
  accepted.find((a) =>
    (a.sdk === undefined || a.sdk === d.sdk) &&
    (a.operation === undefined || (typeof a.operation === "string" ? a.operation === d.operation : a.operation.test(d.operation))) &&
    (a.kind === undefined || a.kind === d.kind) &&
    (a.where === undefined || (typeof a.where === "string" ? a.where === d.where : a.where.test(d.where)))
  )

// ---- main -------------------------------------------------------------------------------------

const identity = (d: Difference) => `${d.sdk}|${d.kind}|${d.operation}|${d.where}`

const main = async () => {
  const check = process.argv.includes("--check")
  const ours = surface([v3, hk, global])
  const before = await baseline()
  const facts = readFacts(repoRoot)
  const differences: Array<Difference & { readonly reason?: string }> = []
  const byFamily = new Map<
    string,
    { operations: Set<string>; disagree: Set<string>; catalogue: number; fixed: number; found: number; accepted: number; open: number }
  >()
  const uncovered: Array<string> = []
  const used = new Set<Accepted>()
  for (const f of facts) {
    // an SDK states some operations in several services (payments/jsapi, /app …): compared once
    const seen = new Set<string>()
    for (const op of f.operations) {
      const key = `${op.method} ${shape(op.path)}`
      if (seen.has(key)) continue
      seen.add(key)
      const mine = ours.get(key)
      const family = mine?.family ?? "(not generated)"
      const row = byFamily.get(family) ?? { operations: new Set(), disagree: new Set(), catalogue: 0, fixed: 0, found: 0, accepted: 0, open: 0 }
      byFamily.set(family, row)
      row.operations.add(key)
      const found: Array<Difference> = []
      compareOperation(f.sdk, op, mine, found)
      // what the catalogue alone gave, and how much of it the generator's rules and the overlay fixed
      const was: Array<Difference> = []
      compareOperation(f.sdk, op, before.get(key), was)
      const now = new Set(found.map(identity))
      row.catalogue += was.length
      row.fixed += was.filter((d) => !now.has(identity(d))).length
      if (mine === undefined) uncovered.push(`${f.sdk}: ${key}`)
      for (const d of found) {
        const a = isAccepted(d)
        if (a !== undefined) used.add(a)
        differences.push(a === undefined ? d : { ...d, reason: a.reason })
        row.found++
        if (a === undefined) {
          row.open++
          // an operation agrees when neither SDK leaves a difference open
          row.disagree.add(key)
        } else row.accepted++
      }
    }
  }

  // an accepted entry that matches nothing is stale: its reason would outlive what it explained
  const stale = accepted.filter((a) => !used.has(a))
  if (stale.length > 0) {
    process.stderr.write(`accepted.ts entries that match no difference (remove them):\n${stale.map((a) => `  ${String(a.operation ?? "*")} ${String(a.where ?? "*")}: ${a.reason.slice(0, 60)}…`).join("\n")}\n`)
    process.exit(1)
  }

  const rows = [...byFamily.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const total = rows.reduce(
    (t, [, r]) => ({
      operations: t.operations + r.operations.size,
      agree: t.agree + r.operations.size - r.disagree.size,
      catalogue: t.catalogue + r.catalogue,
      fixed: t.fixed + r.fixed,
      found: t.found + r.found,
      accepted: t.accepted + r.accepted,
      open: t.open + r.open
    }),
    { operations: 0, agree: 0, catalogue: 0, fixed: 0, found: 0, accepted: 0, open: 0 }
  )
  const reasons = new Map<string, number>()
  for (const d of differences) if (d.reason !== undefined) reasons.set(d.reason, (reasons.get(d.reason) ?? 0) + 1)
  const byKind = new Map<string, number>()
  for (const d of differences) if (d.reason === undefined) byKind.set(d.kind, (byKind.get(d.kind) ?? 0) + 1)

  const md = [
    "# Fidelity: the generated surface against the official SDKs",
    "",
    "Generated by `npx tsx scripts/official/crosscheck.ts` (checked by `npm test`): do not edit.",
    "",
    "The official SDKs' generated models are made from WeChat Pay's internal specs. Their facts",
    "(operations, field names, types, request optionality, enum values) are extracted into",
    "`vendor/official-sdks/*/facts.json` (no SDK code) and compared with the schemas this package",
    "runs. A difference is fixed by an overlay entry citing its source (`codegen/overlay/`), then it",
    "no longer shows here, or accepted with a reason (`scripts/official/accepted.ts`).",
    "",
    ...facts.map((f) => `- ${f.sdk}: ${f.repository} at \`${f.commit}\` (${f.license}), ${f.operations.length} operations`),
    "",
    "What is compared: request fields by location (query, header, body; path placeholders by position),",
    "their types, optionality (wechatpay-go only: a field without `omitempty` is required; Java's",
    "models do not say), closed enum values (a request enum must allow every value the SDK sends);",
    "answer fields, types and documented values. Answer optionality is not compared: every official",
    "SDK answer field is optional (Go: pointers), and this package makes an answer field required only",
    "where the page's 应答参数 table says 必填 (docs/architecture.md: what an answer may omit).",
    "",
    "## By family",
    "",
    "| family | operations compared | agree (or accepted) | in the catalogue | fixed | differences now | accepted | open |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(([name, r]) =>
      `| ${name} | ${r.operations.size} | ${r.operations.size - r.disagree.size} | ${r.catalogue} | ${r.fixed} | ${r.found} | ${r.accepted} | ${r.open} |`
    ),
    `| **all** | **${total.operations}** | **${total.agree}** | **${total.catalogue}** | **${total.fixed}** | **${total.found}** | **${total.accepted}** | **${total.open}** |`,
    "",
    "(An operation both SDKs cover is counted once; its differences, once per SDK. *In the catalogue*: the",
    "differences of the catalogue as it reads, generated with `scripts/generate.ts --raw` (no overlay, no",
    "official SDKs, its own answer `required` lists); *fixed*: those the generator's rules, the SDKs' facts",
    "and the overlay removed. A fix can also surface a difference the catalogue hid (a field it lacked",
    "entirely), so *differences now* is not *in the catalogue* less *fixed*.)",
    "",
    "## Accepted, by reason",
    "",
    ...(reasons.size === 0 ? ["(none)"] : [...reasons.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `- ${n} × ${r}`)),
    "",
    "## Open, by kind",
    "",
    ...(byKind.size === 0 ? ["(none)"] : [...byKind.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `- ${n} × ${k}`)),
    "",
    "Every difference, with its status: `vendor/official-sdks/differences.json`.",
    ""
  ].join("\n")
  const json = `${JSON.stringify(differences.map((d) => ({ ...d, where: d.where === "" ? undefined : d.where, field: strip(d.where) || undefined })), null, 1)}\n`

  const outputs: ReadonlyArray<readonly [string, string]> = [
    [path.join(repoRoot, "docs/fidelity.md"), md],
    [path.join(repoRoot, "vendor/official-sdks/differences.json"), json]
  ]
  if (check) {
    const stale = outputs.filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text)
    if (stale.length > 0) {
      process.stderr.write(`out of date (run npx tsx scripts/official/crosscheck.ts): ${stale.map(([f]) => path.relative(repoRoot, f)).join(", ")}\n`)
      process.exit(1)
    }
  } else for (const [file, text] of outputs) fs.writeFileSync(file, text)
  process.stdout.write(
    `${total.operations} operations compared; the catalogue alone: ${total.catalogue} differences, ${total.fixed} fixed; now ${total.found}: ` +
      `${total.accepted} accepted, ${total.open} open; ${uncovered.length} SDK operations not generated\n`
  )
}

await main()
