/**
 * Reading the catalogue (vendor/wechatpay-openapi/docs: Swagger 2.0 path items, one YAML file per
 * URL) and following its `$ref`s across files.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { parse } from "yaml"

export type Obj = Record<string, unknown>
export const isObj = (u: unknown): u is Obj => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * Integers are parsed as bigint (an id like `1009660380201506130728806387` keeps its digits);
 * outside `example` and `enum`, where the declared type decides, they become numbers at once.
 */
const normalize = (u: unknown, keep: boolean): unknown => {
  if (typeof u === "bigint") return keep ? u : Number(u)
  if (Array.isArray(u)) return u.map((x) => normalize(x, keep))
  if (isObj(u)) {
    const out: Obj = {}
    for (const [k, v] of Object.entries(u)) out[k] = normalize(v, keep || k === "example" || k === "enum")
    return out
  }
  return u
}

export interface Catalogue {
  /** The catalogue's `docs/` directory (messages name files relative to it). */
  readonly dir: string
  /** A YAML file, parsed once. */
  readonly load: (file: string) => unknown
  /** Follows `$ref`s from `raw` (found in `file`); keys next to a `$ref` (description, example …) win over the target's. */
  readonly deref: (raw: unknown, file: string) => { readonly node: unknown; readonly file: string; readonly definition?: string | undefined }
}

export const openCatalogue = (dir: string): Catalogue => {
  const docs = new Map<string, unknown>()
  const load = (file: string): unknown => {
    let doc = docs.get(file)
    if (doc === undefined) {
      if (!fs.existsSync(file)) throw new Error(`$ref to a missing file: ${path.relative(dir, file)}`)
      doc = normalize(parse(fs.readFileSync(file, "utf8"), { intAsBigInt: true }), false) ?? null
      docs.set(file, doc)
    }
    return doc
  }

  /** `file.yaml#/Name`, `file.yaml#Name`, `#/Name` (JSON pointer or bare name), relative to the referencing file. */
  const resolveRef = (ref: string, file: string): { node: unknown; file: string } => {
    const hash = ref.indexOf("#")
    const target = hash === 0 ? file : path.resolve(path.dirname(file), hash === -1 ? ref : ref.slice(0, hash))
    const fragment = hash === -1 ? "" : ref.slice(hash + 1).replace(/^\//, "")
    let node = load(target)
    if (fragment !== "") {
      for (const part of fragment.split("/")) {
        const key = decodeURIComponent(part).replace(/~1/g, "/").replace(/~0/g, "~")
        node = isObj(node) ? node[key] : undefined
      }
    }
    if (node === undefined) throw new Error(`unresolved $ref ${ref} in ${path.relative(dir, file)}`)
    return { node, file: target }
  }

  const deref = (raw: unknown, file: string): { node: unknown; file: string; definition?: string | undefined } => {
    let node = raw
    let at = file
    // the name the last `$ref` points at (`#/definitions/Amount` → `Amount`): a model's name
    let definition: string | undefined
    const seen = new Set<string>()
    while (isObj(node) && typeof node.$ref === "string") {
      const key = `${at}#${node.$ref}`
      if (seen.has(key)) throw new Error(`$ref cycle at ${node.$ref} in ${path.relative(dir, at)}`)
      seen.add(key)
      const { $ref, ...siblings } = node
      const r = resolveRef($ref as string, at)
      definition = ($ref as string).split(/[#/]/).filter((p) => p !== "").at(-1)?.replace(/\.ya?ml$/, "")
      node = Object.keys(siblings).length === 0 ? r.node : isObj(r.node) ? { ...r.node, ...siblings } : r.node
      at = r.file
    }
    return { node, file: at, definition }
  }

  return { dir, load, deref }
}

/** The `.yaml` files under `dir`, sorted (none when it does not exist). */
export const yamlFiles = (dir: string): Array<string> =>
  fs.existsSync(dir)
    ? fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : e.name.endsWith(".yaml") ? [path.join(dir, e.name)] : []))
      .sort()
    : []

/** The root index (`swagger.yaml`): file → URL path (it knows `{empty}.yaml` is a trailing slash). */
export const urlsByFile = (catalogue: Catalogue): Map<string, string> => {
  const map = new Map<string, string>()
  const root = catalogue.load(path.join(catalogue.dir, "swagger.yaml"))
  if (isObj(root) && isObj(root.paths)) {
    for (const [url, item] of Object.entries(root.paths)) {
      if (isObj(item) && typeof item.$ref === "string") map.set(path.resolve(catalogue.dir, item.$ref), url)
    }
  }
  return map
}
