/**
 * The overlay (the family files codegen/overlay/*.ts, listed by codegen/overlay.ts) against the model: checked strictly,
 * file by file, then merged and applied. A check that fails names the file, the operation and
 * the key or field, so a stale or mistyped entry stops the generation instead of doing nothing.
 */
import { FIELD_RULE_KINDS, type FieldOverlay, type FieldRule, type OperationOverlay, type OverlaySource, STRING_FORMATS } from "../overlay.js"
import { answerFields, type CuratedLeaf, type Field, findField, innermost, type Kind, locate, type Operation, requestFields, type Skipped } from "./model.js"

// ---------------------------------------------------------------------------------------------
// What an entry may hold: every key of the overlay's types, with what its value must be

type ValueCheck = (u: unknown) => string | undefined

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const number: ValueCheck = (u) => (typeof u === "number" && Number.isFinite(u) ? undefined : "a number")
const string: ValueCheck = (u) => (typeof u === "string" ? undefined : "a string")
const strings: ValueCheck = (u) => (Array.isArray(u) && u.every((x) => typeof x === "string") ? undefined : "a list of strings")
const oneOf = (...values: ReadonlyArray<unknown>): ValueCheck => (u) => (values.includes(u) ? undefined : `one of ${values.map((v) => JSON.stringify(v)).join(", ")}`)


/** Which kinds of field (the innermost type, through arrays) a key has an effect on. */
const STRINGS: ReadonlyArray<Kind> = ["string"]
const NUMBERS: ReadonlyArray<Kind> = ["number", "integer"]

const FIELD_KEYS = {
  maxLength: { value: number, on: STRINGS },
  minLength: { value: number, on: STRINGS },
  pattern: { value: string, on: STRINGS },
  enum: { value: strings, on: STRINGS },
  format: { value: oneOf(...STRING_FORMATS), on: STRINGS },
  integer: { value: oneOf(true), on: NUMBERS },
  minimum: { value: number, on: NUMBERS },
  maximum: { value: number, on: NUMBERS },
  // array sizes are the array's own (not its items')
  minItems: { value: number, on: "array" },
  maxItems: { value: number, on: "array" }
} as const satisfies Record<keyof FieldOverlay, { readonly value: ValueCheck; readonly on: ReadonlyArray<Kind> | "array" }>

const OPERATION_KEYS = ["page", "errors", "required", "fields", "rules", "answer", "upload"] as const satisfies ReadonlyArray<keyof OperationOverlay>
const REQUIRED_KEYS = ["add", "remove"] as const satisfies ReadonlyArray<keyof NonNullable<OperationOverlay["required"]>>
const ANSWER_KEYS = ["required", "remove", "enums"] as const satisfies ReadonlyArray<keyof NonNullable<OperationOverlay["answer"]>>
const UPLOAD_KEYS = ["types", "maxBytes"] as const satisfies ReadonlyArray<keyof NonNullable<OperationOverlay["upload"]>>
const RULE_KEYS = ["rule", "fields"] as const satisfies ReadonlyArray<keyof FieldRule>

// compile-time: each list names every key of its type (a key added to a type must be checked here)
type Missing<T, L extends ReadonlyArray<unknown>> = Exclude<keyof T, L[number]>
const allListed: [Missing<OperationOverlay, typeof OPERATION_KEYS>, Missing<NonNullable<OperationOverlay["answer"]>, typeof ANSWER_KEYS>, Missing<NonNullable<OperationOverlay["upload"]>, typeof UPLOAD_KEYS>, Missing<FieldRule, typeof RULE_KEYS>, Missing<NonNullable<OperationOverlay["required"]>, typeof REQUIRED_KEYS>] extends [never, never, never, never, never] ? true : false = true
void allListed

export interface CheckInput {
  readonly sources: ReadonlyArray<OverlaySource>
  /** After the official SDKs' facts are settled: the model the overlay is applied to. */
  readonly operations: ReadonlyArray<Operation>
  readonly skipped: ReadonlyArray<Skipped>
  /** The code classes src/errors/codes.ts declares. */
  readonly codeClasses: ReadonlySet<string>
  /** Operation key → hand-written leaf (codegen/curated.ts). */
  readonly curated: ReadonlyMap<string, CuratedLeaf>
}

/**
 * Every way the overlay does not match the model, one line each:
 * `<file>: "<operation>": <where in the entry>: <what is wrong>`. Empty: it matches.
 */
