/**
 * Reads the official Go SDK (wechatpay-go) and writes the facts its generated code states:
 * operations (method, path), request fields (location, type, required), response fields, enums
 * and the error codes some doc comments tabulate. Only facts go into the JSON; no SDK code.
 *
 *   npx tsx scripts/official/extract-go.ts --repo /work/.mirror/wechatpay-apiv3+wechatpay-go/repo
 *   npx tsx scripts/official/extract-go.ts --repo DIR [--commit REV] [--out FILE]
 *
 * `--repo` is a git directory (a bare mirror is fine): files are read with `git show`, so no work
 * tree is needed. Only `services/**` is read; `_test.go` files and examples are ignored.
 * The Go source is parsed with line-oriented regexes: the generator (OpenAPI Generator templates)
 * writes every struct, field, enum and service method in one fixed shape. Anything outside that
 * shape is reported on stderr rather than guessed.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { FactField, FactKind, FactLocation, FactOperation, FactType } from "./facts.js"

type FieldType = FactKind
type Location = FactLocation
type EnumValue = string | number
type TypeNode = FactType
type Field = FactField
type Operation = FactOperation

interface GoField {
  goName: string
  goType: string
  /** The json tag's name; `-` when the field is not serialised. */
  jsonName: string
  omitempty: boolean
}

/** A `type X ...` declaration of a package's models. */
type GoTypeDecl =
  | { kind: "struct"; fields: Array<GoField> }
  | { kind: "enum"; base: string; values: Array<EnumValue> }
  /** `type X Y`: X has Y's shape. */
  | { kind: "named"; target: string }

interface GoPackage {
  /** Directory under services/, e.g. `payments/jsapi`. */
  dir: string
  types: Map<string, GoTypeDecl>
  /** Import alias (or last path segment) → package dir under services/. */
  imports: Map<string, string>
}

const SDK_MODULE = "github.com/wechatpay-apiv3/wechatpay-go"
const REPOSITORY = "https://github.com/wechatpay-apiv3/wechatpay-go"
const HTTP_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"])
const INTEGER_TYPES = new Set([
  "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "byte", "rune"
])
const NUMBER_TYPES = new Set(["float32", "float64"])
/** Return types that mean the answer is raw bytes rather than a decoded JSON body. */
const DOWNLOAD_TYPES = /\b(io\.ReadCloser|io\.Reader|\[\]byte|bytes\.Buffer)\b/
/** Headers the client sets for its own protocol, not parameters of the operation. */
const PLUMBING_HEADERS = new Set(["wechatpay-serial", "accept", "content-type"])

const warnings: Array<string> = []
const warn = (message: string): void => {
  warnings.push(message)
}

// ---------------------------------------------------------------------------------------------
// Reading the repository

interface Args {
  repo: string
  commit: string
  out: string
}

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const scriptDir = path.dirname(fileURLToPath(import.meta.url))
  let repo: string | undefined
  let commit = "HEAD"
  let out = path.resolve(scriptDir, "..", "..", "vendor", "official-sdks", "wechatpay-go", "facts.json")
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    if (flag === "--repo" && value !== undefined) {
      repo = value
      i++
    } else if (flag === "--commit" && value !== undefined) {
      commit = value
      i++
    } else if (flag === "--out" && value !== undefined) {
      out = path.resolve(value)
      i++
    } else {
      throw new Error(`unknown or incomplete argument: ${flag ?? ""}`)
    }
  }
  if (repo === undefined) throw new Error("usage: extract-go.ts --repo <wechatpay-go git dir> [--commit REV] [--out FILE]")
  return { repo, commit, out }
}

const git = (repo: string, args: ReadonlyArray<string>): string =>
  execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })

const isGeneratedSource = (file: string): boolean =>
  file.startsWith("services/") && file.endsWith(".go") && !file.endsWith("_test.go") && !/example/i.test(file)

