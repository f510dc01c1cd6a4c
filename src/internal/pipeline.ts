/**
 * The steps of one call after the declaration: check the input per location, build the wire
 * request (URL, query, headers, body bytes, encrypted fields), then hand it to the client's
 * sign → send → verify → interpret loop. Declared endpoints and `WechatPay.request` both run here.
 */
import { Chunk, Effect, Schema, SchemaAST, Stream } from "effect"
import type { ApiError, ApiErrorClass } from "../errors/ApiError.js"
import { type PipelineError, RequestValidationError } from "../errors/errors.js"
import type { HttpMethod, Location, Locations, UploadSpec } from "../core/declaration.js"
import { type IncomingResponse, WechatPayClient } from "../core/WechatPayClient.js"
import { encryptFields } from "./encrypt.js"
import { Download, errorInterpreter, type InputCheck, inputCheck, successInterpreter } from "./interpret.js"
import { withSpanWhenTraced } from "./tracing.js"
import { fileProblem, formData, partFilename, withDigest } from "./upload.js"
import { buildQuery, type PathTemplate, pathTemplate, serializeBody } from "./url.js"


export const LOCATIONS: ReadonlyArray<Location> = ["params", "query", "headers", "body"]

/** How WeChat Pay names each location in `detail.location`. */
export const wireLocation: { readonly [L in Location]: string } = { params: "path", query: "query", headers: "header", body: "body" }

/** The wire values of one call, by location (already checked). */
export interface Parts {
  readonly params: Readonly<Record<string, unknown>>
  readonly query: Readonly<Record<string, unknown>> | undefined
  readonly headers: Readonly<Record<string, unknown>> | undefined
  /** `undefined`: no body. */
  readonly body: unknown
}

/** A declaration turned into what a call needs: built once, on an endpoint's first call. */
export interface Prepared<A, E> {
  readonly name: string
  readonly method: HttpMethod
  readonly template: PathTemplate
  readonly checks: { readonly [L in Location]: InputCheck | undefined }
  readonly encrypt: ReadonlyArray<string> | undefined
  /** A multipart upload: the body's `meta` is signed, its file field sent as bytes. */
  readonly upload: { readonly spec: UploadSpec; readonly digest: boolean } | undefined
  readonly host: "hk" | "apihk" | undefined
  /** A file download: a signed GET whose answer is unsigned bytes (`success: Download`). */
  readonly download: boolean
  readonly interpret: (r: IncomingResponse) => Effect.Effect<A, E | PipelineError>
  readonly traced: <X, Y, Z>(self: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y, Z>
}

/** The property names a struct schema declares (through refinements); `undefined` for any other shape. */
export const fieldNames = (schema: Schema.Schema<any, any, never>): ReadonlyArray<string> | undefined => structOf(SchemaAST.typeAST(schema.ast))?.propertySignatures.map((p) => String(p.name))

/** The struct under refinements (and under `| undefined`, for an optional property's type). */
const structOf = (ast: SchemaAST.AST): SchemaAST.TypeLiteral | undefined => {
  while (ast._tag === "Refinement" || ast._tag === "Union") {
    if (ast._tag === "Refinement") ast = ast.from
    else {
      const defined = ast.types.filter((t) => t._tag !== "UndefinedKeyword")
      if (defined.length !== 1) return undefined
      ast = defined[0]!
    }
  }
  return ast._tag === "TypeLiteral" ? ast : undefined
}

/**
 * Checks a declaration once: every location is a struct, no field is in two locations, and the
 * URL placeholders are exactly the path fields. A failure is a bug in the declaration: a defect.
 */
export const checkDeclaration = (name: string, template: string, locations: Locations): void => {
  const owner = new Map<string, Location>()
  for (const location of LOCATIONS) {
    const schema = locations[location]
    if (schema === undefined) continue
    const fields = fieldNames(schema)
    if (fields === undefined) throw new Error(`${name}: the ${location} schema must be a struct`)
    for (const f of fields) {
      const other = owner.get(f)
      if (other !== undefined) throw new Error(`${name}: field ${f} is declared in both ${other} and ${location}`)
      owner.set(f, location)
    }
  }
  const placeholders = pathTemplate(template).params
  const pathFields = locations.params === undefined ? [] : fieldNames(locations.params)!
  const missing = placeholders.filter((p) => !pathFields.includes(p))
  const extra = pathFields.filter((p) => !placeholders.includes(p))
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`${name}: URL placeholders {${placeholders.join("}, {")}} and path fields [${pathFields.join(", ")}] differ`)
  }
}

