/**
 * The Effect 3 text of a family's types: a TypeScript interface and an Effect `Schema` for each
 * object of the model, emitted once per family however many endpoints hold it (structurally
 * identical objects are one model), then named: an endpoint's own input and answer after the
 * endpoint (`PayTransactionsJsapiBody`), an object that stands in one place after where it sits
 * (`PayTransactionsJsapiBodyAmount`), and one that several endpoints share after the catalogue's
 * definition or its field (`Amount`, qualified by its parents only as far as it must be to be
 * unique: `ResponseAmount`).
 */
import { CURATED_MODULES } from "../../../curated.js"
import type { FieldRule, FieldRuleKind } from "../../../overlay.js"
import type { FieldRuleKind as CommonFieldRuleKind } from "../../../../src/schemas/common.js"
import { type Field, innermost, type Ty } from "../../model.js"
import { IDENT } from "../../operations.js"
import { jsdoc, key, pascal, RESERVED, usablePattern } from "../typescript.js"

// compile-time: the overlay's rule kinds are the ones src/schemas/common.ts `FieldRule` checks
const sameRuleKinds: [FieldRuleKind, CommonFieldRuleKind] extends [CommonFieldRuleKind, FieldRuleKind] ? true : false = true
void sameRuleKinds

export type Mode = "request" | "response"

/** The helpers of src/schemas/common.ts a module may use. */
export const COMMON_HELPERS = ["BoundedString", "PatternString", "Rfc3339", "OpenEnum", "IsoDate", "IpAddress", "UrlString", "FieldRule", "once"] as const


/**
 * One object type of a family, however many places hold it: one interface. Its texts name the
 * models inside it by placeholder, which `Family.nameModels` resolves.
 */
export interface Model {
  readonly id: number
  /** The interface's members, with their docs (the first place's). */
  readonly members: ReadonlyArray<string>
  /** The catalogue's definition name, where the object came from a `$ref` to one. */
  definition: string | undefined
  /** Where it stands: each place's name parts (`["PayTransactionsJsapi", "Body", "Amount"]`). */
  readonly places: Array<ReadonlyArray<string>>
  /** The names endpoints give it as their own input or answer, and the endpoint (block) of each. */
  readonly endpointNames: Array<{ readonly name: string; readonly block: number }>
  /** The endpoint (block) where it first stands: its interface goes there. */
  readonly home: number
  /** Every endpoint (block) that holds it: a split family declares it in the one module that holds them all, or in its shared module. */
  readonly blocks: Set<number>
  name?: string
}

/**
 * One schema of a model: a request's checks and an answer's lenient decoding can differ for one
 * interface, so a model has one schema per distinct struct (usually one).
 */
export interface StructModel {
  readonly id: number
  readonly model: Model
  /** The `Schema.Struct`'s text, its rules applied. */
  readonly struct: string
  /** The endpoint (block) where it is first used: its lazily built const goes there. */
  readonly home: number
  readonly blocks: Set<number>
  name?: string
}

/** The texts that stand for a model's interface name and its struct's const until they are named. */
export const typePlaceholder = (model: Model): string => `\uE000T${model.id}\uE001`
export const structCall = (struct: StructModel): string => `\uE000S${struct.id}\uE001()`
const PLACEHOLDER = /\uE000([TS])(\d+)\uE001/g

/** A model's interface. */
export const interfaceText = (m: Model): string => `export interface ${m.name} ${m.members.length === 0 ? "{}" : `{\n${m.members.join("\n")}\n}`}`

/** A struct's lazily built const; `export ` in a split family's shared module, which its products import from. */
export const structText = (s: StructModel, exported: "" | "export "): string =>
  `${exported}const ${s.name}: () => Schema.Schema<${s.model.name}> = /*#__PURE__*/ once(() => ${s.struct})`

/** An object's model and struct, as one place holds it. */
export interface Placed {
  readonly model: Model
  readonly struct: StructModel
}

