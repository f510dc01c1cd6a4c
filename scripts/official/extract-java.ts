/**
 * Reads the official Java SDK (wechatpay-java) and writes the facts its generated code states:
 * operations (method, path), request fields (location, type), response fields and enums.
 * Only facts go into the JSON; no SDK code. The output has the same shape as extract-go.ts's.
 *
 *   npx tsx scripts/official/extract-java.ts --repo /work/.mirror/wechatpay-apiv3+wechatpay-java/repo
 *   npx tsx scripts/official/extract-java.ts --repo DIR [--commit REV] [--out FILE]
 *
 * `--repo` is a git directory (a bare mirror is fine): files are read with `git show`, so no work
 * tree is needed. Only `service/src/main/java/com/wechat/pay/java/service/**` is read.
 * The Java source is parsed with line-oriented regexes: the generator (WechatPay APIv3 Generator,
 * built on OpenAPI Generator templates) writes every model, field, enum and service method in one
 * fixed shape. Anything outside that shape is reported on stderr rather than guessed.
 *
 * Java's models state no optionality (every field is a nullable reference), so `required` is
 * always null. Times are plain `String`s in the Java models, so no `format` is ever stated.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { FactField, FactLocation, FactOperation, FactType } from "./facts.js"

type Location = FactLocation
type EnumValue = string | number
type TypeNode = FactType
type Field = FactField
type Operation = FactOperation

interface JavaField {
  javaName: string
  javaType: string
  /** `@SerializedName("...")`. */
  wireName: string
  /** `@Expose(serialize = false)`: Gson leaves the field out of the JSON body. */
  serialize: boolean
}

/** A class or enum declared by a source file, keyed by its fully qualified name. */
type JavaTypeDecl =
  | { kind: "class"; file: string; pkg: string; fields: Array<JavaField>; getters: Map<string, string>; imports: Map<string, string> }
  | { kind: "enum"; file: string; values: Array<EnumValue> }

const SERVICE_ROOT = "service/src/main/java/com/wechat/pay/java/service/"
const JAVA_ROOT_PACKAGE = "com.wechat.pay.java.service"
const REPOSITORY = "https://github.com/wechatpay-apiv3/wechatpay-java"
const HTTP_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"])
const STRING_TYPES = new Set(["String", "java.lang.String", "char", "Character"])
const INTEGER_TYPES = new Set(["Integer", "Long", "Short", "Byte", "BigInteger", "int", "long", "short", "byte"])
const NUMBER_TYPES = new Set(["Double", "Float", "BigDecimal", "double", "float"])
const BOOLEAN_TYPES = new Set(["Boolean", "boolean"])
const UNKNOWN_TYPES = new Set(["Object", "JsonObject", "JsonElement", "JsonArray"])
const LIST_TYPES = /^(?:List|ArrayList|LinkedList|Set|HashSet|Collection)<(.+)>$/
/** Headers the client sets for its own protocol, not parameters of the operation. */
const PLUMBING_HEADERS = new Set(["Constant.ACCEPT", "Constant.CONTENT_TYPE", "Constant.WECHAT_PAY_SERIAL"])

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
  let out = path.resolve(scriptDir, "..", "..", "vendor", "official-sdks", "wechatpay-java", "facts.json")
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
  if (repo === undefined) {
    throw new Error("usage: extract-java.ts --repo <wechatpay-java git dir> [--commit REV] [--out FILE]")
  }
  return { repo, commit, out }
}

const git = (repo: string, args: ReadonlyArray<string>): string =>
  execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })

const isSource = (file: string): boolean =>
  file.startsWith(SERVICE_ROOT) && file.endsWith(".java") && !file.endsWith("/package-info.java")

/**
 * `XxxService.java` (generated) and `XxxServiceExtension.java` (hand-written wrappers) outside
 * `model/` (a model may be named `...Service`, e.g. wexinpayscoreparking's PlateService).
 */
