/**
 * The Effect 3 text of one endpoint's types: a TypeScript interface and an Effect `Schema` for
 * each object of the model, named after where it sits (`PayTransactionsJsapiBodyAmount`).
 */
import { CURATED_MODULES } from "../../../curated.js"
import type { FieldRule, FieldRuleKind } from "../../../overlay.js"
import type { FieldRuleKind as CommonFieldRuleKind } from "../../../../src/schemas/common.js"
import { type Field, innermost, type Ty } from "../../model.js"
import { jsdoc, key, pascal, RESERVED, usablePattern } from "../typescript.js"

// compile-time: the overlay's rule kinds are the ones src/schemas/common.ts `FieldRule` checks
const sameRuleKinds: [FieldRuleKind, CommonFieldRuleKind] extends [CommonFieldRuleKind, FieldRuleKind] ? true : false = true
void sameRuleKinds

export type Mode = "request" | "response"

/** The helpers of src/schemas/common.ts a module may use. */
export type CommonHelper = "BoundedString" | "PatternString" | "Rfc3339" | "OpenEnum" | "IsoDate" | "IpAddress" | "UrlString" | "FieldRule"

/** What a family module imports; the emitters add to it while emitting. */
export interface Uses {
  schema: boolean
  endpoint: boolean
  commonErrors: boolean
  commonError: boolean
  common: Set<CommonHelper>
  codes: Set<string>
  curated: Set<string>
}

/** Interfaces and local schema consts of one endpoint, in declaration order. */
interface Out {
  readonly interfaces: Array<string>
  readonly consts: Array<string>
}

/** One family module's names and imports. */
export class Family {
  /** Names a generated interface may not take: the module's imports (the curated modules included). */
  readonly names = new Set<string>(["Schema", "Endpoint", "CommonError", "BoundedString", "PatternString", "Rfc3339", "OpenEnum", "IsoDate", "IpAddress", "UrlString", "FieldRule", ...CURATED_MODULES])
  readonly values = new Set<string>()
  readonly uses: Uses = { schema: false, endpoint: false, commonErrors: false, commonError: false, common: new Set(), codes: new Set(), curated: new Set() }
  readonly errorSets = new Map<string, string>()

  constructor(readonly name: string) {}

  /** A unique interface name in this module. */
  typeName(wanted: string): string {
    let name = wanted
    for (let i = 2; this.names.has(name); i++) name = `${wanted}${i}`
    this.names.add(name)
    return name
  }

  /** A unique module-level value name. */
  valueName(wanted: string): string {
    let name = RESERVED.has(wanted) ? `${wanted}_` : wanted
    for (let i = 2; this.values.has(name) || this.names.has(name); i++) name = `${wanted}${i}`
    this.values.add(name)
    return name
  }
}

