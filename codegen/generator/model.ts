/**
 * The model every later step works on: what the catalogue says of each operation, one shape for
 * requests and answers, built from its schemas. It knows nothing of any output target: an
 * emitter decides what a `Ty` becomes in its language and library.
 */
import type { CuratedLeafOf } from "../curated.js"
import type { FieldRule, OperationOverlay } from "../overlay.js"
import type { Catalogue } from "./catalogue.js"
import { isObj, type Obj } from "./catalogue.js"
import { note, warn } from "./log.js"

export type Kind = "string" | "integer" | "number" | "boolean" | "array" | "object" | "record" | "unknown" | "file"

export interface Ty {
  kind: Kind
  description?: string | undefined
  hasExample: boolean
  example?: unknown
  enum?: Array<string | number> | undefined
  format?: string | undefined
  minLength?: number | undefined
  maxLength?: number | undefined
  pattern?: string | undefined
  minimum?: number | undefined
  maximum?: number | undefined
  minItems?: number | undefined
  maxItems?: number | undefined
  nullable?: boolean | undefined
  items?: Ty | undefined
  fields?: Array<Field> | undefined
  /** `x-is-sensitive` on an object: its fields that are RSA-OAEP encrypted. */
  sensitive?: Array<string> | undefined
  /** On an object: the catalogue's definition it came from (a `$ref`'s target name), a name for its model. */
  definition?: string | undefined
  /** On an object: the overlay's "one of" rules between its fields (names of its own fields). */
  rules?: Array<FieldRule> | undefined
}

export interface Field {
  name: string
  required: boolean
  ty: Ty
  /** In an answer: whether the catalogue listed it as required, so the sandbox's example shows it. */
  inExample?: boolean | undefined
}

export const METHODS = ["get", "post", "put", "patch", "delete"] as const
export type Method = (typeof METHODS)[number]

export type LocationName = "params" | "query" | "headers" | "body"
export const LOCATIONS: ReadonlyArray<LocationName> = ["params", "query", "headers", "body"]

/**
 * The catalogue's hosts, each a root of its own: `v3` (api.mch), and the path prefixes served by
 * other hosts (`/hk/v3/…`, `/global/v3/…`).
 */
export type Root = "v3" | "hk" | "global"

/** A chain leaf that is a hand-written declaration (codegen/curated.ts), not a generated one. */
export type CuratedLeaf = CuratedLeafOf

export interface Skipped {
  readonly key: string
  readonly reason: string
}

export interface Operation {
  /** `"POST /v3/discount-card/cards"`: the overlay's key. */
  readonly key: string
  readonly method: Method
  readonly url: string
  readonly root: Root
  /** The tree's export name: a v3 family (`pay`), or the root itself (`hk`, `global`). */
  readonly family: string
  /** The module it is generated into (`pay`, `hk`, `globalHost`). */
  readonly module: string
  /** Chain keys below the family, the method last. */
  readonly chain: ReadonlyArray<string>
  readonly summary: string
  readonly description: string
  readonly deprecated: boolean
  readonly tags: ReadonlyArray<string>
  readonly locations: Partial<Record<LocationName, Array<Field>>>
  /** `"none"`: 204; `"accepted"`: a documented 202 without a body; `undefined`: no schema (unknown). */
  readonly success: Ty | "none" | "accepted" | "download" | undefined
  /** `undefined`: no `Wechatpay-Serial`. */
  readonly encrypt: ReadonlyArray<string> | undefined
  /** `x-is-sensitive` on the body object itself (for the fields' docs). */
  readonly bodySensitive: ReadonlyArray<string>
  /** The overlay's rules between top-level body fields. */
  bodyRules: Array<FieldRule>
  /** A multipart upload: the form field of the file (the others, `meta` first, are body fields). */
  readonly upload: { readonly file: string } | undefined
  /** Its overlay entry (its family files' entries merged); none in a raw run. */
  readonly overlay: OperationOverlay | undefined
  /** Its hand-written leaf; none in a raw run (the catalogue as it reads). */
  readonly curated: CuratedLeaf | undefined
}

/** The type an array holds (through nested arrays); the type itself otherwise. */
export const innermost = (ty: Ty): Ty => {
  while (ty.kind === "array" && ty.items !== undefined) ty = ty.items
  return ty
}

/** The field at a dotted path (through arrays) and the field list holding it. */
export const locate = (fields: Array<Field> | undefined, dotted: string): { readonly parent: Array<Field>; readonly field: Field } | undefined => {
  const parts = dotted.split(".")
  let current = fields
  for (const [i, part] of parts.entries()) {
    const field = current?.find((f) => f.name === part)
    if (field === undefined || current === undefined) return undefined
    if (i === parts.length - 1) return { parent: current, field }
    current = innermost(field.ty).fields
  }
  return undefined
}