export const checkOverlay = (input: CheckInput): Array<string> => {
  const problems: Array<string> = []
  const byKey = new Map(input.operations.map((o) => [o.key, o]))
  const noOperation = (key: string) => (input.skipped.some((s) => s.key === key) ? "a skipped operation" : "no such operation in the catalogue")
  for (const [key, leaf] of input.curated) {
    if (!byKey.has(key)) problems.push(`codegen/curated.ts: "${key}" (${leaf.module}.${leaf.export}): ${noOperation(key)}`)
  }
  for (const { file, entries } of input.sources) {
    for (const [key, entry] of Object.entries(entries)) {
      const problem = (where: string, what: string) => problems.push(`${file}: "${key}": ${where === "" ? "" : `${where}: `}${what}`)
      const op = byKey.get(key)
      if (op === undefined) {
        problem("", noOperation(key))
        continue
      }
      const leaf = input.curated.get(key)
      if (leaf !== undefined) {
        problem("", `a curated operation (codegen/curated.ts: ${leaf.module}.${leaf.export}): its hand-written schemas are the leaf, so no overlay key is applied to it; write its rows in src/schemas/`)
        continue
      }
      checkEntry(entry, op, input.codeClasses, problem)
    }
  }
  return problems
}

const unknownKeys = (u: Record<string, unknown>, known: ReadonlyArray<string>, where: string, problem: (where: string, what: string) => void) => {
  for (const k of Object.keys(u)) if (!known.includes(k)) problem(where, `unknown key ${JSON.stringify(k)} (known: ${known.join(", ")})`)
}

/** An object value at `where`, or a problem. */
const object = (u: unknown, where: string, problem: (where: string, what: string) => void): Record<string, unknown> | undefined => {
  if (isRecord(u)) return u
  problem(where, "not an object")
  return undefined
}

/** A list of dotted paths at `where`, each found by `found`, or problems. */
const paths = (u: unknown, where: string, side: string, found: (p: string) => boolean, problem: (where: string, what: string) => void) => {
  const bad = strings(u)
  if (bad !== undefined) return problem(where, `not ${bad}`)
  for (const p of u as ReadonlyArray<string>) if (!found(p)) problem(where, `no ${side} field ${p}`)
}

