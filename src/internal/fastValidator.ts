/**
 * A fast path for validating request input against its `Schema`, compiled once per endpoint from
 * the schema's own AST: the same keywords, literals, structs, arrays and unions, and the same
 * refinement predicates (each `Schema.filter`'s function is called as `ParseResult` calls it).
 * It answers the validated value or `UNDECIDED`: it never decides alone that input is invalid.
 *
 * Why: across a real round trip `Schema.validateEither` costs ~70 µs per call for the discount-card
 * order (its generic interpreter allocates an `Either` per node and runs cold between I/O), against
 * a few µs for these closures. `UNDECIDED` sends the caller to `Schema.validateEither`, which then produces the error (or, if the two ever disagreed,
 * the value). Output is what `validateEither` outputs: declared keys only, in the schema's order.
 *
 * A schema outside the supported subset (transformations, declarations, suspensions, index
 * signatures, tuples with fixed elements, unions of several objects) compiles to `undefined`.
 */
import { Option, SchemaAST as AST } from "effect"

/** "Not accepted here": maybe invalid, maybe outside what the fast path checks. Ask Schema. */
export const UNDECIDED: unique symbol = Symbol.for("effect-wechatpay/fastValidator/UNDECIDED")

/** The validated value (a fresh object or array for structs and arrays), or `UNDECIDED`. */
export type FastValidator = (input: unknown) => unknown

const parseOptions = {}

/** Accepts only non-object values: a union member that cannot compete with a struct or an array. */
const isPrimitive = (ast: AST.AST): boolean => {
  switch (ast._tag) {
    case "StringKeyword":
    case "NumberKeyword":
    case "BooleanKeyword":
    case "UndefinedKeyword":
    case "Literal":
      return true
    case "Refinement":
      return isPrimitive(ast.from)
    case "Union":
      return ast.types.every(isPrimitive)
    default:
      return false
  }
}

/** `keep`: an accepted value is answered as given (undeclared keys included) instead of a copy of its declared keys. */
const compile = (ast: AST.AST, keep: boolean): FastValidator | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => (typeof u === "string" ? u : UNDECIDED)
    case "NumberKeyword":
      return (u) => (typeof u === "number" ? u : UNDECIDED)
    case "BooleanKeyword":
      return (u) => (typeof u === "boolean" ? u : UNDECIDED)
    case "UndefinedKeyword":
      return (u) => (u === undefined ? u : UNDECIDED)
    case "Literal": {
      const literal = ast.literal
      return (u) => (u === literal ? u : UNDECIDED)
    }
    case "Refinement": {
      const from = compile(ast.from, keep)
      if (from === undefined) return undefined
      const refinement = ast
      return (u) => {
        const a = from(u)
        return a === UNDECIDED || Option.isSome(refinement.filter(a, parseOptions, refinement)) ? UNDECIDED : a
      }
    }
    case "Union": {
      // members that only take primitives first, then at most one struct or array: they cannot
      // both accept a value, so the first success is the one `ParseResult` would pick
      const primitives = ast.types.filter(isPrimitive)
      const others = ast.types.filter((t) => !isPrimitive(t))
      if (others.length > 1) return undefined
      const members = [...primitives, ...others].map((t) => compile(t, keep))
      if (members.some((m) => m === undefined)) return undefined
      const checks = members as Array<FastValidator>
      return (u) => {
        for (let i = 0; i < checks.length; i++) {
          const out = checks[i]!(u)
          if (out !== UNDECIDED) return out
        }
        return UNDECIDED
      }
    }
    case "TupleType": {
      if (ast.elements.length !== 0 || ast.rest.length !== 1) return undefined
      const item = compile(ast.rest[0]!.type, keep)
      if (item === undefined) return undefined
      return (u) => {
        if (!Array.isArray(u)) return UNDECIDED
        const out = keep ? u : new Array<unknown>(u.length)
        for (let i = 0; i < u.length; i++) {
          const v = item(u[i])
          if (v === UNDECIDED) return UNDECIDED
          if (!keep) out[i] = v
        }
        return out
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 0 || ast.propertySignatures.length === 0) return undefined
      const props: Array<{ readonly name: string; readonly optional: boolean; readonly check: FastValidator }> = []
      for (const ps of ast.propertySignatures) {
        if (typeof ps.name !== "string") return undefined
        const check = compile(ps.type, keep)
        if (check === undefined) return undefined
        props.push({ name: ps.name, optional: ps.isOptional, check })
      }
      return (u) => {
        if (typeof u !== "object" || u === null || Array.isArray(u)) return UNDECIDED
        const input = u as Record<string, unknown>
        const out: Record<string, unknown> = keep ? input : {}
        for (let i = 0; i < props.length; i++) {
          const p = props[i]!
          // an absent optional key stays absent; an absent required one is checked as undefined
          if (p.optional && !Object.prototype.hasOwnProperty.call(input, p.name)) continue
          const v = p.check(input[p.name])
          if (v === UNDECIDED) return UNDECIDED
          if (!keep) out[p.name] = v
        }
        return out
      }
    }
    default:
      return undefined
  }
}

/** The fast path for `Schema.validateEither(schema)`, or `undefined` when the schema is outside the subset. */
export const compileValidator = (ast: AST.AST, options?: { readonly keepInput?: boolean }): FastValidator | undefined =>
  compile(AST.typeAST(ast), options?.keepInput === true)
