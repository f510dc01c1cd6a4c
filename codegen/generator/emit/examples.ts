/**
 * An answer's example: a success body made of the catalogue's `example` values, which decodes with
 * the success schema (the sandbox answers it). A plain value, for any emitter to write out.
 */
import { isObj, type Obj } from "../catalogue.js"
import type { Ty } from "../model.js"

const plain = (u: unknown): unknown =>
  typeof u === "bigint"
    ? Number(u)
    : Array.isArray(u)
    ? u.map(plain)
    : isObj(u)
    ? Object.fromEntries(Object.entries(u).map(([k, v]) => [k, plain(v)]))
    : u

/** The example of a primitive as the answer schema decodes it, or `undefined`. */
const primitive = (ty: Ty, u: unknown): { value: unknown } | undefined => {
  if (u === undefined) return undefined
  if (u === null) return ty.nullable === true ? { value: null } : undefined
  switch (ty.kind) {
    case "string":
      return typeof u === "string" ? { value: u } : typeof u === "bigint" || typeof u === "number" || typeof u === "boolean" ? { value: String(u) } : undefined
    case "integer":
    case "number":
      if (typeof u === "number" && Number.isFinite(u)) return { value: u }
      if (typeof u === "bigint") return { value: Number(u) }
      if (typeof u === "string" && /^-?\d+(\.\d+)?$/.test(u.trim())) return { value: Number(u) }
      return undefined
    case "boolean":
      return typeof u === "boolean" ? { value: u } : u === "true" || u === "false" ? { value: u === "true" } : undefined
    default:
      return undefined
  }
}

const synthesize = (ty: Ty): unknown => {
  switch (ty.kind) {
    case "string":
      return ty.enum?.[0] !== undefined ? String(ty.enum[0]) : ty.format === "rfc3339" ? "2025-01-01T00:00:00+08:00" : "example"
    case "integer":
    case "number":
      return typeof ty.enum?.[0] === "number" ? ty.enum[0] : 1
    case "boolean":
      return true
    default:
      return {}
  }
}

/** Whether the catalogue says anything about a value here (so an optional field is shown). */
const known = (ty: Ty, fallback: unknown): boolean => {
  if (ty.hasExample || fallback !== undefined) return true
  if (ty.kind === "array") return ty.items !== undefined && known(ty.items, undefined)
  if (ty.kind === "object") return (ty.fields ?? []).some((f) => known(f.ty, undefined))
  return false
}

/** The example value of `ty` (`fallback`: the enclosing example's value here, if any). */
export const example = (ty: Ty, fallback: unknown): unknown => {
  const source = ty.hasExample ? ty.example : fallback
  switch (ty.kind) {
    case "object": {
      const out: Obj = {}
      const from = isObj(source) ? source : undefined
      for (const f of ty.fields ?? []) {
        const given = from?.[f.name]
        if ((f.inExample ?? f.required) || known(f.ty, given)) out[f.name] = example(f.ty, given)
      }
      return out
    }
    case "array": {
      const first = Array.isArray(source) ? source[0] : undefined
      return [example(ty.items ?? { kind: "unknown", hasExample: false }, first)]
    }
    case "record":
      return isObj(source) ? plain(source) : {}
    case "unknown":
      return source === undefined ? {} : plain(source)
    default: {
      const own = primitive(ty, ty.example) ?? primitive(ty, fallback)
      return own !== undefined ? own.value : synthesize(ty)
    }
  }
}