/** One family module's names and imports. */
export class Family {
  /** Names a generated interface may not take: the module's imports (the curated modules included). */
  readonly names = new Set<string>(["Schema", "Endpoint", "CommonError", "commonErrors", ...COMMON_HELPERS, ...CURATED_MODULES])
  readonly values = new Set<string>()
  /** The codes its endpoints document beyond the common set (the prelude re-exports every family's). */
  readonly codes = new Set<string>()
  readonly errorSets = new Map<string, string>()
  readonly models: Array<Model> = []
  readonly structs: Array<StructModel> = []
  private readonly byShape = new Map<string, Model>()
  private readonly byStruct = new Map<string, StructModel>()
  /** The endpoint (block) being emitted. */
  block = 0

  constructor(readonly name: string) {}

  /**
   * The model of this type shape and its struct of this schema shape, each made on its first
   * place; every place is recorded (and a definition name any place has).
   */
  model(
    typeShape: string,
    structShape: string,
    place: ReadonlyArray<string>,
    definition: string | undefined,
    members: () => ReadonlyArray<string>,
    struct: () => string
  ): Placed {
    let model = this.byShape.get(typeShape)
    if (model === undefined) {
      model = { id: this.models.length, members: members(), definition: undefined, places: [], endpointNames: [], home: this.block, blocks: new Set() }
      this.models.push(model)
      this.byShape.set(typeShape, model)
    }
    model.definition ??= definition
    model.places.push(place)
    model.blocks.add(this.block)
    const structKey = `${model.id}\n${structShape}`
    let made = this.byStruct.get(structKey)
    if (made === undefined) {
      made = { id: this.structs.length, model, struct: struct(), home: this.block, blocks: new Set() }
      this.structs.push(made)
      this.byStruct.set(structKey, made)
    }
    made.blocks.add(this.block)
    return { model, struct: made }
  }

  /**
   * Names every model: an endpoint's input or answer after its first endpoint; an object in one
   * place after that place; a shared one after its definition or the shortest run of its last
   * name parts that no other shared model wants (`Amount`, else `ResponseAmount`, …).
   */
  nameModels(): void {
    const shared: Array<Model> = []
    for (const m of this.models) {
      if (m.endpointNames.length > 0) m.name = m.endpointNames[0]!.name
      else if (m.places.length === 1 && m.definition === undefined) m.name = this.typeName(m.places[0]!.join(""))
      else shared.push(m)
    }
    const wanted = (m: Model, depth: number): string | undefined => {
      if (depth === 0) return m.definition === undefined ? undefined : pascal(m.definition)
      const parts = m.places[0]!
      return depth > parts.length ? undefined : parts.slice(-depth).join("")
    }
    let pending = shared
    const deepest = Math.max(0, ...shared.map((m) => m.places[0]!.length))
    for (let depth = 0; depth <= deepest && pending.length > 0; depth++) {
      const counts = new Map<string, number>()
      for (const m of pending) {
        const w = wanted(m, depth)
        if (w !== undefined) counts.set(w, (counts.get(w) ?? 0) + 1)
      }
      pending = pending.filter((m) => {
        const w = wanted(m, depth)
        if (w === undefined || counts.get(w) !== 1 || this.names.has(w) || !IDENT.test(w)) return true
        this.names.add(w)
        m.name = w
        return false
      })
    }
    for (const m of pending) m.name = this.typeName(m.places[0]!.join(""))
    // a struct const after its interface: `$Amount`, and `$Amount2` for a second (an answer's, say)
    const count = new Map<Model, number>()
    for (const s of this.structs) {
      const n = (count.get(s.model) ?? 0) + 1
      count.set(s.model, n)
      s.name = this.valueName(n === 1 ? `$${s.model.name}` : `$${s.model.name}${n}`)
    }
  }

  /** `text` with the models' names in place of their placeholders. */
  resolve(text: string): string {
    return text.replace(PLACEHOLDER, (_, kind: string, id: string) => (kind === "T" ? this.models[Number(id)]!.name! : this.structs[Number(id)]!.name!))
  }