export const findField = (fields: Array<Field>, dotted: string): Field | undefined => locate(fields, dotted)?.field

/** Every request field of an operation, in the flat input's order of locations. */
export const requestFields = (op: Operation): Array<Field> => LOCATIONS.flatMap((l) => op.locations[l] ?? [])

/** The fields of an answer's object, or undefined. */
export const answerFields = (op: Operation): Array<Field> | undefined =>
  typeof op.success === "object" && op.success.kind === "object" ? op.success.fields : undefined

// ---------------------------------------------------------------------------------------------
// From the catalogue's schemas

const TYPE_ALIASES: Readonly<Record<string, Kind>> = {
  string: "string",
  integer: "integer",
  int: "integer",
  int32: "integer",
  int64: "integer",
  uint64: "integer",
  number: "number",
  boolean: "boolean",
  array: "array",
  object: "object",
  stringde: "string"
}

const kindOf = (node: Obj, where: string): Kind | undefined => {
  const t = node.type
  if (t === undefined) return undefined
  if (typeof t !== "string") {
    warn("type that is not a string: unknown", `${where}: ${JSON.stringify(t)}`)
    return "unknown"
  }
  const trimmed = t.trim()
  if (trimmed !== t) note("type with surrounding spaces, trimmed", `${where}: ${JSON.stringify(t)}`)
  const kind = TYPE_ALIASES[trimmed]
  if (kind === undefined) {
    warn("unknown type: unknown", `${where}: ${JSON.stringify(t)}`)
    return "unknown"
  }
  if (trimmed !== kind) note(`type spelled ${JSON.stringify(trimmed)}, read as ${kind}`, where)
  return kind
}

export const num = (u: unknown): number | undefined => (typeof u === "number" && Number.isFinite(u) ? u : undefined)
export const str = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)

/** Adds `more` to `fields`: a field defined in both is required if either says so, its types merged. */
const mergeFields = (fields: Array<Field>, more: ReadonlyArray<Field>, where: string) => {
  for (const f of more) {
    const i = fields.findIndex((g) => g.name === f.name)
    if (i === -1) fields.push({ ...f })
    else fields[i] = { name: f.name, required: fields[i]!.required || f.required, ty: mergeTy(fields[i]!.ty, f.ty, `${where}.${f.name}`) }
  }
}

/**
 * One property defined by two `allOf` parts: objects merge field by field (recursively), arrays
 * by their items; scalars of one kind keep the first part's constraints and take what only the
 * second says. Kinds that conflict keep the first and warn (the overlay settles them).
 */
const mergeTy = (a: Ty, b: Ty, where: string): Ty => {
  if (a.kind === "object" && b.kind === "object") {
    const fields: Array<Field> = (a.fields ?? []).map((f) => ({ ...f }))
    mergeFields(fields, b.fields ?? [], where)
    const sensitive = [...new Set([...(a.sensitive ?? []), ...(b.sensitive ?? [])])]
    return { ...b, ...a, hasExample: a.hasExample || b.hasExample, fields, sensitive: sensitive.length > 0 ? sensitive : undefined, definition: undefined }
  }
  if (a.kind === "record" && b.kind === "object") return { ...b, description: a.description ?? b.description }
  if (a.kind === "object" && b.kind === "record") return a
  if (a.kind === "array" && b.kind === "array") {
    const items = a.items !== undefined && b.items !== undefined ? mergeTy(a.items, b.items, where) : a.items ?? b.items
    return { ...b, ...a, items }
  }
  if (a.kind === b.kind) {
    const merged: Ty = { ...a }
    for (const [k, v] of Object.entries(b) as Array<[keyof Ty, unknown]>) {
      if (v !== undefined && merged[k] === undefined) (merged as unknown as Record<string, unknown>)[k] = v
    }
    return merged
  }
  if (a.kind === "unknown") return b
  if (b.kind === "unknown") return a
  warn("allOf redefines a property with another type: the first kept", `${where}: ${a.kind} and ${b.kind}`)
  return a
}

