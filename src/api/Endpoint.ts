/**
 * How an endpoint is declared: method, URL template, request and success schemas, and the
 * WeChat Pay codes it documents. `Endpoint.make` turns that into a traced function
 * `input → Effect<success, exactly-these-errors, WechatPayClient>` on the shared pipeline.
 */
import { Effect, ParseResult, Schema, SchemaAST } from "effect"
import {
  type ApiErrorClass,
  codeOf,
  type ErrorBodyFields,
  FrequencyLimited,
  type PipelineError,
  RequestValidationError,
  UnexpectedResponse,
  UnknownApiError
} from "./errors.js"
import { ErrorBody } from "../schemas/common.js"
import { compileValidator, type FastValidator, INVALID } from "../schemas/fastValidator.js"
import { OAEP_MAX_BYTES, oaepEncrypt } from "../signing/crypto.js"
import { type IncomingResponse, WechatPayClient, withSpanWhenTraced } from "./WechatPayClient.js"

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

/** `success: NoContent` declares an endpoint that answers 204 with no body. */
export const NoContent = Schema.Void
export type NoContent = typeof NoContent

// ---- URL template ----

export interface PathTemplate {
  readonly template: string
  readonly params: ReadonlyArray<string>
  readonly fill: (values: Readonly<Record<string, unknown>>) => string | { readonly error: string }
}

const PLACEHOLDER = /\{([A-Za-z0-9_]+)\}/g

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

/** `?k=v&…` (URLSearchParams encoding), or why not: WeChat Pay refuses 4-byte characters anywhere. */
export const buildQuery = (
  query: Readonly<Record<string, string | number | boolean | undefined>> | undefined
): string | { readonly error: string } => {
  if (query === undefined) return ""
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue
    const text = String(v)
    if (FOUR_BYTE.test(k) || FOUR_BYTE.test(text)) return { error: `query parameter ${k} contains 4-byte UTF-8 or unpaired surrogate characters` }
    params.append(k, text)
  }
  const s = params.toString()
  return s === "" ? "" : `?${s}`
}

/** The signed URL: the template filled and the query appended, or why not. */
export const buildUrl = (
  path: PathTemplate,
  params: Readonly<Record<string, unknown>>,
  query: Readonly<Record<string, string | number | boolean | undefined>> | undefined
): string | { readonly error: string } => {
  const filled = path.fill(params)
  if (typeof filled !== "string") return filled
  const q = buildQuery(query)
  return typeof q === "string" ? filled + q : q
}

// ---- sensitive fields ----

/**
 * Encrypts the string fields at `paths` (dotted, e.g. `contact.mobile`) in place with RSA-OAEP
 * under the verifier's newest WeChat Pay key, and answers the `Wechatpay-Serial` header to send.
 */
export const encryptFields = (
  body: Record<string, unknown>,
  paths: ReadonlyArray<string>,
  endpoint: string
): Effect.Effect<Record<string, string>, RequestValidationError, WechatPayClient> =>
  Effect.gen(function*() {
    const client = yield* WechatPayClient
    const key = yield* Effect.mapError(
      client.verifier.encryptionKey,
      (e) => new RequestValidationError({ endpoint, message: `no WeChat Pay key to encrypt sensitive fields with: ${e.message}` })
    )
    for (const path of paths) {
      const parts = path.split(".")
      let parent: Record<string, unknown> | undefined = body
      for (const part of parts.slice(0, -1)) {
        const next: unknown = parent?.[part]
        parent = typeof next === "object" && next !== null ? (next as Record<string, unknown>) : undefined
      }
      const leaf = parts[parts.length - 1]!
      const value = parent?.[leaf]
      if (parent === undefined || value === undefined) continue
      if (typeof value !== "string") return yield* new RequestValidationError({ endpoint, message: `sensitive field ${path} must be a string` })
      const bytes = Buffer.byteLength(value, "utf8")
      if (bytes > OAEP_MAX_BYTES) {
        return yield* new RequestValidationError({ endpoint, message: `sensitive field ${path} is ${bytes} bytes; RSA-OAEP fits at most ${OAEP_MAX_BYTES}` })
      }
      parent[leaf] = oaepEncrypt(value, key.key)
    }
    return { "wechatpay-serial": key.id }
  })

// ---- answers → results and typed errors ----

type ErrorInstance<C extends ApiErrorClass> = InstanceType<C>

