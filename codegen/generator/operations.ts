/**
 * The operations: one per method of each catalogue path file (and of codegen/supplement/), each
 * read into the model with its URL, its chain keys and its family. Whatever the catalogue says
 * oddly is handled here and noted; an operation the pipeline cannot serve is skipped with its reason.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { type Catalogue, isObj, type Obj, urlsByFile, yamlFiles } from "./catalogue.js"
import { note } from "./log.js"
import { type CuratedLeaf, type Field, LOCATIONS, type LocationName, type Method, METHODS, type Operation, type Root, type Skipped, str, toTy, type Ty } from "./model.js"
import type { OperationOverlay } from "../overlay.js"

/**
 * The other hosts' roots: the file path is the wire path, prefix included (`/hk/v3/transactions/jsapi`).
 * `hk`: api.mch, with the Hong Kong access point as its backup; `global` (customs declaration):
 * the Hong Kong access point only.
 */
export const ROOT_HOSTS: Readonly<Record<Exclude<Root, "v3">, { readonly host: "hk" | "apihk"; readonly module: string }>> = {
  hk: { host: "hk", module: "hk" },
  // `global` is also a v3 family (`v3.global`, `src/v3/global.ts`): this root has its own module
  global: { host: "apihk", module: "globalHost" }
}

export const camel = (segment: string) => segment.replace(/-+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/-/g, "")
const chainKey = (segment: string) => (/^\{.+\}$/.test(segment) ? `_${segment.slice(1, -1)}_` : camel(segment))
/** A chain key that is an identifier is written bare (`a.b`); any other is quoted (`a["b-c"]`). */
export const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** `v3.pay.` for a v3 family; `hk.` for another root (its chain starts with `v3`). */
export const chainPrefix = (op: Operation) => (op.root === "v3" ? `v3.${op.family}.` : `${op.family}.`)

/** What the corrections say of each operation: its overlay entry and its hand-written leaf (nothing in a raw run). */
export interface Corrections {
  readonly overlay: (key: string) => OperationOverlay | undefined
  readonly curated: (key: string) => CuratedLeaf | undefined
}

export const NO_CORRECTIONS: Corrections = { overlay: () => undefined, curated: () => undefined }

/**
 * Every operation of the catalogue's `v3/`, `hk/` and `global/` trees, then those of `supplement`
 * (operations an official SDK has and the catalogue lacks, in its form; `undefined` in a raw run).
 */
export const collectOperations = (catalogue: Catalogue, supplement: string | undefined, corrections: Corrections) => {
  const byFile = urlsByFile(catalogue)
  const operations: Array<Operation> = []
  const skipped: Array<Skipped> = []
  const files = [
    ...[...yamlFiles(path.join(catalogue.dir, "v3")), ...yamlFiles(path.join(catalogue.dir, "hk")), ...yamlFiles(path.join(catalogue.dir, "global"))].map((file) => ({ file, root: catalogue.dir })),
    // each supplement file cites its source
    ...(supplement === undefined ? [] : yamlFiles(path.join(supplement, "v3")).map((file) => ({ file, root: supplement })))
  ]
  for (const { file, root } of files) {
    const rel = path.relative(root, file).split(path.sep).join("/")
    if (root === supplement && fs.existsSync(path.join(catalogue.dir, rel))) throw new Error(`codegen/supplement/${rel}: the catalogue has this file; fix it in the overlay`)
    if (rel === "v3/webhooks.yaml") continue // the notification envelope, not an endpoint
    let url = "/" + rel.replace(/\.yaml$/, "")
    if (url.endsWith("/{empty}")) {
      url = url.slice(0, -"{empty}".length)
      note("{empty}.yaml: the URL ends with a slash", url)
    }
    const indexed = byFile.get(file)
    if (indexed !== undefined && indexed !== url) {
      note("swagger.yaml names another URL for the file: the index wins", `${rel} → ${indexed}`)
      url = indexed
    }
    const item = catalogue.load(file)
    if (!isObj(item)) throw new Error(`${rel}: not a path item`)
    for (const k of Object.keys(item)) if (!(METHODS as ReadonlyArray<string>).includes(k)) note("path item key that is not a method: ignored", `${rel}: ${k}`)
    for (const method of METHODS) {
      const op = item[method]
      if (!isObj(op)) continue
      const key = `${method.toUpperCase()} ${url}`
      const reason = skipReason(catalogue, method, op, file)
      if (reason !== undefined) {
        skipped.push({ key, reason })
        continue
      }
      operations.push(operationOf(catalogue, key, method, url, op, file, corrections))
    }
  }
  return { operations, skipped }
}