/** The field's JSDoc: description, enum values (answers), sensitivity, example. */
const fieldDoc = (f: Field, mode: Mode, sensitive: boolean, indent: string): string => {
  const lines: Array<string> = []
  if (f.ty.description !== undefined && f.ty.description.trim() !== "") lines.push(f.ty.description.trim())
  const ty = innermost(f.ty)
  if (mode === "response" && ty.enum !== undefined && ty.enum.length > 0) {
    lines.push(`Documented values: ${ty.enum.map((v) => `\`${String(v)}\``).join(", ")} (decoded as any ${ty.kind === "string" ? "string" : "number"}: more may come).`)
  }
  if (sensitive) lines.push(mode === "request" ? "Sensitive: encrypted with WeChat Pay's public key before sending (`encrypt`)." : "Sensitive: encrypted by WeChat Pay with the merchant's public key.")
  if (f.ty.hasExample && (f.ty.example === null || typeof f.ty.example !== "object")) {
    const e = typeof f.ty.example === "bigint" ? f.ty.example.toString() : JSON.stringify(f.ty.example)
    lines.push(`@example ${e}`)
  }
  return jsdoc(lines, indent)
}

/**
 * The types of one endpoint: requests are checked (lengths, patterns, enums, formats, bounds);
 * answers are decoded for types and presence only, with open enums, so that a value WeChat Pay
 * adds later never fails a verified success.
 */
export class EndpointEmitter {
  readonly out: Out = { interfaces: [], consts: [] }
  constructor(readonly family: Family, readonly where: string) {}

  /** Type text of `ty`; nested structs get interfaces named `hint`. */
  typeText(ty: Ty, mode: Mode, hint: string): string {
    const nullable = (t: string) => (mode === "response" && ty.nullable === true ? `${t} | null` : t)
    switch (ty.kind) {
      case "string":
        if (ty.enum !== undefined && ty.enum.length > 0) {
          const values = ty.enum.map((v) => JSON.stringify(String(v))).join(" | ")
          // an answer's enum stays open: WeChat Pay adds values; `string & {}` keeps the editor's completions
          return mode === "request" ? values : nullable(`${values} | (string & {})`)
        }
        return nullable("string")
      case "integer":
      case "number":
        if (mode === "request" && ty.enum !== undefined && ty.enum.length > 0) return ty.enum.map((v) => String(v)).join(" | ")
        return nullable("number")
      case "boolean":
        return nullable("boolean")
      case "array": {
        const item = this.typeText(ty.items!, mode, hint)
        return nullable(`ReadonlyArray<${item}>`)
      }
      case "object":
        return nullable(this.struct(ty, mode, hint).name)
      case "record":
        return nullable("{ readonly [key: string]: unknown }")
      case "unknown":
        return "unknown"
      case "file":
        return "Uint8Array"
    }
  }

  /** Schema text of `ty` (after `typeText` for the same `hint`, which made the struct consts). */
  schemaText(ty: Ty, mode: Mode, hint: string, where: string): string {
    const u = this.family.uses
    u.schema = true
    const nullable = (s: string) => (mode === "response" && ty.nullable === true ? `Schema.NullOr(${s})` : s)
    switch (ty.kind) {
      case "string": {
        if (mode === "response") {
          if (ty.enum === undefined || ty.enum.length === 0) return nullable("Schema.String")
          u.common.add("OpenEnum")
          return nullable(`OpenEnum(${ty.enum.map((v) => JSON.stringify(String(v))).join(", ")})`)
        }
        if (ty.enum !== undefined && ty.enum.length > 0) return `Schema.Literal(${ty.enum.map((v) => JSON.stringify(String(v))).join(", ")})`
        if (ty.format === "rfc3339") {
          u.common.add("Rfc3339")
          return "Rfc3339"
        }
        if (ty.format === "date") {
          u.common.add("IsoDate")
          return "IsoDate"
        }
        if (ty.format === "ip") {
          u.common.add("IpAddress")
          return "IpAddress"
        }
        if (ty.format === "https-url" || ty.format === "url") {
          u.common.add("UrlString")
          return `UrlString(${ty.minLength ?? 1}, ${ty.maxLength ?? 2048}, ${ty.format === "https-url" ? "\"https\"" : "\"any\""})`
        }
        const pattern = ty.pattern === undefined ? undefined : usablePattern(ty.pattern, where)
        if (ty.maxLength !== undefined) {
          // lengths as the official docs write them, string[1, n]: 1 unless the catalogue says otherwise
          const min = ty.minLength ?? 1
          if (pattern === undefined) {
            u.common.add("BoundedString")
            return `BoundedString(${min}, ${ty.maxLength})`
          }
          u.common.add("PatternString")
          return `PatternString(${min}, ${ty.maxLength}, new RegExp(${JSON.stringify(pattern)}), ${JSON.stringify(pattern)})`
        }
        if (pattern === undefined) return ty.minLength === undefined ? "Schema.String" : ty.minLength === 1 ? "Schema.NonEmptyString" : `Schema.String.pipe(Schema.minLength(${ty.minLength}))`
        const checks = [...(ty.minLength !== undefined ? [`Schema.minLength(${ty.minLength})`] : []), `Schema.pattern(new RegExp(${JSON.stringify(pattern)}))`]
        return `Schema.String.pipe(${checks.join(", ")})`
      }
      case "integer":
      case "number": {
        if (mode === "response") return nullable("Schema.Number")
        if (ty.enum !== undefined && ty.enum.length > 0) return `Schema.Literal(${ty.enum.map((v) => String(v)).join(", ")})`
        const base = ty.kind === "integer" ? "Schema.Int" : "Schema.Number"
        const checks = [
          ...(ty.minimum !== undefined ? [`Schema.greaterThanOrEqualTo(${ty.minimum})`] : []),
          ...(ty.maximum !== undefined ? [`Schema.lessThanOrEqualTo(${ty.maximum})`] : [])
        ]
        return checks.length === 0 ? base : `${base}.pipe(${checks.join(", ")})`
      }
      case "boolean":
        return nullable("Schema.Boolean")
      case "array": {
        const items = `Schema.Array(${this.schemaText(ty.items!, mode, hint, where)})`
        if (mode === "response") return nullable(items)
        const checks = [
          ...(ty.minItems !== undefined ? [`Schema.minItems(${ty.minItems})`] : []),
          ...(ty.maxItems !== undefined ? [`Schema.maxItems(${ty.maxItems})`] : [])
        ]
        return checks.length === 0 ? items : `${items}.pipe(${checks.join(", ")})`
      }
      case "object":
        return nullable(this.struct(ty, mode, hint).name)
      case "record":
        return nullable("Schema.Record({ key: Schema.String, value: Schema.Unknown })")
      case "unknown":
        return "Schema.Unknown"
      case "file":
        return "Schema.Uint8ArrayFromSelf"
    }
  }

  private readonly structs = new Map<Ty, { name: string; mode: Mode }>()

  /** The interface and local const of an object (once per object and mode). */
  struct(ty: Ty, mode: Mode, hint: string): { name: string } {
    const done = this.structs.get(ty)
    if (done !== undefined && done.mode === mode) return done
    const name = this.family.typeName(hint)
    this.structs.set(ty, { name, mode })
    this.fields(ty.fields ?? [], mode, name, new Set(ty.sensitive ?? []), this.where, ty.rules ?? [])
    return { name }
  }

  /** Emits `export interface name {…}` and `const name: Schema.Schema<name> = Schema.Struct({…})` for `fields`. */
  fields(fields: ReadonlyArray<Field>, mode: Mode, name: string, sensitive: ReadonlySet<string>, where: string, rules: ReadonlyArray<FieldRule> = []): void {
    const slot = this.out.interfaces.push("") - 1
    const members: Array<string> = []
    const props: Array<string> = []
    for (const f of fields) {
      const hint = name + pascal(f.name)
      const type = this.typeText(f.ty, mode, hint)
      const schema = this.schemaText(f.ty, mode, hint, `${where} ${f.name}`)
      members.push(`${fieldDoc(f, mode, sensitive.has(f.name), "  ")}  readonly ${key(f.name)}${f.required ? `: ${type}` : `?: ${type} | undefined`}`)
      props.push(`${key(f.name)}: ${f.required ? schema : `Schema.optional(${schema})`}`)
    }
    this.out.interfaces[slot] = members.length === 0 ? `export interface ${name} {}` : `export interface ${name} {\n${members.join("\n")}\n}`
    this.family.uses.schema = true
    const struct = props.length === 0 ? "Schema.Struct({})" : `Schema.Struct({\n${props.map((p) => `      ${p}`).join(",\n")}\n    })`
    if (rules.length > 0) this.family.uses.common.add("FieldRule")
    const checked = rules.length === 0 ? struct : `${struct}.pipe(\n      ${rules.map((r) => `FieldRule(${JSON.stringify(r.rule)}, [${r.fields.map((f) => JSON.stringify(f)).join(", ")}])`).join(",\n      ")}\n    )`
    this.out.consts.push(`    const ${name}: Schema.Schema<${name}> = ${checked}`)
  }
}