/** Maps a non-2xx answer to one of `errors` (by code; any 429 is `FrequencyLimited`), or `UnknownApiError`. */
export const errorInterpreter = <const Errs extends ReadonlyArray<ApiErrorClass>>(errors: Errs) => {
  const byCode = new Map<string, ApiErrorClass>(errors.map((cls) => [codeOf[cls._tag], cls]))
  const rateLimited = errors.includes(FrequencyLimited as never)
  const decodeBody = Schema.decodeUnknownOption(ErrorBody)
  return (r: IncomingResponse): ErrorInstance<Errs[number]> | UnknownApiError | UnexpectedResponse => {
    const requestId = r.requestId !== undefined ? { requestId: r.requestId } : {}
    // Any 429 is rate limiting, whatever its body (a gateway's may be empty or HTML).
    const limited = () =>
      new FrequencyLimited({ status: 429, code: "", message: r.body.slice(0, 512), ...requestId }) as ErrorInstance<Errs[number]>
    let json: unknown
    try {
      json = JSON.parse(r.body)
    } catch {
      if (r.status === 429 && rateLimited) return limited()
      return new UnexpectedResponse({ status: r.status, message: `HTTP ${r.status} with a body that is not JSON`, body: r.body.slice(0, 512), ...requestId })
    }
    const parsed = decodeBody(json)
    if (parsed._tag === "None" || typeof json !== "object" || json === null || Array.isArray(json) || (parsed.value.code === undefined && r.status !== 429)) {
      if (r.status === 429 && rateLimited) return limited()
      return new UnexpectedResponse({ status: r.status, message: `HTTP ${r.status} with a body that is not a WeChat Pay error`, body: r.body.slice(0, 512), ...requestId })
    }
    const body = parsed.value
    const fields: ErrorBodyFields = {
      status: r.status,
      code: body.code ?? "",
      message: body.message ?? "",
      ...(body.detail !== undefined ? { detail: body.detail } : {}),
      ...requestId
    }
    const cls = r.status === 429 && rateLimited ? FrequencyLimited : byCode.get(fields.code)
    return cls ? (new cls(fields) as ErrorInstance<Errs[number]>) : new UnknownApiError(fields)
  }
}

/**
 * Without transformations decoding is validating: the compiled fast path first, Schema for the
 * rest. Compiled once per schema (`WechatPay.request` passes its `success` schema on every call).
 */
const fastDecoders = new WeakMap<SchemaAST.AST, FastValidator | undefined>()
const fastDecoder = (ast: SchemaAST.AST): FastValidator | undefined => {
  if (fastDecoders.has(ast)) return fastDecoders.get(ast)
  const fast = hasTransformation(ast) ? undefined : compileValidator(ast)
  fastDecoders.set(ast, fast)
  return fast
}

/** Maps a verified 2xx to the decoded success value. */
export const successInterpreter = <A, I>(success: Schema.Schema<A, I, never>) => {
  if ((success as unknown) === NoContent) {
    return (r: IncomingResponse): Effect.Effect<A, UnexpectedResponse> =>
      r.status === 202 ? Effect.fail(accepted(r)) : Effect.succeed(undefined as A)
  }
  const decode = Schema.decodeUnknownEither(success)
  const fast = fastDecoder(success.ast)
  return (r: IncomingResponse): Effect.Effect<A, UnexpectedResponse> => {
    const requestId = r.requestId !== undefined ? { requestId: r.requestId } : {}
    if (r.status === 202) return Effect.fail(accepted(r))
    let json: unknown
    try {
      json = JSON.parse(r.body)
    } catch {
      return Effect.fail(new UnexpectedResponse({ status: r.status, message: "a signed success answer whose body is not JSON", body: r.body.slice(0, 512), ...requestId }))
    }
    const quick = fast !== undefined ? fast(json) : INVALID
    if (quick !== INVALID) return Effect.succeed(quick as A)
    const decoded = decode(json)
    return decoded._tag === "Right"
      ? Effect.succeed(decoded.right)
      : Effect.fail(
        new UnexpectedResponse({
          status: r.status,
          message: `the answer does not fit the success schema: ${ParseResult.TreeFormatter.formatErrorSync(decoded.left)}`,
          ...requestId
        })
      )
  }
}

const accepted = (r: IncomingResponse) =>
  new UnexpectedResponse({
    status: 202,
    message: "WeChat Pay accepted the request without a result (202): repeat it",
    ...(r.requestId !== undefined ? { requestId: r.requestId } : {})
  })

export const interpreter = <A, I, const Errs extends ReadonlyArray<ApiErrorClass>>(success: Schema.Schema<A, I, never>, errors: Errs) => {
  const ok = successInterpreter(success)
  const err = errorInterpreter(errors)
  return (r: IncomingResponse) => (r.status >= 200 && r.status < 300 ? ok(r) : Effect.fail(err(r)))
}

/** Whether encoding could change a value (a transformation or a declaration anywhere), rather than only check it. */
export const hasTransformation = (ast: SchemaAST.AST, seen: Set<SchemaAST.AST> = new Set()): boolean => {
  if (seen.has(ast)) return false
  seen.add(ast)
  switch (ast._tag) {
    case "Transformation":
    case "Declaration":
    case "Suspend":
      return true
    case "Refinement":
      return hasTransformation(ast.from, seen)
    case "TypeLiteral":
      return ast.propertySignatures.some((p) => hasTransformation(p.type, seen)) ||
        ast.indexSignatures.some((i) => hasTransformation(i.type, seen))
    case "TupleType":
      return ast.elements.some((e) => hasTransformation(e.type, seen)) || ast.rest.some((r) => hasTransformation(r.type, seen))
    case "Union":
      return ast.types.some((t) => hasTransformation(t, seen))
    default:
      return false
  }
}