const isServiceFile = (file: string): boolean => /Service(?:Extension)?\.java$/.test(file) && !file.includes("/model/")

/** The SPDX identifier of the LICENSE text, when it is one this script recognises. */
const licenseOf = (text: string): string | undefined => {
  if (/Apache License/.test(text) && /Version 2\.0/.test(text)) return "Apache-2.0"
  if (/^MIT License/m.test(text) || /Permission is hereby granted, free of charge/.test(text)) return "MIT"
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Models: classes with @SerializedName fields, enums with @SerializedName constants

const packageOf = (source: string): string | undefined => /^package ([\w.]+);\s*$/m.exec(source)?.[1]

/** `import a.b.C;` → C → a.b.C (static and wildcard imports are not type names). */
const parseImports = (source: string): Map<string, string> => {
  const imports = new Map<string, string>()
  for (const m of source.matchAll(/^import ([\w.]+)\.(\w+);\s*$/gm)) {
    if (m[1] !== undefined && m[2] !== undefined) imports.set(m[2], `${m[1]}.${m[2]}`)
  }
  return imports
}

/** `@SerializedName("V") CONSTANT,` pairs of an enum body (either indentation). */
const parseEnumConstants = (where: string, lines: ReadonlyArray<string>): Array<EnumValue> => {
  const values: Array<EnumValue> = []
  let pending: string | undefined
  for (const raw of lines) {
    const line = raw.trim()
    if (line === "" || line.startsWith("/**") || line.startsWith("*") || line.startsWith("//")) continue
    const serialized = /^@SerializedName\("((?:[^"\\]|\\.)*)"\)$/.exec(line)?.[1]
    if (serialized !== undefined) {
      pending = JSON.parse(`"${serialized}"`) as string
      continue
    }
    const constant = /^([A-Za-z_]\w*)\s*[,;]?$/.exec(line)?.[1]
    if (constant !== undefined) {
      if (pending === undefined) warn(`${where}: enum constant ${constant} has no @SerializedName (skipped)`)
      else values.push(pending)
      pending = undefined
      continue
    }
    warn(`${where}: unparsed enum line \`${line}\` (skipped)`)
    pending = undefined
  }
  return values
}

/**
 * Every class and enum a source file declares: the top-level one and its nested enums
 * (`Outer.InnerEnum`). Members are at two spaces of indentation, nested members at four.
 */