// ---------------------------------------------------------------------------------------------
// Models: structs, enums, named types

const parseImports = (source: string, imports: Map<string, string>): void => {
  const importLine = /^\s*(?:(\w+)\s+)?"([^"]+)"\s*$/
  const block = /^import \(\n([\s\S]*?)^\)/m.exec(source)
  const lines = block?.[1] !== undefined ? block[1].split("\n") : []
  const single = /^import ((?:\w+\s+)?"[^"]+")$/m.exec(source)
  if (single?.[1] !== undefined) lines.push(single[1])
  for (const line of lines) {
    const match = importLine.exec(line)
    const importPath = match?.[2]
    if (importPath === undefined || !importPath.startsWith(`${SDK_MODULE}/services/`)) continue
    const dir = importPath.slice(`${SDK_MODULE}/services/`.length)
    const alias = match?.[1] ?? dir.split("/").at(-1) ?? dir
    imports.set(alias, dir)
  }
}

const parseStructBody = (typeName: string, file: string, body: string): Array<GoField> => {
  const fields: Array<GoField> = []
  // `Name *Type `json:"wire,omitempty" ...`` (one field per line, as the generator writes them)
  const fieldLine = /^(\w+)\s+(\S+)\s+`([^`]*)`\s*(?:\/\/.*)?$/
  for (const raw of body.split("\n")) {
    const line = raw.trim()
    if (line === "" || line.startsWith("//")) continue
    const match = fieldLine.exec(line)
    const goName = match?.[1]
    const goType = match?.[2]
    const tags = match?.[3]
    if (goName === undefined || goType === undefined || tags === undefined) {
      warn(`${file}: ${typeName}: unparsed struct line \`${line}\` (skipped)`)
      continue
    }
    const jsonTag = /\bjson:"([^"]*)"/.exec(tags)?.[1]
    if (jsonTag === undefined) {
      warn(`${file}: ${typeName}.${goName}: no json tag (skipped)`)
      continue
    }
    const [tagName = "", ...options] = jsonTag.split(",")
    fields.push({ goName, goType, jsonName: tagName === "" ? goName : tagName, omitempty: options.includes("omitempty") })
  }
  return fields
}

/** Go const literal → enum value: quoted strings, or integers for integer-based enums. */
const parseEnumLiteral = (literal: string): EnumValue | undefined => {
  if (/^"(?:[^"\\]|\\.)*"$/.test(literal)) return JSON.parse(literal) as string
  const raw = /^`([^`]*)`$/.exec(literal)?.[1]
  if (raw !== undefined) return raw
  if (/^-?\d+$/.test(literal)) return Number(literal)
  return undefined
}

const parseModels = (file: string, source: string, pkg: GoPackage): void => {
  parseImports(source, pkg.imports)
  for (const match of source.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const [, name, body] = match
    if (name === undefined || body === undefined) continue
    pkg.types.set(name, { kind: "struct", fields: parseStructBody(name, file, body) })
  }
  for (const match of source.matchAll(/^type (\w+) ([\w.]+)\s*$/gm)) {
    const [, name, target] = match
    if (name === undefined || target === undefined) continue
    if (target === "string" || INTEGER_TYPES.has(target) || NUMBER_TYPES.has(target) || target === "bool") {
      pkg.types.set(name, { kind: "enum", base: target, values: [] })
    } else {
      pkg.types.set(name, { kind: "named", target })
    }
  }
  // `const ( PREFIX_VALUE EnumType = "VALUE" ... )`: values attach to their enum type, in order.
  for (const block of source.matchAll(/^const \(\n([\s\S]*?)^\)/gm)) {
    for (const line of (block[1] ?? "").split("\n")) {
      const constant = /^\s*\w+\s+(\w+)\s*=\s*(.+?)\s*(?:\/\/.*)?$/.exec(line)
      const typeName = constant?.[1]
      const literal = constant?.[2]
      if (typeName === undefined || literal === undefined) continue
      const decl = pkg.types.get(typeName)
      const value = parseEnumLiteral(literal)
      if (decl?.kind !== "enum" || value === undefined) {
        warn(`${file}: unattributed const \`${line.trim()}\` (skipped)`)
        continue
      }
      decl.values.push(value)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Type resolution

