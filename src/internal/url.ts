/** The signed URL and body: path templates filled once-encoded, query strings, the body serialized once. */

export interface PathTemplate {
  readonly template: string
  /** The `{name}` placeholders, in order. */
  readonly params: ReadonlyArray<string>
  readonly fill: (values: Readonly<Record<string, unknown>>) => string | { readonly error: string }
}

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g

/** The placeholder names of a URL template, in order. */
export const placeholders = (template: string): ReadonlyArray<string> => template.split(PLACEHOLDER).filter((_, i) => i % 2 === 1)

/** Parses `/v3/x/{id}/y` once; `fill` percent-encodes each value exactly once and refuses dot segments. */
export const pathTemplate = (template: string): PathTemplate => {
  const literals = template.split(PLACEHOLDER)
  // split with a capture group alternates literal, name, literal, name, …
  const params = literals.filter((_, i) => i % 2 === 1)
  return {
    template,
    params,
    fill: (values) => {
      let out = literals[0]!
      for (let i = 1; i < literals.length; i += 2) {
        const name = literals[i]!
        const value = values[name]
        if (typeof value !== "string" && typeof value !== "number") return { error: `path parameter ${name} is missing` }
        const text = String(value)
        if (text === "" || text === "." || text === "..") return { error: `path parameter ${name} must not be empty, "." or ".."` }
        let encoded: string
        try {
          encoded = encodeURIComponent(text)
        } catch {
          // a lone surrogate has no UTF-8 form: URIError, which must not become a defect
          return { error: `path parameter ${name} is not valid Unicode (a lone surrogate)` }
        }
        out += encoded + literals[i + 1]!
      }
      return out
    }
  }
}

const FOUR_BYTE = /[\uD800-\uDFFF]/

/** Serializes a body once; these exact bytes are signed and sent. */
export const serializeBody = (body: unknown): string | { readonly error: string } => {
  if (body === undefined) return { error: "no body" }
  const text = JSON.stringify(body)
  if (FOUR_BYTE.test(text)) return { error: "the body contains 4-byte UTF-8 characters (such as emoji), which WeChat Pay rejects" }
  return text
}

export type QueryValues = Readonly<Record<string, unknown>>

/** `?k=v&…` (URLSearchParams encoding), or why not: WeChat Pay refuses 4-byte characters anywhere. */
export const buildQuery = (query: QueryValues | undefined): string | { readonly error: string } => {
  if (query === undefined) return ""
  const params = new URLSearchParams()
  for (const k in query) {
    const v = query[k]
    if (v === undefined) continue
    const text = Array.isArray(v) ? v.join(",") : String(v)
    if (FOUR_BYTE.test(k) || FOUR_BYTE.test(text)) return { error: `query parameter ${k} contains 4-byte UTF-8 or unpaired surrogate characters` }
    params.append(k, text)
  }
  const s = params.toString()
  return s === "" ? "" : `?${s}`
}