const parseModels = (file: string, source: string, types: Map<string, JavaTypeDecl>): void => {
  const pkg = packageOf(source)
  if (pkg === undefined) {
    warn(`${file}: no package declaration (skipped)`)
    return
  }
  const imports = parseImports(source)
  const lines = source.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const head = /^public (?:final |abstract )?(class|enum) (\w+)\b.*\{\s*$/.exec(lines[i] ?? "")
    if (head?.[1] === undefined || head[2] === undefined) continue
    const name = head[2]
    const fqn = `${pkg}.${name}`
    const body: Array<string> = []
    while (i + 1 < lines.length && lines[i + 1] !== "}") body.push(lines[++i] ?? "")
    if (head[1] === "enum") {
      types.set(fqn, { kind: "enum", file, values: parseEnumConstants(`${file}: ${name}`, body) })
      continue
    }
    const fields: Array<JavaField> = []
    const getters = new Map<string, string>()
    let annotations: Array<string> = []
    for (let j = 0; j < body.length; j++) {
      const line = body[j] ?? ""
      if (!line.startsWith("  ") || line.startsWith("   ")) continue // blank, or deeper than a member
      const member = line.trim()
      if (member.startsWith("/**") || member.startsWith("*") || member.startsWith("//")) continue
      const innerEnum = /^public (?:static )?enum (\w+) \{$/.exec(member)?.[1]
      if (innerEnum !== undefined) {
        const inner: Array<string> = []
        while (j + 1 < body.length && body[j + 1] !== "  }") inner.push(body[++j] ?? "")
        j++
        types.set(`${fqn}.${innerEnum}`, {
          kind: "enum",
          file,
          values: parseEnumConstants(`${file}: ${name}.${innerEnum}`, inner)
        })
        annotations = []
        continue
      }
      if (member.startsWith("@")) {
        annotations.push(member)
        continue
      }
      const field = /^private ((?:static |final |transient |volatile )*)([\w.<>,[\] ?]+?) (\w+)(?: = [^;]+)?;$/.exec(member)
      if (field?.[2] !== undefined && field[3] !== undefined) {
        const modifiers = field[1] ?? ""
        const javaType = field[2]
        const javaName = field[3]
        const noted = annotations
        annotations = []
        if (/\bstatic\b/.test(modifiers)) continue // serialVersionUID and constants: not fields of the JSON
        let wireName: string | undefined
        let serialize = true
        for (const annotation of noted) {
          const serialized = /^@SerializedName\("((?:[^"\\]|\\.)*)"\)$/.exec(annotation)?.[1]
          if (serialized !== undefined) wireName = JSON.parse(`"${serialized}"`) as string
          else if (/^@Expose\(serialize = false\)$/.test(annotation)) serialize = false
          else if (annotation !== "@Encryption") warn(`${file}: ${name}.${javaName}: unknown annotation \`${annotation}\` (ignored)`)
        }
        if (wireName === undefined) {
          warn(`${file}: ${name}.${javaName}: no @SerializedName (skipped)`)
          continue
        }
        fields.push({ javaName, javaType, wireName, serialize })
        continue
      }
      if (member.startsWith("private ") && member.endsWith(";")) {
        warn(`${file}: ${name}: unparsed field line \`${member}\` (skipped)`)
        annotations = []
        continue
      }
      // `public T getX() {` / `return x;`: how service code names a field.
      const getter = /^public [\w.<>,[\] ?]+ (get\w+|is\w+)\(\) \{$/.exec(member)?.[1]
      if (getter !== undefined) {
        const returned = /^return (?:this\.)?(\w+);$/.exec((body[j + 1] ?? "").trim())?.[1]
        if (returned !== undefined) getters.set(getter, returned)
      }
      if (annotations.some((a) => a.startsWith("@SerializedName"))) {
        warn(`${file}: ${name}: @SerializedName not followed by a field (before \`${member}\`)`)
      }
      annotations = []
    }
    types.set(fqn, { kind: "class", file, pkg, fields, getters, imports })
  }
}

// ---------------------------------------------------------------------------------------------
// Type resolution

/** Where a type name is looked up: the declaring class (for nested enums), its imports, its package. */
interface Scope {
  pkg: string
  /** Fully qualified name of the class whose code names the type, if any. */
  owner?: string
  imports: Map<string, string>
}

const lookupType = (
  types: Map<string, JavaTypeDecl>,
  scope: Scope,
  javaType: string
): { fqn: string; decl: JavaTypeDecl } | undefined => {
  const [first = javaType, ...rest] = javaType.split(".")
  const suffix = rest.length > 0 ? `.${rest.join(".")}` : ""
  const candidates = [
    ...(scope.owner !== undefined ? [`${scope.owner}.${javaType}`] : []),
    ...(scope.imports.has(first) ? [`${scope.imports.get(first)}${suffix}`] : []),
    `${scope.pkg}.${javaType}`,
    javaType
  ]
  for (const fqn of candidates) {
    const decl = types.get(fqn)
    if (decl !== undefined) return { fqn, decl }
  }
  return undefined
}

const scopeOfClass = (fqn: string, decl: Extract<JavaTypeDecl, { kind: "class" }>): Scope => ({
  pkg: decl.pkg,
  owner: fqn,
  imports: decl.imports
})

/**
 * The type node of a Java type. `stack` holds the classes on the current path: a class met
 * again on its own path is a cycle and becomes "unknown" (as extract-go.ts does).
 */