interface Resolver {
  packages: Map<string, GoPackage>
}

const lookupType = (
  resolver: Resolver,
  pkg: GoPackage,
  goType: string
): { pkg: GoPackage; name: string; decl: GoTypeDecl } | undefined => {
  const dot = goType.indexOf(".")
  let target = pkg
  let name = goType
  if (dot >= 0) {
    const dir = pkg.imports.get(goType.slice(0, dot))
    const other = dir === undefined ? undefined : resolver.packages.get(dir)
    if (other === undefined) return undefined
    target = other
    name = goType.slice(dot + 1)
  }
  const decl = target.types.get(name)
  return decl === undefined ? undefined : { pkg: target, name, decl }
}

/** The struct behind a type name, following `type X Y` declarations (cycles give undefined). */
const lookupStruct = (
  resolver: Resolver,
  pkg: GoPackage,
  goType: string
): { pkg: GoPackage; name: string; fields: Array<GoField> } | undefined => {
  const seen = new Set<string>()
  let found = lookupType(resolver, pkg, goType)
  while (found?.decl.kind === "named") {
    const key = `${found.pkg.dir}.${found.name}`
    if (seen.has(key)) return undefined
    seen.add(key)
    found = lookupType(resolver, found.pkg, found.decl.target)
  }
  return found?.decl.kind === "struct" ? { pkg: found.pkg, name: found.name, fields: found.decl.fields } : undefined
}

const baseType = (goType: string): FieldType | undefined => {
  if (goType === "string") return "string"
  if (goType === "bool") return "boolean"
  if (INTEGER_TYPES.has(goType)) return "integer"
  if (NUMBER_TYPES.has(goType)) return "number"
  return undefined
}

/**
 * The type node of a Go type. `stack` holds the struct types on the current path
 * (`dir.Name`): a struct met again on its own path is a cycle and becomes "unknown".
 */
const resolveType = (
  resolver: Resolver,
  pkg: GoPackage,
  goType: string,
  required: RequiredRule,
  stack: ReadonlyArray<string>,
  where: string
): TypeNode => {
  const bare = goType.replace(/^\*+/, "")
  if (bare.startsWith("[]")) {
    return { type: "array", items: resolveType(resolver, pkg, bare.slice(2), required, stack, where) }
  }
  if (bare.startsWith("map[") || bare === "interface{}" || bare === "any" || bare === "json.RawMessage") {
    return { type: "unknown" }
  }
  if (bare === "time.Time") return { type: "string", format: "date-time" }
  const builtin = baseType(bare)
  if (builtin !== undefined) return { type: builtin }

  const found = lookupType(resolver, pkg, bare)
  if (found === undefined) {
    warn(`${where}: unresolved Go type \`${goType}\` (recorded as "unknown")`)
    return { type: "unknown" }
  }
  const key = `${found.pkg.dir}.${found.name}`
  switch (found.decl.kind) {
    case "enum": {
      const type = baseType(found.decl.base) ?? "unknown"
      if (found.decl.values.length === 0) return { type }
      return { type, enum: [...found.decl.values] }
    }
    case "named":
      if (stack.includes(key)) return { type: "unknown" }
      return resolveType(resolver, found.pkg, found.decl.target, required, [...stack, key], where)
    case "struct":
      if (stack.includes(key)) return { type: "unknown" }
      return {
        type: "object",
        fields: structFields(resolver, found.pkg, found.decl.fields, required, [...stack, key], `${where} > ${key}`)
      }
  }
}

/** How `required` is stated: request fields by their json tag, answer fields never (all pointers). */
type RequiredRule = "request" | "response"