/** The model of a schema found in `file`; `where` names the place for notes: `"METHOD /path" body.a.b`. */
export const toTy = (catalogue: Catalogue, raw: unknown, file: string, where: string, depth = 0): Ty => {
  if (depth > 32) {
    warn("schema nested too deep (recursive?): unknown", where)
    return { kind: "unknown", hasExample: false }
  }
  const { node, file: at, definition } = catalogue.deref(raw, file)
  if (!isObj(node)) return { kind: "unknown", hasExample: false }
  const base: Ty = {
    kind: "unknown",
    description: str(node.description),
    hasExample: "example" in node,
    example: node.example,
    format: str(node.format),
    nullable: node.nullable === true ? true : undefined
  }
  const ownFields = (): Array<Field> | undefined => {
    if (!isObj(node.properties)) return undefined
    const required = new Set(Array.isArray(node.required) ? node.required.filter((r): r is string => typeof r === "string") : [])
    return Object.entries(node.properties).map(([name, p]) => {
      const ty = toTy(catalogue, p, at, `${where}.${name}`, depth + 1)
      // `required: true` on the property itself (Swagger wants a list on the object)
      const own = isObj(p) && p.required === true
      if (own) note("required: true on a property instead of the object's list", `${where}.${name}`)
      return { name, required: required.has(name) || own, ty }
    })
  }
  const sensitive = (): Array<string> | undefined => {
    const s = node["x-is-sensitive"]
    return Array.isArray(s) ? s.filter((x): x is string => typeof x === "string") : undefined
  }

  if (Array.isArray(node.allOf)) {
    const parts = node.allOf.map((p, i) => toTy(catalogue, p, at, `${where}(allOf ${i})`, depth + 1))
    const own = ownFields()
    if (parts.length === 1 && own === undefined && parts[0]!.kind !== "object" && parts[0]!.kind !== "record") {
      const only = parts[0]!
      return { ...only, description: base.description ?? only.description, hasExample: base.hasExample || only.hasExample, example: base.hasExample ? base.example : only.example }
    }
    if (own === undefined && parts.length > 1 && parts.every((p) => p.kind === parts[0]!.kind && p.kind !== "object" && p.kind !== "record" && p.kind !== "array")) {
      // allOf over enums of one type (a shared enum and the values this operation adds): their union
      note("allOf over primitives: one primitive, the enums' union", where)
      const first = parts[0]!
      const enums = parts.every((p) => p.enum !== undefined) ? [...new Set(parts.flatMap((p) => p.enum ?? []))] : undefined
      return {
        ...first,
        enum: enums,
        description: base.description ?? first.description,
        format: base.format ?? first.format,
        nullable: base.nullable ?? first.nullable,
        hasExample: base.hasExample || first.hasExample,
        example: base.hasExample ? base.example : first.example
      }
    }
    const fields: Array<Field> = []
    const sens: Array<string> = [...(sensitive() ?? [])]
    const extra = Array.isArray(node.required) ? node.required.filter((r): r is string => typeof r === "string") : []
    for (const part of [...parts, { kind: "object", hasExample: false, fields: own ?? [] } satisfies Ty]) {
      if (part.kind !== "object" && part.kind !== "record") {
        warn("allOf part that is not an object: ignored", where)
        continue
      }
      mergeFields(fields, part.fields ?? [], where)
      sens.push(...(part.sensitive ?? []))
      base.description ??= part.description
    }
    for (const f of fields) if (extra.includes(f.name)) f.required = true
    if (fields.length === 0) return { ...base, kind: "record" }
    return { ...base, kind: "object", fields, sensitive: sens.length > 0 ? sens : undefined, definition }
  }

  let kind = kindOf(node, where)
  if (kind === undefined) kind = isObj(node.properties) ? "object" : node.items !== undefined ? "array" : Array.isArray(node.enum) ? "string" : "unknown"
  switch (kind) {
    case "string":
    case "integer":
    case "number": {
      const values = Array.isArray(node.enum) ? node.enum : undefined
      const coerced = values?.map((v) => (kind === "string" ? String(v) : Number(v)))
      if (values !== undefined && kind === "string" && values.some((v) => typeof v !== "string")) note("enum values that are not strings on a string: read as strings", where)
      if (coerced !== undefined && kind !== "string" && coerced.some((v) => Number.isNaN(v))) {
        warn("enum values that are not numbers on a number: enum ignored", where)
        return { ...base, kind }
      }
      return {
        ...base,
        kind,
        enum: coerced,
        minLength: num(node.minLength),
        maxLength: num(node.maxLength),
        pattern: str(node.pattern),
        minimum: num(node.minimum),
        maximum: num(node.maximum)
      }
    }
    case "boolean":
      return { ...base, kind }
    case "array":
      return {
        ...base,
        kind,
        items: node.items === undefined ? { kind: "unknown", hasExample: false } : toTy(catalogue, node.items, at, where, depth + 1),
        minItems: num(node.minItems),
        maxItems: num(node.maxItems)
      }
    case "object": {
      const fields = ownFields()
      if (fields === undefined || fields.length === 0) return { ...base, kind: "record" }
      if (node.additionalProperties !== undefined && node.additionalProperties !== false) warn("object with properties and additionalProperties: the properties only", where)
      return { ...base, kind, fields, sensitive: sensitive(), definition }
    }
    default:
      return { ...base, kind: "unknown" }
  }
}