const resolveType = (
  types: Map<string, JavaTypeDecl>,
  scope: Scope,
  javaType: string,
  stack: ReadonlyArray<string>,
  where: string
): TypeNode => {
  const bare = javaType.trim()
  const list = LIST_TYPES.exec(bare)?.[1]
  if (list !== undefined) return { type: "array", items: resolveType(types, scope, list, stack, where) }
  if (bare.endsWith("[]")) return { type: "array", items: resolveType(types, scope, bare.slice(0, -2), stack, where) }
  if (/^(?:Map|HashMap|LinkedHashMap|TreeMap)<.*>$/.test(bare) || UNKNOWN_TYPES.has(bare)) return { type: "unknown" }
  if (STRING_TYPES.has(bare)) return { type: "string" }
  if (INTEGER_TYPES.has(bare)) return { type: "integer" }
  if (NUMBER_TYPES.has(bare)) return { type: "number" }
  if (BOOLEAN_TYPES.has(bare)) return { type: "boolean" }

  const found = lookupType(types, scope, bare)
  if (found === undefined) {
    warn(`${where}: unresolved Java type \`${javaType}\` (recorded as "unknown")`)
    return { type: "unknown" }
  }
  if (found.decl.kind === "enum") {
    if (found.decl.values.length === 0) return { type: "string" }
    return { type: "string", enum: [...found.decl.values] }
  }
  if (stack.includes(found.fqn)) return { type: "unknown" }
  return {
    type: "object",
    fields: classFields(types, found.fqn, found.decl, [...stack, found.fqn], `${where} > ${found.fqn}`)
  }
}

/** A Field from a type node; keys in one fixed order so that the JSON reads the same everywhere. */
const toField = (name: string, location: Location | undefined, node: TypeNode): Field => ({
  name,
  ...(location !== undefined ? { location } : {}),
  type: node.type,
  required: null,
  ...(node.format !== undefined ? { format: node.format } : {}),
  ...(node.enum !== undefined ? { enum: node.enum } : {}),
  ...(node.items !== undefined ? { items: node.items } : {}),
  ...(node.fields !== undefined ? { fields: node.fields } : {})
})

/** The JSON fields of a model: the ones Gson serialises (nested bodies) or reads (answers). */
const classFields = (
  types: Map<string, JavaTypeDecl>,
  fqn: string,
  decl: Extract<JavaTypeDecl, { kind: "class" }>,
  stack: ReadonlyArray<string>,
  where: string
): Array<Field> =>
  decl.fields.map((field) =>
    toField(field.wireName, undefined, resolveType(types, scopeOfClass(fqn, decl), field.javaType, stack, `${where}.${field.javaName}`))
  )

// ---------------------------------------------------------------------------------------------
// Service methods

interface JavaMethod {
  file: string
  service: string
  name: string
  visibility: string
  returnType: string
  params: string
  /** The body with each line trimmed and joined by one space, so wrapped statements read as one. */
  body: string
}

/** Every member method (two spaces of indentation) of a service class, with its body. */
const parseMethods = (file: string, source: string): Array<JavaMethod> => {
  const service = /^public (?:final )?class (\w+)/m.exec(source)?.[1] ?? path.posix.basename(file, ".java")
  const lines = source.split("\n")
  const methods: Array<JavaMethod> = []
  for (let i = 0; i < lines.length; i++) {
    const head = /^ {2}(public|private|protected) (?:static )?(?:final )?(?:synchronized )?([\w.<>,[\] ?]+?) (\w+)\(/.exec(lines[i] ?? "")
    if (head?.[1] === undefined || head[2] === undefined || head[3] === undefined) continue
    if (/\b(?:class|enum|interface)\b/.test(head[2])) continue
    // The signature may wrap over several lines; it ends at the line closing with `{`.
    const signature: Array<string> = [lines[i] ?? ""]
    while (!(signature.at(-1) ?? "").trimEnd().endsWith("{") && i + 1 < lines.length) {
      if ((signature.at(-1) ?? "").trimEnd().endsWith(";")) break // a field initialiser, not a method
      signature.push(lines[++i] ?? "")
    }
    if (!(signature.at(-1) ?? "").trimEnd().endsWith("{")) continue
    const body: Array<string> = []
    while (i + 1 < lines.length && lines[i + 1] !== "  }") body.push(lines[++i] ?? "")
    i++
    const joined = signature.map((line) => line.trim()).join(" ")
    const params = /\(([^)]*)\)/.exec(joined.slice(joined.indexOf(`${head[3]}(`)))?.[1] ?? ""
    methods.push({
      file,
      service,
      name: head[3],
      visibility: head[1],
      returnType: head[2],
      params: params.trim(),
      body: body.map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("//")).join(" ")
    })
  }
  return methods
}