const checkEntry = (raw: unknown, op: Operation, codeClasses: ReadonlySet<string>, problem: (where: string, what: string) => void) => {
  const entry = object(raw, "", problem)
  if (entry === undefined) return
  unknownKeys(entry, OPERATION_KEYS, "", problem)
  const request = requestFields(op)
  const body = op.locations.body ?? []
  const inBody = (p: string) => findField(body, p) !== undefined

  if (entry.page !== undefined && string(entry.page) !== undefined) problem("page", "not a string")

  if (entry.errors !== undefined) {
    const bad = strings(entry.errors)
    if (bad !== undefined) problem("errors", `not ${bad}`)
    else for (const e of entry.errors as ReadonlyArray<string>) if (!codeClasses.has(e)) problem("errors", `${e} is not a class of src/errors/codes.ts`)
  }

  if (entry.required !== undefined) {
    const required = object(entry.required, "required", problem)
    if (required !== undefined) {
      unknownKeys(required, REQUIRED_KEYS, "required", problem)
      for (const k of REQUIRED_KEYS) if (required[k] !== undefined) paths(required[k], `required.${k}`, "body", inBody, problem)
    }
  }

  if (entry.fields !== undefined) {
    const fields = object(entry.fields, "fields", problem)
    for (const [p, fo] of Object.entries(fields ?? {})) {
      const where = `fields.${p}`
      const f = findField(request, p)
      if (f === undefined) problem(where, `no request field ${p}`)
      const o = object(fo, where, problem)
      if (o === undefined) continue
      unknownKeys(o, Object.keys(FIELD_KEYS), where, problem)
      for (const [k, v] of Object.entries(o)) {
        const spec = (FIELD_KEYS as Readonly<Record<string, (typeof FIELD_KEYS)[keyof typeof FIELD_KEYS]>>)[k]
        if (spec === undefined) continue
        const bad = spec.value(v)
        if (bad !== undefined) problem(`${where}.${k}`, `not ${bad}`)
        if (f === undefined) continue
        // a key with no effect on this kind of field would be silently dropped by the emitters
        const kind = spec.on === "array" ? f.ty.kind : innermost(f.ty).kind
        const on: ReadonlyArray<Kind> = spec.on === "array" ? ["array"] : spec.on
        if (!on.includes(kind)) problem(`${where}.${k}`, `applies to ${on.join(" or ")} fields; ${p} is ${spec.on === "array" ? "" : "of "}${kind}`)
      }
    }
  }

  if (entry.rules !== undefined) {
    if (!Array.isArray(entry.rules)) problem("rules", "not a list")
    else {
      for (const [i, r] of (entry.rules as ReadonlyArray<unknown>).entries()) {
        const where = `rules[${i}]`
        const rule = object(r, where, problem)
        if (rule === undefined) continue
        unknownKeys(rule, RULE_KEYS, where, problem)
        const badRule = oneOf(...FIELD_RULE_KINDS)(rule.rule)
        if (badRule !== undefined) problem(`${where}.rule`, `not ${badRule}`)
        const bad = strings(rule.fields)
        if (bad !== undefined || (rule.fields as ReadonlyArray<string>).length < 2) {
          problem(`${where}.fields`, "not a list of two fields or more")
          continue
        }
        const fields = rule.fields as ReadonlyArray<string>
        for (const p of fields) if (!inBody(p)) problem(`${where}.fields`, `no body field ${p}`)
        const parents = new Set(fields.map((p) => p.split(".").slice(0, -1).join(".")))
        if (parents.size !== 1) problem(`${where}.fields`, `${fields.join(", ")} are not fields of one object`)
      }
    }
  }

  if (entry.answer !== undefined) {
    const answer = object(entry.answer, "answer", problem)
    if (answer !== undefined) {
      unknownKeys(answer, ANSWER_KEYS, "answer", problem)
      const fields = answerFields(op)
      if (fields === undefined) problem("answer", "the operation answers no object")
      else {
        const inAnswer = (p: string) => locate(fields, p) !== undefined
        for (const k of ["required", "remove"] as const) if (answer[k] !== undefined) paths(answer[k], `answer.${k}`, "answer", inAnswer, problem)
        if (answer.enums !== undefined) {
          const enums = object(answer.enums, "answer.enums", problem)
          for (const [p, values] of Object.entries(enums ?? {})) {
            const where = `answer.enums.${p}`
            const bad = strings(values)
            if (bad !== undefined) problem(where, `not ${bad}`)
            const found = locate(fields, p)
            if (found === undefined) problem(where, `no answer field ${p}`)
            else if (innermost(found.field.ty).kind !== "string") problem(where, `applies to string fields; ${p} is of ${innermost(found.field.ty).kind}`)
          }
        }
      }
    }
  }

  if (entry.upload !== undefined) {
    const upload = object(entry.upload, "upload", problem)
    if (upload !== undefined) {
      unknownKeys(upload, UPLOAD_KEYS, "upload", problem)
      if (op.upload === undefined) problem("upload", "not a multipart upload")
      if (upload.types !== undefined && strings(upload.types) !== undefined) problem("upload.types", "not a list of strings")
      if (upload.maxBytes !== undefined && number(upload.maxBytes) !== undefined) problem("upload.maxBytes", "not a number")
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Merging the files' entries

/**
 * The entries of every file, by operation: two files' entries for one operation have their lists
 * joined and their field entries merged; one value given by both is a mistake.
 */
export const mergeOverlay = (sources: ReadonlyArray<OverlaySource>): ReadonlyMap<string, OperationOverlay> => {
  const merged = new Map<string, { readonly entry: OperationOverlay; readonly file: string }>()
  for (const { file, entries } of sources) {
    for (const [key, entry] of Object.entries(entries)) {
      const before = merged.get(key)
      merged.set(key, before === undefined ? { entry, file } : { entry: mergeEntries(`${before.file} and ${file}: "${key}"`, before.entry, entry), file: `${before.file} and ${file}` })
    }
  }
  return new Map([...merged].map(([key, { entry }]) => [key, entry]))
}

const mergeEntries = (where: string, a: OperationOverlay, b: OperationOverlay): OperationOverlay => {
  const fields: Record<string, FieldOverlay> = { ...a.fields }
  for (const [path, f] of Object.entries(b.fields ?? {})) {
    const before = fields[path]
    if (before !== undefined) {
      for (const k of Object.keys(f)) if (k in before) throw new Error(`${where}: fields.${path}.${k} is given twice`)
    }
    fields[path] = { ...before, ...f }
  }
  const joined = <A>(x: ReadonlyArray<A> | undefined, y: ReadonlyArray<A> | undefined) =>
    x === undefined && y === undefined ? undefined : [...new Set([...(x ?? []), ...(y ?? [])])]
  const pick = <K extends keyof OperationOverlay>(k: K): OperationOverlay[K] => {
    if (a[k] !== undefined && b[k] !== undefined) throw new Error(`${where}: ${k} is given twice`)
    return a[k] ?? b[k]
  }
  const out: Record<string, unknown> = {
    page: a.page ?? b.page,
    errors: joined(a.errors, b.errors),
    required: a.required === undefined && b.required === undefined ? undefined : {
      add: joined(a.required?.add, b.required?.add),
      remove: joined(a.required?.remove, b.required?.remove)
    },
    fields: Object.keys(fields).length === 0 ? undefined : fields,
    rules: joined(a.rules, b.rules),
    answer: pick("answer"),
    upload: pick("upload")
  }
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k]
  return out as OperationOverlay
}

// ---------------------------------------------------------------------------------------------
// Applying it (after `checkOverlay` found nothing: every path is there)

const applyField = (f: Field, o: FieldOverlay) => {
  // array sizes are the array's; the rest is its items' (an array of strings: each string)
  if (o.minItems !== undefined) f.ty.minItems = o.minItems
  if (o.maxItems !== undefined) f.ty.maxItems = o.maxItems
  const ty = innermost(f.ty)
  if (o.enum !== undefined) ty.enum = [...o.enum]
  if (o.maxLength !== undefined) ty.maxLength = o.maxLength
  if (o.minLength !== undefined) ty.minLength = o.minLength
  if (o.pattern !== undefined) ty.pattern = o.pattern
  if (o.format !== undefined) ty.format = o.format
  if (o.integer === true && ty.kind === "number") ty.kind = "integer"
  if (o.minimum !== undefined) ty.minimum = o.minimum
  if (o.maximum !== undefined) ty.maximum = o.maximum
}

/**
 * What an answer may omit: every field, unless an official source says the answer always carries
 * it (the overlay's `answer.required`, from the page's 应答参数 table). The catalogue's required
 * lists were often copied from the request; they only decide what the sandbox's example shows.
 */
const settleAnswer = (op: Operation) => {
  const visit = (fields: ReadonlyArray<Field>) => {
    for (const f of fields) {
      f.inExample = f.required
      f.required = false
      const ty = innermost(f.ty)
      if (ty.kind === "object") visit(ty.fields ?? [])
    }
  }
  const fields = answerFields(op)
  if (fields === undefined) return
  visit(fields)
  const answer = op.overlay?.answer
  for (const p of answer?.remove ?? []) {
    const found = locate(fields, p)
    if (found !== undefined) found.parent.splice(found.parent.indexOf(found.field), 1)
  }
  for (const p of answer?.required ?? []) {
    const found = locate(fields, p)
    if (found !== undefined) found.field.required = found.field.inExample = true
  }
  for (const [p, values] of Object.entries(answer?.enums ?? {})) {
    const found = locate(fields, p)
    if (found !== undefined) innermost(found.field.ty).enum = [...values]
  }
}

/** Each operation's (merged) entry into its model; then every generated answer settled. */
export const applyOverlay = (operations: ReadonlyArray<Operation>): void => {
  for (const op of operations) {
    const o = op.overlay
    if (o === undefined || op.curated !== undefined) continue
    const body = op.locations.body ?? []
    for (const r of o.rules ?? []) {
      const parent = r.fields[0]!.split(".").slice(0, -1).join(".")
      const leaves = r.fields.map((p) => p.split(".").pop()!)
      let holder: Array<FieldRule> = op.bodyRules
      if (parent !== "") holder = innermost(findField(body, parent)!.ty).rules ??= []
      holder.push({ rule: r.rule, fields: leaves })
      // alternatives cannot each be required: the rule says which must be there
      if (r.rule !== "together") for (const p of r.fields) findField(body, p)!.required = false
    }
    const all = requestFields(op)
    for (const [p, fo] of Object.entries(o.fields ?? {})) applyField(findField(all, p)!, fo)
    for (const p of o.required?.add ?? []) findField(body, p)!.required = true
    for (const p of o.required?.remove ?? []) findField(body, p)!.required = false
  }
  for (const op of operations) if (op.curated === undefined) settleAnswer(op)
}