const paramsOf = (catalogue: Catalogue, op: Obj, file: string): Array<{ node: Obj; file: string }> =>
  (Array.isArray(op.parameters) ? op.parameters : []).flatMap((p) => {
    const r = catalogue.deref(p, file)
    return isObj(r.node) ? [{ node: r.node, file: r.file }] : []
  })

const skipReason = (catalogue: Catalogue, method: Method, op: Obj, file: string): string | undefined => {
  const consumes = Array.isArray(op.consumes) ? op.consumes.map(String) : []
  const params = paramsOf(catalogue, op, file)
  const multipart = consumes.some((c) => c.startsWith("multipart/")) || params.some((p) => p.node.in === "formData" || p.node.type === "file")
  if (multipart) {
    const files = params.filter((p) => p.node.in === "formData" && p.node.type === "file")
    const meta = params.find((p) => p.node.in === "formData" && p.node.name === "meta")
    if (files.length !== 1 || meta === undefined) return `multipart upload without one file part and a meta part: the pipeline signs the meta JSON of one file`
    return undefined
  }
  if (isDownload(method, op) && method !== "get") return "a file download that is not a GET"
  return undefined
}

/** A file download: it produces something other than JSON, or it is a GET whose 200 has no schema (images, statements). */
const isDownload = (method: Method, op: Obj): boolean => {
  const produces = Array.isArray(op.produces) ? op.produces.map(String) : []
  if (produces.length > 0 && !produces.every((p) => p.includes("json"))) return true
  const responses = isObj(op.responses) ? op.responses : {}
  const ok = responses["200"]
  const schemaless = isObj(ok) && (!isObj(ok.schema) || Object.keys(ok.schema).length === 0)
  return method === "get" && schemaless && Object.keys(responses).every((c) => !/^2/.test(c) || c === "200")
}