/** A Field from a type node; keys in one fixed order so that the JSON reads the same everywhere. */
const toField = (
  name: string,
  location: Location | undefined,
  node: TypeNode,
  required: boolean | null
): Field => ({
  name,
  ...(location !== undefined ? { location } : {}),
  type: node.type,
  required,
  ...(node.format !== undefined ? { format: node.format } : {}),
  ...(node.enum !== undefined ? { enum: node.enum } : {}),
  ...(node.items !== undefined ? { items: node.items } : {}),
  ...(node.fields !== undefined ? { fields: node.fields } : {})
})

const structFields = (
  resolver: Resolver,
  pkg: GoPackage,
  fields: ReadonlyArray<GoField>,
  required: RequiredRule,
  stack: ReadonlyArray<string>,
  where: string
): Array<Field> =>
  fields
    .filter((field) => field.jsonName !== "-")
    .map((field) =>
      toField(
        field.jsonName,
        undefined,
        resolveType(resolver, pkg, field.goType, required, stack, `${where}.${field.goName}`),
        required === "request" ? !field.omitempty : null
      )
    )

// ---------------------------------------------------------------------------------------------
// Service methods

interface GoMethod {
  file: string
  service: string
  name: string
  doc: Array<string>
  signature: string
  body: string
}

/** Every `func (a *XApiService) Name(...) (...) {` of an api file, with its doc comment and body. */
const parseMethods = (file: string, source: string): Array<GoMethod> => {
  const lines = source.split("\n")
  const methods: Array<GoMethod> = []
  let doc: Array<string> = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ""
    if (line.startsWith("//")) {
      doc.push(line)
      continue
    }
    const head = /^func \(a \*(\w+)\) (\w+)\(/.exec(line)
    if (head?.[1] === undefined || head[2] === undefined) {
      doc = []
      continue
    }
    // The signature may wrap over several lines; it ends at the line closing with `{`.
    const signature: Array<string> = [line]
    while (!(signature.at(-1) ?? "").trimEnd().endsWith("{") && i + 1 < lines.length) signature.push(lines[++i] ?? "")
    const body: Array<string> = []
    while (i + 1 < lines.length && lines[i + 1] !== "}") body.push(lines[++i] ?? "")
    i++
    methods.push({ file, service: head[1], name: head[2], doc, signature: signature.join("\n"), body: body.join("\n") })
    doc = []
  }
  return methods
}

/** Doc comments above `type XApiService services.Service`, by service type. */
const parseServiceDocs = (source: string): Map<string, Array<string>> => {
  const docs = new Map<string, Array<string>>()
  const lines = source.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const service = /^type (\w+) services\.Service\s*$/.exec(lines[i] ?? "")?.[1]
    if (service === undefined) continue
    const doc: Array<string> = []
    for (let j = i - 1; j >= 0 && (lines[j] ?? "").startsWith("//"); j--) doc.unshift(lines[j] ?? "")
    docs.set(service, doc)
  }
  return docs
}

