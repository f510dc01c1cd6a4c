/**
 * The overlay is checked strictly (codegen/generator/overlay.ts): each bad entry fails the
 * generation with its location (file, operation, key or field), instead of being dropped.
 */
import { describe, expect, it } from "@effect/vitest"
import { curatedLeaves, leavesOf } from "../../codegen/curated.js"
import { applyOverlay, checkOverlay, mergeOverlay } from "../../codegen/generator/overlay.js"
import type { Field, Operation, Ty } from "../../codegen/generator/model.js"
import type { OperationOverlay, OverlaySource } from "../../codegen/overlay.js"
import * as Codes from "../../src/errors/codes.js"

const codeClasses = new Set(Object.keys(Codes).filter((k) => typeof (Codes as Record<string, unknown>)[k] === "function"))

const str = (extra: Partial<Ty> = {}): Ty => ({ kind: "string", hasExample: false, ...extra })
const field = (name: string, ty: Ty, required = false): Field => ({ name, required, ty })

const KEY = "POST /v3/things/{thing_id}"
const UPLOAD = "POST /v3/things/upload"

/** A small operation: a path field, a body with a nested object and a list, an answer. */
const operations = (): Array<Operation> => [
  {
    key: KEY,
    method: "post",
    url: "/v3/things/{thing_id}",
    root: "v3",
    family: "things",
    module: "things",
    chain: ["_thing_id_", "post"],
    summary: "",
    description: "",
    deprecated: false,
    tags: [],
    locations: {
      params: [field("thing_id", str({ minLength: 1 }), true)],
      body: [
        field("name", str()),
        field("amount", { kind: "object", hasExample: false, fields: [field("total", { kind: "number", hasExample: false }), field("currency", str())] }),
        field("tags", { kind: "array", hasExample: false, items: str() }),
        field("a", str()),
        field("b", str())
      ]
    },
    success: { kind: "object", hasExample: false, fields: [field("state", str()), field("id", str(), true)] },
    encrypt: undefined,
    bodySensitive: [],
    bodyRules: [],
    upload: undefined,
    overlay: undefined,
    curated: undefined
  },
  {
    key: UPLOAD,
    method: "post",
    url: "/v3/things/upload",
    root: "v3",
    family: "things",
    module: "things",
    chain: ["upload", "post"],
    summary: "",
    description: "",
    deprecated: false,
    tags: [],
    locations: { body: [field("file", { kind: "file", hasExample: false }, true), field("meta", { kind: "object", hasExample: false, fields: [field("filename", str())] }, true)] },
    success: "none",
    encrypt: undefined,
    bodySensitive: [],
    bodyRules: [],
    upload: { file: "file" },
    overlay: undefined,
    curated: undefined
  }
]

const FILE = "codegen/overlay/things.ts"

/** The problems of one family file holding `entries` (cast: the checker sees what a mistyped file holds at run time). */
const problemsOf = (entries: Record<string, unknown>, curated: ReadonlyMap<string, { module: string; export: string }> = new Map()) =>
  checkOverlay({ sources: [{ file: FILE, entries: entries as Record<string, OperationOverlay> }], operations: operations(), skipped: [], codeClasses, curated })