export interface PrepareOptions<A, E extends ApiError> extends Locations {
  readonly name: string
  readonly method: HttpMethod
  readonly path: string
  readonly success: Schema.Schema<A, any, never>
  readonly errors: ReadonlyArray<ApiErrorClass<NoInfer<E>>>
  readonly encrypt?: ReadonlyArray<string> | undefined
  readonly upload?: UploadSpec | undefined
  readonly host?: "hk" | "apihk" | undefined
}

/** Whether an upload's `meta` struct has a `sha256` (the client then fills it in from the file). */
const metaHasDigest = (body: Schema.Schema<any, any, never> | undefined): boolean => {
  const meta = body === undefined ? undefined : structOf(SchemaAST.typeAST(body.ast))?.propertySignatures.find((p) => p.name === "meta")
  return meta !== undefined && structOf(meta.type)?.propertySignatures.some((p) => p.name === "sha256") === true
}

export const prepare = <A, E extends ApiError>(options: PrepareOptions<A, E>): Prepared<A, E> => {
  const ok = successInterpreter(options.success)
  const err = errorInterpreter(options.errors)
  const checkOf = (s: Schema.Schema<any, any, never> | undefined) => (s === undefined ? undefined : inputCheck(s))
  return {
    name: options.name,
    method: options.method,
    template: pathTemplate(options.path),
    checks: { params: checkOf(options.params), query: checkOf(options.query), headers: checkOf(options.headers), body: checkOf(options.body) },
    encrypt: options.encrypt,
    host: options.host,
    download: (options.success as unknown) === Download,
    upload: options.upload === undefined ? undefined : { spec: options.upload, digest: metaHasDigest(options.body) },
    interpret: (r) => (r.status >= 200 && r.status < 300 ? ok(r) : Effect.fail(err(r))),
    traced: withSpanWhenTraced(options.name, { "http.request.method": options.method, "url.template": options.path })
  }
}

const invalid = (endpoint: string, message: string, fields?: ReadonlyArray<string>) =>
  new RequestValidationError(fields === undefined ? { endpoint, message } : { endpoint, message, fields })

/** Checks one flat input against each location's schema; each check keeps only its own fields. */
export const checkInput = <A, E>(p: Prepared<A, E>, input: unknown): Parts | RequestValidationError =>
  p.upload === undefined ? checkLocations(p, input) : checkUpload(p, p.upload, input)

const checkLocations = <A, E>(p: Prepared<A, E>, input: unknown): Parts | RequestValidationError => {
  const out: { -readonly [L in Location]: unknown } = { params: {}, query: undefined, headers: undefined, body: undefined }
  // every location is checked, so one error names every failing field of the flat input
  let messages: Array<string> | undefined
  let fields: Array<string> = []
  for (const location of LOCATIONS) {
    const check = p.checks[location]
    if (check === undefined) continue
    const r = check(input)
    if (r.ok) out[location] = r.value
    else {
      ;(messages ??= []).push(r.message)
      fields = [...fields, ...r.fields.filter((f) => !fields.includes(f))]
    }
  }
  return messages === undefined ? out as Parts : invalid(p.name, messages.join("\n"), fields)
}

/** An upload's input: the `sha256` filled in when left out, the usual checks, then the file against the page's limits. */
const checkUpload = <A, E>(p: Prepared<A, E>, upload: NonNullable<Prepared<A, E>["upload"]>, input: unknown): Parts | RequestValidationError => {
  const file = input !== null && typeof input === "object" ? (input as Record<string, unknown>)[upload.spec.file] : undefined
  const completed = file instanceof Uint8Array && upload.digest
    ? { ...(input as Record<string, unknown>), meta: withDigest((input as { meta?: unknown }).meta, file) }
    : input
  const parts = checkLocations(p, completed)
  if (parts instanceof RequestValidationError) return parts
  const body = parts.body as Record<string, unknown>
  const problem = fileProblem(upload.spec, body.meta, body[upload.spec.file] as Uint8Array)
  return problem === undefined ? parts : invalid(p.name, problem)
}