// ---- declaring an endpoint ----

export interface EndpointSpec<Req, ReqI, A, I, Errs extends ReadonlyArray<ApiErrorClass>> {
  /** The span name, e.g. `DiscountCard.updateOrder`. */
  readonly name: string
  readonly method: HttpMethod
  /** URL template; `{name}` placeholders are filled from the input's fields of that name. */
  readonly path: string
  /** Input schema: path parameters, query keys and body fields together, snake_case as on the wire. */
  readonly request: Schema.Schema<Req, ReqI, never>
  /** Input keys sent in the query string rather than the body. */
  readonly query?: ReadonlyArray<string>
  readonly success: Schema.Schema<A, I, never>
  /** Body fields (dotted paths) that WeChat Pay wants RSA-OAEP encrypted; `Wechatpay-Serial` is then sent. */
  readonly encrypt?: ReadonlyArray<string>
  /** The codes this endpoint documents; anything else is `UnknownApiError`. */
  readonly errors: Errs
}

export type EndpointError<Errs extends ReadonlyArray<ApiErrorClass>> = InstanceType<Errs[number]> | PipelineError

export type EndpointFn<Req, A, Errs extends ReadonlyArray<ApiErrorClass>> = (input: Req) => Effect.Effect<A, EndpointError<Errs>, WechatPayClient>

export const make = <Req, ReqI, A, I, const Errs extends ReadonlyArray<ApiErrorClass>>(
  spec: EndpointSpec<Req, ReqI, A, I, Errs>
): EndpointFn<Req, A, Errs> => {
  const path = pathTemplate(spec.path)
  const outside = new Set([...path.params, ...(spec.query ?? [])])
  // a schema without transformations encodes to what it validates: validating is ~3× cheaper,
  // and the compiled fast path cheaper still (it only ever says "valid" or "ask Schema")
  const plain = !hasTransformation(spec.request.ast)
  const encode = plain ? Schema.validateEither(spec.request) : Schema.encodeEither(spec.request)
  const fast = plain ? compileValidator(spec.request.ast) : undefined
  const interpret = interpreter(spec.success, spec.errors)
  const hasBody = spec.method !== "GET" && spec.method !== "DELETE"
  const invalid = (message: string) => new RequestValidationError({ endpoint: spec.name, message })
  const traced = withSpanWhenTraced(spec.name, { "http.request.method": spec.method, "url.template": spec.path })
  type Out = Effect.Effect<A, EndpointError<Errs>, WechatPayClient>
  const send = (url: string, body: string | undefined, headers: Record<string, string> | undefined): Out =>
    Effect.flatMap(WechatPayClient, (client) => client.execute({ method: spec.method, url, body, headers }, interpret))
  // Plain effects rather than a generator under `Effect.fn`: this runs on every call, and the span
  // is only made when a tracer is installed (see `withSpanWhenTraced`).
  const run = (input: Req): Out => {
    let wire = (fast !== undefined ? fast(input) : INVALID) as Record<string, unknown> | typeof INVALID
    if (wire === INVALID) {
      const encoded = encode(input)
      if (encoded._tag === "Left") return Effect.fail(invalid(ParseResult.TreeFormatter.formatErrorSync(encoded.left)))
      wire = encoded.right as Record<string, unknown>
    }
    let query: Record<string, string | number | boolean | undefined> | undefined
    if (spec.query !== undefined) {
      query = {}
      for (const k of spec.query) query[k] = wire[k] as string | undefined
    }
    const url = buildUrl(path, wire, query)
    if (typeof url !== "string") return Effect.fail(invalid(url.error))
    if (!hasBody) return send(url, undefined, undefined)
    const fields: Record<string, unknown> = {}
    for (const k in wire) if (!outside.has(k) && wire[k] !== undefined) fields[k] = wire[k]
    if (spec.encrypt !== undefined) {
      const copy = structuredClone(fields) // encrypt a copy: never the caller's objects
      return Effect.flatMap(encryptFields(copy, spec.encrypt, spec.name), (headers): Out => {
        const serialized = serializeBody(copy)
        return typeof serialized !== "string" ? Effect.fail(invalid(serialized.error)) : send(url, serialized, headers)
      })
    }
    const serialized = serializeBody(fields)
    return typeof serialized !== "string" ? Effect.fail(invalid(serialized.error)) : send(url, serialized, undefined)
  }
  const fn = (input: Req) => traced(Effect.suspend(() => run(input)))
  return fn as EndpointFn<Req, A, Errs>
}