/** Codes of an error-code table (`CODE|400|描述|...` rows); prose mentions of codes are not tables. */
const errorCodesOf = (doc: ReadonlyArray<string>): Array<string> => {
  const codes: Array<string> = []
  for (const line of doc) {
    const code = /^\/\/\s*\|?\s*([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)\s*\|\s*\d{3}\s*\|/.exec(line)?.[1]
    if (code !== undefined && !codes.includes(code)) codes.push(code)
  }
  return codes
}

const stripHost = (url: string): string => url.replace(/^https?:\/\/[^/]+/, "")

const buildOperation = (
  resolver: Resolver,
  pkg: GoPackage,
  method: GoMethod,
  serviceDoc: ReadonlyArray<string>
): Operation | undefined => {
  const where = `${pkg.dir}.${method.service}.${method.name}`
  const httpMethod = /localVarHTTPMethod\s*=\s*nethttp\.Method(\w+)/.exec(method.body)?.[1]?.toUpperCase()
  const pathLiteral = /localVarPath\s*:=\s*(?:[\w.]+\s*\+\s*)?"([^"]+)"/.exec(method.body)?.[1]
  if (httpMethod === undefined || pathLiteral === undefined) {
    // e.g. PrepayWithRequestPayment: a client-side wrapper over Prepay that signs the answer.
    warn(`${method.file}: ${where}: no HTTP request of its own (not an operation, skipped)`)
    return undefined
  }
  if (!HTTP_METHODS.has(httpMethod)) warn(`${where}: unexpected HTTP method ${httpMethod}`)

  const paramsText = method.signature.slice(method.signature.indexOf("(", method.signature.indexOf(")")) + 1)
  const reqType = /\breq\s+([\w.]+)/.exec(paramsText)?.[1]
  const returns = method.signature.slice(method.signature.lastIndexOf(") (") + 3)
  const respType = /\bresp\s+([^,)]+)/.exec(returns)?.[1]?.trim()

  const reqDecl = reqType === undefined ? undefined : lookupStruct(resolver, pkg, reqType)
  const reqFields = reqDecl?.fields ?? []
  if (reqType !== undefined && reqDecl === undefined) warn(`${where}: request type ${reqType} not a struct`)
  const reqPkg = reqDecl?.pkg ?? pkg
  const reqStack = reqDecl === undefined ? [] : [`${reqDecl.pkg.dir}.${reqDecl.name}`]

  const checked = new Set([...method.body.matchAll(/field `(\w+)` is required and must be specified/g)].map((m) => m[1]))
  const located = new Map<string, { location: Location; wire: string }>()
  for (const m of method.body.matchAll(/strings\.Replace\(localVarPath,\s*"\{"\s*\+\s*"([^"]+)"\s*\+\s*"\}".*?\breq\.(\w+)/g)) {
    if (m[1] !== undefined && m[2] !== undefined) located.set(m[2], { location: "path", wire: m[1] })
  }
  for (const m of method.body.matchAll(/localVarQueryParams\.(?:Add|Set)\("([^"]+)",.*?\breq\.(\w+)/g)) {
    if (m[1] !== undefined && m[2] !== undefined) located.set(m[2], { location: "query", wire: m[1] })
  }
  for (const m of method.body.matchAll(/localVarHeaderParams\.(?:Add|Set)\(([^,]+),\s*(.+)\)\s*$/gm)) {
    const key = m[1]?.trim() ?? ""
    const value = m[2] ?? ""
    const literal = /^"([^"]+)"$/.exec(key)?.[1]
    if (key === "consts.WechatPaySerial" || (literal !== undefined && PLUMBING_HEADERS.has(literal.toLowerCase()))) continue
    const reqField = /\breq\.(\w+)/.exec(value)?.[1]
    if (literal === undefined || reqField === undefined) {
      warn(`${where}: header \`${key}\` not taken from a request field (skipped)`)
      continue
    }
    located.set(reqField, { location: "header", wire: literal })
  }
  for (const goName of located.keys()) {
    if (!reqFields.some((field) => field.goName === goName)) warn(`${where}: parameter req.${goName} not in ${reqType ?? "?"}`)
  }

  const request: Array<Field> = []
  const postBody = /^\s*localVarPostBody\s*=\s*(.+)$/m.exec(method.body)?.[1]?.trim()
  const bodyIsReq = postBody === "req"
  for (const field of reqFields) {
    const place = located.get(field.goName)
    if (place === undefined && !(bodyIsReq && field.jsonName !== "-")) continue
    const node = resolveType(resolver, reqPkg, field.goType, "request", reqStack, `${where}.${field.goName}`)
    const required = checked.has(field.goName) || (field.jsonName !== "-" && !field.omitempty)
    request.push(toField(place?.wire ?? field.jsonName, place?.location ?? "body", node, required))
  }
  if (postBody !== undefined && !bodyIsReq) {
    // `localVarPostBody = &CloseRequest{ Mchid: req.Mchid }`: the wire body is that struct.
    const bodyType = /^&?([\w.]+)\{/.exec(postBody)?.[1]
    const bodyDecl = bodyType === undefined ? undefined : lookupStruct(resolver, pkg, bodyType)
    if (bodyDecl === undefined) {
      warn(`${where}: body \`${postBody}\` not a known struct (body omitted)`)
    } else {
      const stack = [`${bodyDecl.pkg.dir}.${bodyDecl.name}`]
      for (const field of structFields(resolver, bodyDecl.pkg, bodyDecl.fields, "request", stack, `${where} body`)) {
        request.push(toField(field.name, "body", field, field.required))
      }
    }
  }

  let response: ReadonlyArray<Field> | null = null
  let download = false
  if (DOWNLOAD_TYPES.test(returns)) {
    download = true
  } else if (respType !== undefined) {
    const node = resolveType(resolver, pkg, respType, "response", [], `${where} response`)
    if (node.type !== "object") warn(`${where}: response type ${respType} is ${node.type}`)
    response = node.fields ?? []
  }

  const errorCodes = errorCodesOf([...method.doc, ...serviceDoc])
  const operation: Operation = {
    method: httpMethod,
    path: stripHost(pathLiteral),
    sdkMethod: `${pkg.dir}.${method.service}.${method.name}`,
    request,
    response,
    ...(download ? { download: true as const } : {}),
    ...(errorCodes.length > 0 ? { errorCodes } : {})
  }
  return operation
}

