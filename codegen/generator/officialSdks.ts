/**
 * The official SDKs' facts (vendor/official-sdks/*\/facts.json, written by scripts/official/):
 * the second source, after the pages (the overlay) and before the catalogue.
 */
import { type FactField, type FactLocation, type FactType, placeholderShape, readFacts } from "../../scripts/official/facts.js"
import { type Field, innermost, type Kind, type LocationName, type Operation, type Ty } from "./model.js"

const SDK_LOCATIONS: Readonly<Record<FactLocation, LocationName>> = { path: "params", query: "query", header: "headers", body: "body" }

const tyOfSdk = (t: FactType): Ty => {
  const kind: Kind = t.type === "string" || t.type === "integer" || t.type === "number" || t.type === "boolean" || t.type === "array" || t.type === "object" ? t.type : "string"
  return {
    kind,
    hasExample: false,
    ...(t.enum !== undefined && t.enum.length > 0 ? { enum: [...t.enum] } : {}),
    ...(t.items !== undefined ? { items: tyOfSdk(t.items) } : {}),
    ...(t.fields !== undefined ? { fields: t.fields.map((f) => ({ name: f.name, required: false, ty: tyOfSdk(f) })) } : {})
  }
}

const innermostSdk = (t: FactType): FactType => {
  while (t.type === "array" && t.items !== undefined) t = t.items
  return t
}

const SCALAR_KINDS: ReadonlySet<Kind> = new Set<Kind>(["string", "integer", "number", "boolean"])

/**
 * Where the catalogue and an SDK give a field different scalar types, the SDK's wins (its models
 * are generated from WeChat Pay's own specs): `number` where WeChat Pay sends integers (amounts in
 * fen, `limit`/`offset`), a `string` where it sends a number. The string-only constraints go with
 * the string type. Whether anything changed.
 */
const takeSdkKind = (ty: Ty, theirs: FactType): boolean => {
  if (theirs.type === "unknown" || ty.kind === theirs.type || !SCALAR_KINDS.has(ty.kind) || !SCALAR_KINDS.has(theirs.type)) return false
  if (ty.kind === "string") {
    ty.minLength = ty.maxLength = ty.pattern = ty.format = undefined
    ty.enum = undefined
  }
  ty.kind = theirs.type
  return true
}

/** The SDK's documented values `ty` lacks, added (an SDK's values are ones WeChat Pay sends or accepts). */
const addSdkValues = (ty: Ty, theirs: FactType): boolean => {
  if (theirs.enum === undefined || theirs.enum.length === 0 || ty.kind !== theirs.type) return false
  if (ty.enum === undefined) {
    ty.enum = [...theirs.enum]
    return true
  }
  const more = theirs.enum.filter((v) => !ty.enum!.includes(v))
  ty.enum.push(...more)
  return more.length > 0
}

/** What `fromOfficialSdks` took, for the summary line. */
export interface SdkCounts {
  requiredSet: number
  fields: number
  types: number
  enums: number
  operations: number
}

/**
 * What the official SDKs' generated models add to or settle in the catalogue, for the operations
 * they cover (the overlay, from the pages, is applied after and wins):
 * - a request field's optionality from wechatpay-go (a field without `omitempty` is required);
 * - fields the catalogue leaves out, in requests and answers (optional: Java's models do not say,
 *   and an answer decodes without them);
 * - scalar types where the two disagree (`takeSdkKind`), and an answer field the catalogue types
 *   as a scalar or leaves free-form (a mis-indented `properties`) where the SDK has an object or a list;
 * - documented values: a request enum allows every value an SDK sends, an answer enum lists
 *   every value an SDK documents (answer enums are open).
 */
export const fromOfficialSdks = (repoRoot: string, operations: ReadonlyArray<Operation>): SdkCounts => {
  const counts = { requiredSet: 0, fields: 0, types: 0, enums: 0, operations: 0 }
  const facts = readFacts(repoRoot).map((f) => f.operations)
  const byShape = new Map(operations.map((op) => [`${op.method.toUpperCase()} ${placeholderShape(op.url)}`, op]))
  const touched = new Set<Operation>()
  const settle = (ours: Array<Field>, theirs: ReadonlyArray<FactField>, side: "request" | "answer", optionality: boolean) => {
    for (const t of theirs) {
      const f = ours.find((o) => o.name === t.name)
      if (f === undefined) {
        ours.push({ name: t.name, required: side === "request" && optionality && t.required === true, ty: tyOfSdk(t) })
        counts.fields++
        continue
      }
      if (side === "request" && optionality && t.required !== null && t.required !== f.required) {
        f.required = t.required
        counts.requiredSet++
      }
      const inner = innermostSdk(t)
      const loose = SCALAR_KINDS.has(f.ty.kind) || f.ty.kind === "record" || f.ty.kind === "unknown"
      if (side === "answer" && loose && (t.type === "object" || t.type === "array") && (t.type !== "object" || t.fields !== undefined)) {
        f.ty = { ...tyOfSdk(t), description: f.ty.description, hasExample: false }
        counts.types++
        continue
      }
      const ty = innermost(f.ty)
      if (takeSdkKind(ty, inner)) counts.types++
      if (addSdkValues(ty, inner)) counts.enums++
      if (inner.fields !== undefined && ty.kind === "object") settle(ty.fields ??= [], inner.fields, side, optionality)
    }
  }
  for (const [i, list] of facts.entries()) {
    for (const op of list) {
      const ours = byShape.get(`${op.method} ${placeholderShape(op.path)}`)
      // a curated leaf is hand-written: nothing generated to settle
      if (ours === undefined || ours.curated !== undefined) continue
      touched.add(ours)
      for (const [loc, l] of Object.entries(SDK_LOCATIONS)) {
        if (loc === "path") continue
        const theirs = op.request.filter((f) => (f.location ?? "body") === loc)
        if (theirs.length === 0) continue
        // optionality: wechatpay-go only (Java's models do not say)
        settle((ours.locations[l] ??= []), theirs, "request", i === 0)
      }
      if (op.response !== null && typeof ours.success === "object" && ours.success.kind === "object") settle((ours.success.fields ??= []), op.response, "answer", false)
    }
  }
  counts.operations = touched.size
  return counts
}