const operationOf = (catalogue: Catalogue, key: string, method: Method, url: string, op: Obj, file: string, corrections: Corrections): Operation => {
  const root = url.split("/")[1] as Root
  if (root !== "v3" && !(root in ROOT_HOSTS)) throw new Error(`${key}: a path under /${root}`)
  // v3: "", "v3", family, …; another root: "", root, "v3", …
  const segments = url.split("/").slice(2)
  const familySegment = root === "v3" ? segments[0]! : root
  const chain = (root === "v3" ? segments.slice(1) : segments).filter((s) => s !== "").map(chainKey)
  for (const c of chain) {
    if (!IDENT.test(c)) note("chain key that is not an identifier (quoted)", `${key}: ${c}`)
    if (c === "__proto__") throw new Error(`${key}: a path segment __proto__ cannot be a key of an object literal`)
  }
  const locations: Partial<Record<LocationName, Array<Field>>> = {}
  const add = (l: LocationName, f: Field) => (locations[l] ??= []).push(f)
  let serial = false
  let bodySensitive: ReadonlyArray<string> = []
  let upload: { file: string } | undefined
  for (const { node: p, file: at } of paramsOf(catalogue, op, file)) {
    const name = String(p.name)
    const where = `"${key}" ${p.in} ${name}`
    switch (p.in) {
      case "body": {
        const ty = toTy(catalogue, p.schema, at, `"${key}" body`)
        if (ty.kind === "object") for (const f of ty.fields ?? []) add("body", f)
        else if (ty.kind === "record") {
          note("body without properties: an empty body struct", key)
          locations.body ??= []
        } else throw new Error(`${key}: a body that is not an object (${ty.kind})`)
        bodySensitive = ty.sensitive ?? []
        break
      }
      case "path":
      case "query":
      case "header": {
        if (p.in === "header" && name.toLowerCase() === "wechatpay-serial") {
          serial = true
          break
        }
        const { schema: _schema, ...rest } = p
        const ty = toTy(catalogue, rest.type === undefined && rest.enum === undefined ? { ...rest, type: "string" } : rest, at, where)
        if (p.type === undefined && ty.kind === "string") note(`${p.in} parameter without a type: string`, where)
        let required = p.required === true || p.require === true
        if (p.require === true) note("parameter with require: true (typo)", where)
        if (p.in === "path" && !required) {
          note("path parameter not marked required: required", where)
          required = true
        }
        // an empty path segment is another URL
        if (p.in === "path" && ty.kind === "string") ty.minLength ??= 1
        add(p.in === "path" ? "params" : p.in === "header" ? "headers" : "query", { name, required, ty })
        break
      }
      case "formData": {
        // an upload's form: `meta` (the JSON object that is signed), the file, and text fields
        if (p.type === "file") {
          upload = { file: name }
          add("body", { name, required: true, ty: { kind: "file", hasExample: false, description: str(p.description) } })
        } else if (name === "meta") {
          const ty = toTy(catalogue, p.schema, at, `"${key}" meta`)
          add("body", { name, required: p.required === true, ty: { ...ty, description: ty.description ?? str(p.description) } })
        } else {
          add("body", { name, required: p.required === true, ty: toTy(catalogue, { ...p, in: undefined, name: undefined }, at, where) })
        }
        break
      }
      default:
        throw new Error(`${key}: parameter ${name} in ${String(p.in)}`)
    }
  }
  // URL placeholders = path fields
  const placeholders = [...url.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)
  // a path parameter named differently from its placeholder (one of each left over): renamed
  const strayParams = (locations.params ?? []).filter((f) => !placeholders.includes(f.name))
  const bare = placeholders.filter((ph) => !LOCATIONS.some((l) => (locations[l] ?? []).some((f) => f.name === ph)))
  if (strayParams.length > 0 && strayParams.length === bare.length) {
    strayParams.forEach((f, i) => {
      note("path parameter named differently from its URL placeholder: renamed", `${key}: ${f.name} → {${bare[i]}}`)
      f.name = bare[i]!
    })
  }
  for (const ph of placeholders) {
    if ((locations.params ?? []).some((f) => f.name === ph)) continue
    // declared in another location by mistake: it is the path parameter
    const elsewhere = (["query", "headers", "body"] as const).find((l) => (locations[l] ?? []).some((f) => f.name === ph))
    if (elsewhere !== undefined) {
      note(`URL placeholder declared in ${elsewhere}: moved to the path`, `${key}: {${ph}}`)
      const f = locations[elsewhere]!.find((g) => g.name === ph)!
      locations[elsewhere] = locations[elsewhere]!.filter((g) => g !== f)
      if (locations[elsewhere]!.length === 0 && elsewhere !== "body") delete locations[elsewhere]
      add("params", { ...f, required: true, ty: f.ty.kind === "string" ? { ...f.ty, minLength: f.ty.minLength ?? 1 } : f.ty })
    } else {
      note("URL placeholder without a path parameter: a required string", `${key}: {${ph}}`)
      add("params", { name: ph, required: true, ty: { kind: "string", hasExample: false, minLength: 1 } })
    }
  }
  for (const f of locations.params ?? []) if (!placeholders.includes(f.name)) throw new Error(`${key}: path parameter ${f.name} is not in the URL`)
  // one name, one location
  const owner = new Map<string, LocationName>()
  for (const l of LOCATIONS) {
    for (const f of locations[l] ?? []) {
      const other = owner.get(f.name)
      if (other !== undefined) throw new Error(`${key}: field ${f.name} in both ${other} and ${l}`)
      owner.set(f.name, l)
    }
  }

  // success: the first 2xx with a schema
  const responses = isObj(op.responses) ? op.responses : {}
  const codes = Object.keys(responses).filter((c) => /^2\d\d$/.test(c)).sort()
  let success: Ty | "none" | "accepted" | "download" | undefined
  const schemaOf = (c: string) => {
    const r = responses[c]
    return isObj(r) && isObj(r.schema) && Object.keys(r.schema).length > 0 ? r.schema : undefined
  }
  // a 204 has no body, whatever its schema says
  for (const c of codes) {
    if (c === "204" && isObj(responses[c]) && (responses[c] as Obj).schema !== undefined) note(`204 with ${schemaOf(c) === undefined ? "an empty" : "a"} schema: no content`, key)
  }
  const withSchema = codes.find((c) => c !== "204" && schemaOf(c) !== undefined)
  if (isDownload(method, op)) success = "download"
  else if (withSchema !== undefined) {
    if (withSchema !== "200") note(`success schema on ${withSchema}`, key)
    success = toTy(catalogue, (responses[withSchema] as Obj).schema, file, `"${key}" response`)
  } else if (codes.includes("204")) success = "none"
  else if (codes.includes("202")) success = "accepted" // the documented success: never retried as "repeat the request"
  else {
    note(`${codes.join("/") || "no 2xx"} without a schema: unknown`, key)
    success = undefined
  }
  if (codes.includes("202") && success !== "accepted") note("documents a 202 next to another success (the client retries 202s)", key)

  // sensitive fields: x-is-sensitive on the operation and on the body's objects
  const encrypt: Array<string> = []
  const opSensitive = Array.isArray(op["x-is-sensitive"]) ? op["x-is-sensitive"].map(String) : []
  for (const s of opSensitive) {
    encrypt.push(s)
    const l = owner.get(s)
    if (l !== "body" && l !== "query") note(`x-is-sensitive on a ${l ?? "missing"} field (the pipeline encrypts body and query fields)`, `${key}: ${s}`)
  }
  const visit = (fields: ReadonlyArray<Field>, sensitive: ReadonlyArray<string>, prefix: string, throughArray: boolean) => {
    for (const s of sensitive) {
      encrypt.push(prefix + s)
    }
    for (const f of fields) {
      let ty = f.ty
      let arr = throughArray
      while (ty.kind === "array" && ty.items !== undefined) {
        ty = ty.items
        arr = true
      }
      if (ty.kind === "object") visit(ty.fields ?? [], ty.sensitive ?? [], `${prefix}${f.name}.`, arr)
    }
  }
  visit(locations.body ?? [], bodySensitive, "", false)
  if (encrypt.length > 0 && !serial) note("x-is-sensitive without a Wechatpay-Serial parameter: encrypt anyway", key)
  if (serial && encrypt.length === 0) note("Wechatpay-Serial without x-is-sensitive: encrypt: []", key)
  return {
    key,
    method,
    url,
    root,
    family: camel(familySegment),
    module: root === "v3" ? camel(familySegment) : ROOT_HOSTS[root].module,
    chain: [...chain, method],
    summary: str(op.summary)?.trim() ?? "",
    description: str(op.description)?.trim() ?? "",
    deprecated: op.deprecated === true,
    tags: Array.isArray(op.tags) ? op.tags.map(String) : [],
    locations,
    success,
    encrypt: serial || encrypt.length > 0 ? [...new Set(encrypt)].sort() : undefined,
    bodySensitive,
    bodyRules: [],
    upload,
    overlay: corrections.overlay(key),
    curated: corrections.curated(key)
  }
}

/** The official page an operation's description links to (pay.weixin.qq.com), if any. */
export const officialDoc = (description: string): string | undefined =>
  /\((https?:\/\/pay\.weixin\.qq\.com\/[^)\s]+)\)/.exec(description)?.[1] ?? /https?:\/\/pay\.weixin\.qq\.com\/[^)\s\]]+/.exec(description)?.[0]