const stripHost = (url: string): string => url.replace(/^https?:\/\/[^/]+/, "")

/** `getOutTradeNo` → the model field it returns (`outTradeNo`). */
const fieldOfGetter = (
  decl: Extract<JavaTypeDecl, { kind: "class" }> | undefined,
  getter: string
): JavaField | undefined => {
  if (decl === undefined) return undefined
  const javaName = decl.getters.get(getter) ?? getter.replace(/^(?:get|is)(\w)/, (_, c: string) => c.toLowerCase())
  return decl.fields.find((field) => field.javaName === javaName)
}

const buildOperation = (
  types: Map<string, JavaTypeDecl>,
  dir: string,
  scope: Scope,
  method: JavaMethod
): Operation | undefined => {
  const where = `${dir}.${method.service}.${method.name}`
  const httpMethod = /\.httpMethod\(HttpMethod\.(\w+)\)/.exec(method.body)?.[1]?.toUpperCase()
  const pathLiteral = /\bString requestPath = "([^"]+)";/.exec(method.body)?.[1]
  if (httpMethod === undefined && pathLiteral === undefined) {
    // e.g. JsapiServiceExtension.prepayWithRequestPayment: a client-side wrapper over prepay.
    if (method.visibility === "public") warn(`${method.file}: ${where}: no HTTP request of its own (not an operation, skipped)`)
    return undefined
  }
  if (httpMethod === undefined || pathLiteral === undefined) {
    // e.g. CertificateService.downloadCertificate, FileUploadService.uploadFile: hand-written requests.
    warn(`${method.file}: ${where}: HTTP request outside the generator shape (no \`String requestPath = "..."\` or no httpMethod; skipped)`)
    return undefined
  }
  if (!HTTP_METHODS.has(httpMethod)) warn(`${where}: unexpected HTTP method ${httpMethod}`)

  const param = /^([\w.]+) request$/.exec(method.params)?.[1]
  if (param === undefined && method.params !== "") warn(`${where}: parameters \`${method.params}\` not one \`X request\``)
  const realType = /\b([\w.]+) realRequest = request(?:\.cloneWithCipher\([^)]*\))?;/.exec(method.body)?.[1]
  if (param !== undefined && realType !== undefined && realType !== param) {
    warn(`${where}: realRequest is ${realType}, the parameter ${param}`)
  }
  const reqType = realType ?? param
  const reqFound = reqType === undefined ? undefined : lookupType(types, scope, reqType)
  const reqDecl = reqFound?.decl.kind === "class" ? reqFound.decl : undefined
  if (reqType !== undefined && reqDecl === undefined) warn(`${where}: request type ${reqType} not a known model class`)
  const reqStack = reqFound === undefined ? [] : [reqFound.fqn]
  const reqScope = reqFound !== undefined && reqDecl !== undefined ? scopeOfClass(reqFound.fqn, reqDecl) : scope

  const located = new Map<string, { location: Location; wire: string }>()
  const locate = (getter: string, location: Location, wire: string): void => {
    const field = fieldOfGetter(reqDecl, getter)
    if (field === undefined) {
      warn(`${where}: ${location} parameter ${wire} from realRequest.${getter}() not a field of ${reqType ?? "?"} (skipped)`)
      return
    }
    located.set(field.javaName, { location, wire })
  }
  const pathPattern = /requestPath\.replace\(\s*"\{" \+ "([^"]+)" \+ "\}", urlEncode\(realRequest\.(\w+)\(\)(?:\.toString\(\))?\)\)/g
  let pathMatches = 0
  for (const m of method.body.matchAll(pathPattern)) {
    if (m[1] === undefined || m[2] === undefined) continue
    pathMatches++
    if (!pathLiteral.includes(`{${m[1]}}`)) warn(`${where}: path parameter {${m[1]}} not in ${pathLiteral}`)
    locate(m[2], "path", m[1])
  }
  if ((method.body.match(/requestPath\.replace\(/g) ?? []).length !== pathMatches) {
    warn(`${where}: a requestPath.replace(...) outside the generator shape (not recorded)`)
  }
  for (const placeholder of pathLiteral.matchAll(/\{(\w+)\}/g)) {
    if (![...located.values()].some((p) => p.location === "path" && p.wire === placeholder[1])) {
      warn(`${where}: path placeholder {${placeholder[1] ?? ""}} never replaced`)
    }
  }
  const queryPattern = /queryParameter\.add\(\s*"([^"]+)", urlEncode\(realRequest\.(\w+)\(\)(?:\.toString\(\))?\)\)/g
  let queryMatches = 0
  for (const m of method.body.matchAll(queryPattern)) {
    if (m[1] === undefined || m[2] === undefined) continue
    queryMatches++
    locate(m[2], "query", m[1])
  }
  if ((method.body.match(/queryParameter\.add\(/g) ?? []).length !== queryMatches) {
    warn(`${where}: a queryParameter.add(...) outside the generator shape (not recorded)`)
  }
  // `.addHeader(KEY, VALUE)`, VALUE with at most one level of nested calls (`x.getY()`).
  const headerPattern = /\.addHeader\(([^,()]+), ((?:[^()]|\((?:[^()]|\([^()]*\))*\))*)\)/g
  let headerMatches = 0
  for (const m of method.body.matchAll(headerPattern)) {
    headerMatches++
    const key = m[1]?.trim() ?? ""
    const value = m[2] ?? ""
    if (PLUMBING_HEADERS.has(key)) continue
    const literal = /^"([^"]+)"$/.exec(key)?.[1]
    const getter = /\brealRequest\.(\w+)\(\)/.exec(value)?.[1]
    if (literal === undefined || getter === undefined) {
      warn(`${where}: header \`${key}\` not taken from a request field (skipped)`)
      continue
    }
    locate(getter, "header", literal)
  }
  if ((method.body.match(/\.addHeader\(/g) ?? []).length !== headerMatches) {
    warn(`${where}: an addHeader(...) outside the generator shape (not recorded)`)
  }

  const bodyCall = /\.body\((.+?)\)\s*\.build\(\)/.exec(method.body)?.[1]?.trim()
  const bodyIsReq = bodyCall === "createRequestBody(realRequest)"
  if (bodyCall !== undefined && !bodyIsReq) warn(`${where}: body \`${bodyCall}\` not the request model (body omitted)`)
  if (bodyIsReq && httpMethod === "GET") warn(`${where}: GET with a JSON body`)

  const request: Array<Field> = []
  for (const field of reqDecl?.fields ?? []) {
    const place = located.get(field.javaName)
    if (place === undefined && !(bodyIsReq && field.serialize)) {
      if (!field.serialize) warn(`${where}: ${reqType ?? "?"}.${field.javaName} (${field.wireName}) is neither sent in the body nor placed in path/query/header (dropped)`)
      else if (!bodyIsReq) warn(`${where}: ${reqType ?? "?"}.${field.javaName} (${field.wireName}) is not placed in path/query/header and there is no body (dropped)`)
      continue
    }
    const node = resolveType(types, reqScope, field.javaType, reqStack, `${where}.${field.javaName}`)
    request.push(toField(place?.wire ?? field.wireName, place?.location ?? "body", node))
  }

  let response: ReadonlyArray<Field> | null = null
  const executed = /httpClient\.execute\(\s*httpRequest, (\w+\.class|null)\)/.exec(method.body)?.[1]
  if (executed === undefined) {
    warn(`${where}: no httpClient.execute(httpRequest, ...) (response not recorded)`)
  } else if (executed !== "null") {
    const respType = executed.slice(0, -".class".length)
    if (respType !== method.returnType) warn(`${where}: answer decoded as ${respType}, method returns ${method.returnType}`)
    const node = resolveType(types, scope, respType, [], `${where} response`)
    if (node.type !== "object") warn(`${where}: response type ${respType} is ${node.type}`)
    response = node.fields ?? []
  } else if (method.returnType !== "void") {
    warn(`${where}: answer not decoded, method returns ${method.returnType}`)
  }

  return {
    method: httpMethod,
    path: stripHost(pathLiteral),
    sdkMethod: where,
    request,
    response
  }
}