  /**
   * The declarations a block holds: the interfaces and structs first met there, and its
   * endpoints' names for models met before; those `elsewhere` says another module holds (a split
   * family's shared models) are left out.
   */
  declarations(block: number, elsewhere: (x: Model | StructModel) => boolean = () => false): Array<string> {
    const at = <A extends Model | StructModel>(list: ReadonlyArray<A>) => list.filter((x) => x.home === block && !elsewhere(x))
    const structs = at(this.structs)
    const out: Array<string> = []
    for (const m of at(this.models)) {
      out.push(interfaceText(m))
      for (const s of structs) if (s.model === m) out.push(structText(s, ""))
    }
    for (const s of structs) if (s.model.home !== block || elsewhere(s.model)) out.push(structText(s, ""))
    for (const m of this.models) for (const e of m.endpointNames) if (e.block === block && e.name !== m.name) out.push(`export type ${e.name} = ${m.name}`)
    return out
  }

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

/** `ty` with its enum values sorted (in arrays too); an object itself, as its model stands for it. */
const sortedEnums = (ty: Ty): Ty => {
  if (ty.kind === "array" && ty.items !== undefined) {
    const items = sortedEnums(ty.items)
    return items === ty.items ? ty : { ...ty, items }
  }
  if (ty.enum === undefined || ty.enum.length < 2) return ty
  const sorted = [...ty.enum].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0))
  return sorted.every((v, i) => v === ty.enum![i]) ? ty : { ...ty, enum: sorted }
}

/**
 * The types of one endpoint: requests are checked (lengths, patterns, enums, formats, bounds);
 * answers are decoded for types and presence only, with open enums, so that a value WeChat Pay
 * adds later never fails a verified success.
 */
export class EndpointEmitter {
  constructor(readonly family: Family, readonly where: string) {}