/** What a generated download reads into memory at most (bills stream through `Bills.download` instead). */
export const DOWNLOAD_MAX_BYTES = 32 * 1024 * 1024

/**
 * A file download on the client's downloader: signed GET, the answer's bytes collected under the
 * cap. Its failures are pipeline errors and the common codes, which every generated endpoint declares.
 */
const downloadFile = (name: string, pathAndQuery: string): Effect.Effect<any, any, WechatPayClient> =>
  Effect.flatMap(WechatPayClient, (client) => {
    if (client.download === undefined) {
      return Effect.dieMessage(`${name}: this WechatPayClient has no download capability (build it with WechatPay.layer, layerNode or layerConfig)`)
    }
    return client.download.get(pathAndQuery, { maxBytes: DOWNLOAD_MAX_BYTES }).pipe(
      Stream.runCollect,
      Effect.map((chunks) => (Chunk.size(chunks) === 1 ? Chunk.unsafeHead(chunks) : Buffer.concat(Chunk.toArray(chunks))))
    )
  })

/** Builds the wire request from checked parts and runs it on the client: the bytes serialized here are the bytes signed and sent. */
export const dispatch = <A, E>(p: Prepared<A, E>, parts: Parts): Effect.Effect<A, E | PipelineError, WechatPayClient> => {
  const path = p.template.fill(parts.params)
  if (typeof path !== "string") return Effect.fail(invalid(p.name, path.error))
  let headers: Record<string, string> | undefined
  if (parts.headers !== undefined) {
    for (const name in parts.headers) {
      const value = parts.headers[name]
      if (value !== undefined) (headers ??= {})[name.toLowerCase()] = String(value)
    }
  }
  const send = (query: Parts["query"], body: unknown, extra: Record<string, string> | undefined) => {
    const q = buildQuery(query)
    if (typeof q !== "string") return Effect.fail(invalid(p.name, q.error))
    if (p.download) return downloadFile(p.name, path + q)
    let serialized: string | undefined
    let payload: { readonly bytes: Uint8Array; readonly contentType: string } | undefined
    if (p.upload !== undefined) {
      // the JSON of `meta` is what is signed; the form carries it byte for byte, then the file
      const { [p.upload.spec.file]: file, meta, ...fields } = body as Record<string, unknown>
      const s = serializeBody(meta)
      if (typeof s !== "string") return Effect.fail(invalid(p.name, s.error))
      serialized = s
      const text: Array<readonly [string, string]> = []
      for (const name in fields) if (fields[name] !== undefined) text.push([name, String(fields[name])])
      payload = formData(s, text, [p.upload.spec.file, { bytes: file as Uint8Array, filename: partFilename(meta, file as Uint8Array) }])
    } else if (body !== undefined) {
      const s = serializeBody(body)
      if (typeof s !== "string") return Effect.fail(invalid(p.name, s.error))
      serialized = s
    }
    return Effect.flatMap(WechatPayClient, (client) =>
      client.execute({
        method: p.method,
        url: path + q,
        body: serialized,
        ...(payload !== undefined ? { payload } : {}),
        ...(p.host !== undefined ? { host: p.host } : {}),
        headers: extra === undefined ? headers : { ...headers, ...extra }
      }, p.interpret))
  }
  if (p.encrypt === undefined) return send(parts.query, parts.body, undefined)
  // Sensitive fields are encrypted in copies (never the caller's objects), in the body or the
  // query; `Wechatpay-Serial` names the key, also when the page asks for it without naming fields.
  const body = parts.body !== undefined && typeof parts.body === "object" && parts.body !== null ? structuredClone(parts.body) as Record<string, unknown> : undefined
  const query = parts.query !== undefined ? { ...parts.query } : undefined
  const encrypt = p.encrypt
  return Effect.flatMap(WechatPayClient, (client) =>
    Effect.flatMap(encryptFields([body, query], encrypt, p.name, client.verifier), (serial) => send(query, body ?? parts.body, serial)))
}