// ---------------------------------------------------------------------------------------------

const main = (): void => {
  const args = parseArgs(process.argv.slice(2))
  const commit = git(args.repo, ["rev-parse", `${args.commit}^{commit}`]).trim()
  const files = git(args.repo, ["ls-tree", "-r", "--name-only", commit, SERVICE_ROOT])
    .split("\n")
    .filter(isSource)
    .sort()
  const read = (file: string): string => git(args.repo, ["show", `${commit}:${file}`])
  const licenseText = (() => {
    try {
      return read("LICENSE")
    } catch {
      return ""
    }
  })()
  const license = licenseOf(licenseText)
  if (license === undefined) warn("LICENSE: not recognised (recorded as \"unknown\")")

  const sources = new Map(files.map((file) => [file, read(file)] as const))
  const types = new Map<string, JavaTypeDecl>()
  for (const [file, source] of sources) {
    if (!isServiceFile(file)) parseModels(file, source, types)
  }

  const operations: Array<Operation> = []
  for (const [file, source] of sources) {
    if (!isServiceFile(file)) continue
    const dir = path.posix.dirname(file).slice(SERVICE_ROOT.length)
    const pkg = packageOf(source) ?? `${JAVA_ROOT_PACKAGE}.${dir.replaceAll("/", ".")}`
    const scope: Scope = { pkg, imports: parseImports(source) }
    for (const method of parseMethods(file, source)) {
      const operation = buildOperation(types, dir, scope, method)
      if (operation !== undefined) operations.push(operation)
    }
  }
  const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
  operations.sort((a, b) => compare(a.path, b.path) || compare(a.method, b.method) || compare(a.sdkMethod, b.sdkMethod))

  // extract-go.ts keeps every service's copy of an operation (e.g. queryOrderById of each payments
  // package); so does this script, so that the two files compare one to one. They are named here.
  const byKey = new Map<string, Array<string>>()
  for (const operation of operations) {
    const key = `${operation.method} ${operation.path}`
    byKey.set(key, [...(byKey.get(key) ?? []), operation.sdkMethod])
  }
  for (const [key, sdkMethods] of byKey) {
    if (sdkMethods.length > 1) warn(`${key}: stated by ${sdkMethods.length} services (${sdkMethods.join(", ")}; all kept, as extract-go.ts does)`)
  }

  const facts = { sdk: "wechatpay-java", repository: REPOSITORY, commit, license: license ?? "unknown", operations }
  fs.mkdirSync(path.dirname(args.out), { recursive: true })
  fs.writeFileSync(args.out, `${JSON.stringify(facts, null, 2)}\n`)
  for (const message of warnings) process.stderr.write(`warning: ${message}\n`)
  process.stdout.write(`${operations.length} operations (${byKey.size} distinct method+path) from ${files.length} files → ${args.out}\n`)
}

main()