describe("checkOverlay", () => {
  it("accepts an entry that matches the model, and it is applied", () => {
    const entry: OperationOverlay = {
      page: "https://pay.weixin.qq.com/doc/v3/merchant/1",
      errors: ["OrderNotExist"],
      required: { add: ["name"], remove: ["amount.currency"] },
      fields: { name: { maxLength: 32, pattern: "^[a-z]+$" }, "amount.total": { integer: true, minimum: 1 }, tags: { maxItems: 3, maxLength: 8 } },
      rules: [{ rule: "exactlyOne", fields: ["a", "b"] }],
      answer: { required: ["state"], enums: { state: ["OK", "GONE"] } }
    }
    expect(checkOverlay({ sources: [{ file: FILE, entries: { [KEY]: entry, [UPLOAD]: { upload: { types: ["png"], maxBytes: 1024 } } } }], operations: operations(), skipped: [], codeClasses, curated: new Map() })).toEqual([])
    const ops = operations().map((op) => (op.key === KEY ? { ...op, overlay: entry } : op))
    applyOverlay(ops)
    const body = ops[0]!.locations.body!
    expect(body.find((f) => f.name === "name")).toMatchObject({ required: true, ty: { maxLength: 32, pattern: "^[a-z]+$" } })
    expect(body.find((f) => f.name === "amount")!.ty.fields![0]!.ty).toMatchObject({ kind: "integer", minimum: 1 })
    expect(body.find((f) => f.name === "tags")!.ty).toMatchObject({ maxItems: 3, items: { maxLength: 8 } })
    expect(ops[0]!.bodyRules).toEqual([{ rule: "exactlyOne", fields: ["a", "b"] }])
    // answers: optional unless the page says always; the id the catalogue marked required is only shown in the example
    expect((ops[0]!.success as Ty).fields).toMatchObject([{ name: "state", required: true, ty: { enum: ["OK", "GONE"] } }, { name: "id", required: false, inExample: true }])
  })

  it("refuses an unknown key at every level, with its place", () => {
    expect(problemsOf({ [KEY]: { feilds: {} } })).toEqual([`${FILE}: "${KEY}": unknown key "feilds" (known: page, errors, required, fields, rules, answer, upload)`])
    expect(problemsOf({ [KEY]: { fields: { name: { maxLenght: 32 } } } })).toEqual([
      `${FILE}: "${KEY}": fields.name: unknown key "maxLenght" (known: maxLength, minLength, pattern, enum, format, integer, minimum, maximum, minItems, maxItems)`
    ])
    expect(problemsOf({ [KEY]: { required: { added: ["name"] } } })).toEqual([`${FILE}: "${KEY}": required: unknown key "added" (known: add, remove)`])
    expect(problemsOf({ [KEY]: { answer: { require: ["state"] } } })).toEqual([`${FILE}: "${KEY}": answer: unknown key "require" (known: required, remove, enums)`])
    expect(problemsOf({ [UPLOAD]: { upload: { maxSize: 1 } } })).toEqual([`${FILE}: "${UPLOAD}": upload: unknown key "maxSize" (known: types, maxBytes)`])
    expect(problemsOf({ [KEY]: { rules: [{ rule: "exactlyOne", fields: ["a", "b"], why: "prose" }] } })).toEqual([`${FILE}: "${KEY}": rules[0]: unknown key "why" (known: rule, fields)`])
  })

  it("refuses a value of the wrong form", () => {
    expect(problemsOf({ [KEY]: { fields: { name: { maxLength: "32", format: "uri" } } } })).toEqual([
      `${FILE}: "${KEY}": fields.name.maxLength: not a number`,
      `${FILE}: "${KEY}": fields.name.format: not one of "https-url", "url", "rfc3339", "date", "ip"`
    ])
    expect(problemsOf({ [KEY]: { rules: [{ rule: "oneOf", fields: ["a"] }] } })).toEqual([
      `${FILE}: "${KEY}": rules[0].rule: not one of "exactlyOne", "atMostOne", "atLeastOne", "together"`,
      `${FILE}: "${KEY}": rules[0].fields: not a list of two fields or more`
    ])
  })

  it("refuses a field path that matches no field", () => {
    expect(problemsOf({ [KEY]: { fields: { "amount.totl": { minimum: 1 } } } })).toEqual([`${FILE}: "${KEY}": fields.amount.totl: no request field amount.totl`])
    expect(problemsOf({ [KEY]: { required: { add: ["thing_id"] } } })).toEqual([`${FILE}: "${KEY}": required.add: no body field thing_id`])
    expect(problemsOf({ [KEY]: { answer: { required: ["status"], enums: { "state.code": ["X"] } } } })).toEqual([
      `${FILE}: "${KEY}": answer.required: no answer field status`,
      `${FILE}: "${KEY}": answer.enums.state.code: no answer field state.code`
    ])
    expect(problemsOf({ [KEY]: { rules: [{ rule: "atMostOne", fields: ["a", "amount.total"] }] } })).toEqual([`${FILE}: "${KEY}": rules[0].fields: a, amount.total are not fields of one object`])
  })

  it("refuses a key that would have no effect on its field", () => {
    expect(problemsOf({ [KEY]: { fields: { "amount.total": { maxLength: 3 }, name: { minItems: 1, integer: true } } } })).toEqual([
      `${FILE}: "${KEY}": fields.amount.total.maxLength: applies to string fields; amount.total is of number`,
      `${FILE}: "${KEY}": fields.name.minItems: applies to array fields; name is string`,
      `${FILE}: "${KEY}": fields.name.integer: applies to number or integer fields; name is of string`
    ])
    expect(problemsOf({ [KEY]: { upload: { maxBytes: 1 } } })).toEqual([`${FILE}: "${KEY}": upload: not a multipart upload`])
  })

  it("refuses an operation that does not exist, or was skipped", () => {
    expect(problemsOf({ "GET /v3/things/{thing_id}": { fields: {} } })).toEqual([`${FILE}: "GET /v3/things/{thing_id}": no such operation in the catalogue`])
    expect(
      checkOverlay({ sources: [{ file: FILE, entries: { "GET /v3/gone": {} } }], operations: operations(), skipped: [{ key: "GET /v3/gone", reason: "why" }], codeClasses, curated: new Map() })
    ).toEqual([`${FILE}: "GET /v3/gone": a skipped operation`])
  })

  it("refuses a code class src/errors/codes.ts does not declare", () => {
    expect(problemsOf({ [KEY]: { errors: ["OrderNotExist", "OrderNotExists"] } })).toEqual([`${FILE}: "${KEY}": errors: OrderNotExists is not a class of src/errors/codes.ts`])
  })

  it("refuses any entry for a curated operation: it would not be applied", () => {
    const curated = new Map([[KEY, { module: "DiscountCard", export: "addUserRecords" }]])
    expect(problemsOf({ [KEY]: { fields: { name: { maxLength: 32 } } } }, curated)).toEqual([
      `${FILE}: "${KEY}": a curated operation (codegen/curated.ts: DiscountCard.addUserRecords): its hand-written schemas are the leaf, so no overlay key is applied to it; write its rows in src/schemas/`
    ])
    // and a curated leaf whose operation does not exist
    expect(checkOverlay({ sources: [], operations: operations(), skipped: [], codeClasses, curated: new Map([["GET /v3/none", { module: "Busifavor", export: "x" }]]) })).toEqual([
      `codegen/curated.ts: "GET /v3/none" (Busifavor.x): no such operation in the catalogue`
    ])
  })

  it("merges two files' entries for one operation, and refuses one value given twice", () => {
    const a: OverlaySource = { file: "codegen/overlay.ts", entries: { [KEY]: { errors: ["OrderNotExist"], fields: { name: { maxLength: 3 } } } } }
    const b: OverlaySource = { file: FILE, entries: { [KEY]: { errors: ["MchNotExists"], fields: { name: { pattern: "^a$" } } } } }
    expect(mergeOverlay([a, b]).get(KEY)).toEqual({ errors: ["OrderNotExist", "MchNotExists"], fields: { name: { maxLength: 3, pattern: "^a$" } } })
    const c: OverlaySource = { file: FILE, entries: { [KEY]: { fields: { name: { maxLength: 4 } } } } }
    expect(() => mergeOverlay([a, c])).toThrow(`codegen/overlay.ts and ${FILE}: "${KEY}": fields.name.maxLength is given twice`)
  })

  it("the curated table: one leaf per operation, an operation listed twice refused", () => {
    expect([...curatedLeaves.values()].map((l) => `${l.module}.${l.export}`).sort()).toEqual([
      "Busifavor.getCallbacks",
      "Busifavor.sendConsumptionCard",
      "Busifavor.setCallbacks",
      "DiscountCard.addUserRecords",
      "DiscountCard.updateOrder",
      "MembercardOpen.prepareBonus"
    ])
    expect(() => leavesOf({ A: { stateful: true, endpoints: { one: KEY } }, B: { stateful: false, endpoints: { two: KEY } } })).toThrow(
      `codegen/curated.ts: "${KEY}" is both A.one and B.two`
    )
  })
})
