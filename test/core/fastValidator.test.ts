/**
 * The compiled fast path for request validation agrees with `Schema.validateEither` on every
 * input: valid ones (same output, same key order, so the same signed bytes), mutated ones (a
 * value replaced, a key removed or added anywhere), and arbitrary values. Plus schemas outside
 * the subset fall back.
 */
import { describe, expect, it } from "vitest"
import { Either, Schema } from "effect"
import * as fc from "fast-check"
import { compileValidator, UNDECIDED } from "../../src/internal/fastValidator.js"
import { UpdateOrderResponse } from "../../src/schemas/discountCard.js"
import { SendConsumptionCardResponse } from "../../src/schemas/busifavor.js"
import * as A from "../support/arbitraries.js"
import { MCHID } from "../support/constants.js"
import { AddUserRecordsRequest, PrepareBonusRequest, SendConsumptionCardRequest, UpdateOrderRequest } from "../support/inputSchemas.js"

type Path = ReadonlyArray<string | number>

const pathsOf = (value: unknown, at: Path = []): Array<Path> => {
  const out: Array<Path> = [at]
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...at, i])))
  else if (typeof value === "object" && value !== null) for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...at, k]))
  return out
}

type Edit =
  | { readonly op: "replace"; readonly value: unknown }
  | { readonly op: "delete" }
  | { readonly op: "add"; readonly key: string; readonly value: unknown }

/** Values near the edge of what the schemas take, and anything at all. */
const odd = fc.oneof(
  fc.constantFrom(undefined, null, "", " ", "😀", "\uD83D", 0, -1, 1.5, NaN, Infinity, 2 ** 53, "INCREASE", "increase", [], {}, true, "2015-05-20T13:29:35+08:00", "2015-02-30T13:29:35+08:00", "x".repeat(65)),
  fc.anything()
)
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ op: fc.constant("replace" as const), value: odd }),
  fc.constant({ op: "delete" as const }),
  fc.record({ op: fc.constant("add" as const), key: fc.oneof(fc.string(), fc.constantFrom("remark", "mchid", "objectives", "__proto__")), value: odd })
)

const apply = (root: unknown, path: Path, e: Edit): unknown => {
  const copy = structuredClone(root)
  if (path.length === 0) return e.op === "replace" ? e.value : e.op === "delete" ? undefined : copy
  let parent = copy as Record<string | number, unknown>
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>
  const leaf = path[path.length - 1]!
  if (e.op === "replace") parent[leaf] = e.value
  else if (e.op === "delete") delete parent[leaf]
  else {
    const target = parent[leaf]
    if (typeof target === "object" && target !== null && !Array.isArray(target)) (target as Record<string, unknown>)[e.key] = e.value
  }
  return copy
}

const mutated = <A>(valid: fc.Arbitrary<A>) =>
  fc.tuple(valid, fc.array(fc.tuple(fc.nat(), edit), { minLength: 1, maxLength: 3 })).map(([v, edits]) => {
    let out: unknown = v
    for (const [pick, e] of edits) {
      const paths = pathsOf(out)
      out = apply(out, paths[pick % paths.length]!, e)
    }
    return out
  })

const cases: ReadonlyArray<readonly [string, Schema.Schema<any, any>, fc.Arbitrary<unknown>]> = [
  ["AddUserRecordsRequest", AddUserRecordsRequest, A.addUserRecordsInput],
  ["UpdateOrderRequest", UpdateOrderRequest, A.updateOrderInput],
  ["SendConsumptionCardRequest", SendConsumptionCardRequest, A.sendConsumptionCardInput],
  ["PrepareBonusRequest", PrepareBonusRequest, A.prepareBonusInput]
]

/** Both say the same: valid with the same value (keys in the same order), or invalid. */
const agree = (schema: Schema.Schema<any, any>, fast: (u: unknown) => unknown, input: unknown) => {
  const reference = Schema.validateEither(schema)(input)
  const out = fast(input)
  if (Either.isLeft(reference)) {
    expect(out).toBe(UNDECIDED)
  } else {
    expect(out).not.toBe(UNDECIDED)
    expect(out).toEqual(reference.right)
    expect(JSON.stringify(out)).toBe(JSON.stringify(reference.right))
  }
  return Either.isRight(reference)
}

describe("the compiled request validator", () => {
  for (const [name, schema, valid] of cases) {
    const fast = compileValidator(schema.ast)!
    it(`${name}: compiles, and agrees with Schema.validateEither on valid input`, () => {
      expect(fast).toBeTypeOf("function")
      fc.assert(fc.property(valid, (input) => {
        expect(agree(schema, fast, input)).toBe(true)
      }), { numRuns: 300 })
    })
    it(`${name}: agrees on mutated input (values replaced, keys removed or added, anywhere)`, () => {
      let invalid = 0
      fc.assert(fc.property(mutated(valid), (input) => {
        if (!agree(schema, fast, input)) invalid++
      }), { numRuns: 1500 })
      expect(invalid).toBeGreaterThan(300) // the mutations do reach the refusals
    })
    it(`${name}: agrees on arbitrary values`, () => {
      fc.assert(fc.property(fc.anything(), (input) => {
        agree(schema, fast, input)
      }), { numRuns: 300 })
    })
  }

  // success schemas without transformations: decoding is validating, so the same fast path serves
  const responses: ReadonlyArray<readonly [string, Schema.Schema<any, any>]> = [
    ["UpdateOrderResponse", UpdateOrderResponse],
    ["SendConsumptionCardResponse", SendConsumptionCardResponse]
  ]
  for (const [name, schema] of responses) {
    it(`${name}: agrees with Schema.decodeUnknownEither on answers, extra fields and junk`, () => {
      const fast = compileValidator(schema.ast)!
      const answer = fc.oneof(
        fc.record({ out_order_no: fc.string(), order_id: fc.string(), card_code: fc.string() }, { requiredKeys: [] }),
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.jsonValue()
      )
      fc.assert(fc.property(answer, (json) => {
        const reference = Schema.decodeUnknownEither(schema)(json)
        const out = fast(json)
        if (Either.isLeft(reference)) expect(out).toBe(UNDECIDED)
        else expect(JSON.stringify(out)).toBe(JSON.stringify(reference.right))
      }), { numRuns: 500 })
    })
  }

  it("drops undeclared keys and orders the output as the schema does, like Schema", () => {
    const fast = compileValidator(PrepareBonusRequest.ast)!
    const input = { bonus_value: 5, extra: "sent? no", mchid: MCHID, code: "c", card_id: "p", out_trade_no: "t" }
    expect(JSON.stringify(fast(input))).toBe(`{"card_id":"p","code":"c","out_trade_no":"t","mchid":"${MCHID}","bonus_value":5}`)
  })

  it("falls back (undefined) outside its subset: declarations, index signatures, unions of objects, fixed tuples", () => {
    expect(compileValidator(Schema.DateFromSelf.ast)).toBeUndefined()
    expect(compileValidator(Schema.Record({ key: Schema.String, value: Schema.String }).ast)).toBeUndefined()
    expect(compileValidator(Schema.Union(Schema.Struct({ a: Schema.String }), Schema.Struct({ b: Schema.String })).ast)).toBeUndefined()
    expect(compileValidator(Schema.Tuple(Schema.String).ast)).toBeUndefined()
    // like validateEither, a transformation is checked on its Type side (endpoints with one encode instead)
    expect(compileValidator(Schema.NumberFromString.ast)!(1)).toBe(1)
  })
})