// ---------------------------------------------------------------------------------------------

const main = (): void => {
  const args = parseArgs(process.argv.slice(2))
  const commit = git(args.repo, ["rev-parse", `${args.commit}^{commit}`]).trim()
  const files = git(args.repo, ["ls-tree", "-r", "--name-only", commit, "services"])
    .split("\n")
    .filter(isGeneratedSource)
    .sort()
  const read = (file: string): string => git(args.repo, ["show", `${commit}:${file}`])

  const resolver: Resolver = { packages: new Map() }
  const packageOf = (file: string): GoPackage => {
    const dir = path.posix.dirname(file).slice("services/".length)
    let pkg = resolver.packages.get(dir)
    if (pkg === undefined) {
      pkg = { dir, types: new Map(), imports: new Map() }
      resolver.packages.set(dir, pkg)
    }
    return pkg
  }

  // Every non-test file contributes types (a few api files declare their own structs), then methods.
  const sources = new Map(files.map((file) => [file, read(file)] as const))
  for (const [file, source] of sources) {
    if (path.posix.dirname(file) === "services") continue
    parseModels(file, source, packageOf(file))
  }
  const operations: Array<Operation> = []
  for (const [file, source] of sources) {
    if (!/\/api_[^/]+\.go$/.test(file)) continue
    const pkg = packageOf(file)
    const serviceDocs = parseServiceDocs(source)
    for (const method of parseMethods(file, source)) {
      const operation = buildOperation(resolver, pkg, method, serviceDocs.get(method.service) ?? [])
      if (operation !== undefined) operations.push(operation)
    }
  }
  const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
  operations.sort((a, b) => compare(a.path, b.path) || compare(a.method, b.method) || compare(a.sdkMethod, b.sdkMethod))

  const facts = { sdk: "wechatpay-go", repository: REPOSITORY, commit, license: "Apache-2.0", operations }
  fs.mkdirSync(path.dirname(args.out), { recursive: true })
  fs.writeFileSync(args.out, `${JSON.stringify(facts, null, 2)}\n`)
  for (const message of warnings) process.stderr.write(`warning: ${message}\n`)
  process.stdout.write(`${operations.length} operations from ${files.length} files → ${args.out}\n`)
}

main()