  /** Type text of `ty`; its objects are models placed at `place`. */
  typeText(ty: Ty, mode: Mode, place: ReadonlyArray<string>): string {
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
        const item = this.typeText(ty.items!, mode, place)
        return nullable(`ReadonlyArray<${item}>`)
      }
      case "object":
        return nullable(typePlaceholder(this.object(ty, mode, place).model))
      case "record":
        return nullable("{ readonly [key: string]: unknown }")
      case "unknown":
        return "unknown"
      case "file":
        return "Uint8Array"
    }
  }

  /** Schema text of `ty` (after `typeText` for the same place, which made its models). */
  schemaText(ty: Ty, mode: Mode, place: ReadonlyArray<string>, where: string): string {
    const nullable = (s: string) => (mode === "response" && ty.nullable === true ? `Schema.NullOr(${s})` : s)
    switch (ty.kind) {
      case "string": {
        if (mode === "response") {
          if (ty.enum === undefined || ty.enum.length === 0) return nullable("Schema.String")
          return nullable(`OpenEnum(${ty.enum.map((v) => JSON.stringify(String(v))).join(", ")})`)
        }
        if (ty.enum !== undefined && ty.enum.length > 0) return `Schema.Literal(${ty.enum.map((v) => JSON.stringify(String(v))).join(", ")})`
        if (ty.format === "rfc3339") {
          return "Rfc3339"
        }
        if (ty.format === "date") {
          return "IsoDate"
        }
        if (ty.format === "ip") {
          return "IpAddress"
        }
        if (ty.format === "https-url" || ty.format === "url") {
          return `UrlString(${ty.minLength ?? 1}, ${ty.maxLength ?? 2048}, ${ty.format === "https-url" ? "\"https\"" : "\"any\""})`
        }
        const pattern = ty.pattern === undefined ? undefined : usablePattern(ty.pattern, where)
        if (ty.maxLength !== undefined) {
          // lengths as the official docs write them, string[1, n]: 1 unless the catalogue says otherwise
          const min = ty.minLength ?? 1
          if (pattern === undefined) {
            return `BoundedString(${min}, ${ty.maxLength})`
          }
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
        const items = `Schema.Array(${this.schemaText(ty.items!, mode, place, where)})`
        if (mode === "response") return nullable(items)
        const checks = [
          ...(ty.minItems !== undefined ? [`Schema.minItems(${ty.minItems})`] : []),
          ...(ty.maxItems !== undefined ? [`Schema.maxItems(${ty.maxItems})`] : [])
        ]
        return checks.length === 0 ? items : `${items}.pipe(${checks.join(", ")})`
      }
      case "object":
        return nullable(structCall(this.object(ty, mode, place).struct))
      case "record":
        return nullable("Schema.Record({ key: Schema.String, value: Schema.Unknown })")
      case "unknown":
        return "Schema.Unknown"
      case "file":
        return "Schema.Uint8ArrayFromSelf"
    }
  }

  private readonly objects = new Map<Ty, Map<Mode, Placed>>()

  /** The model of an object and its struct (walked once per object and mode). */
  object(ty: Ty, mode: Mode, place: ReadonlyArray<string>): Placed {
    const done = this.objects.get(ty)?.get(mode)
    if (done !== undefined) return done
    const model = this.fields(ty.fields ?? [], mode, place, new Set(ty.sensitive ?? []), this.where, ty.rules ?? [], ty.definition)
    this.objects.set(ty, (this.objects.get(ty) ?? new Map()).set(mode, model))
    return model
  }

  /**
   * The model of an object with `fields` at `place` (an interface and a lazily built
   * `Schema.Struct`); an endpoint's own input or answer passes the name it gives it.
   */
  fields(
    fields: ReadonlyArray<Field>,
    mode: Mode,
    place: ReadonlyArray<string>,
    sensitive: ReadonlySet<string>,
    where: string,
    rules: ReadonlyArray<FieldRule> = [],
    definition?: string | undefined,
    endpointName?: string
  ): Placed {
    const members: Array<string> = []
    const props: Array<string> = []
    const typeShape: Array<string> = []
    const structShape: Array<string> = []
    for (const f of fields) {
      const inner = [...place, pascal(f.name)]
      const type = this.typeText(f.ty, mode, inner)
      const schema = this.schemaText(f.ty, mode, inner, `${where} ${f.name}`)
      members.push(`${fieldDoc(f, mode, sensitive.has(f.name), "  ")}  readonly ${key(f.name)}${f.required ? `: ${type}` : `?: ${type} | undefined`}`)
      const prop = `${key(f.name)}: ${f.required ? schema : `Schema.optional(${schema})`}`
      props.push(prop)
      // the shape: as emitted, but blind to the order of fields and of enum values
      const same = sortedEnums(f.ty)
      const shapeType = same === f.ty ? type : this.typeText(same, mode, inner)
      const shapeSchema = same === f.ty ? schema : this.schemaText(same, mode, inner, `${where} ${f.name}`)
      typeShape.push(`${key(f.name)}${f.required ? "" : "?"}: ${shapeType}`)
      structShape.push(`${key(f.name)}${f.required ? "" : "?"}: ${shapeSchema}`)
    }
    typeShape.sort()
    structShape.sort()
    const struct = props.length === 0 ? "Schema.Struct({})" : `Schema.Struct({\n${props.map((p) => `  ${p}`).join(",\n")}\n})`
    const ruleText = rules.map((r) => `FieldRule(${JSON.stringify(r.rule)}, [${r.fields.map((f) => JSON.stringify(f)).join(", ")}])`)
    const placed = this.family.model(
      typeShape.join("\n"),
      [mode, ...structShape, ...ruleText].join("\n"),
      place,
      definition,
      () => members,
      () => (rules.length === 0 ? struct : `${struct}.pipe(\n  ${ruleText.join(",\n  ")}\n)`)
    )
    if (endpointName !== undefined) placed.model.endpointNames.push({ name: endpointName, block: this.family.block })
    return placed
  }
}
