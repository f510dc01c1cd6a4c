/**
 * Routes made from endpoint declarations: each location decoded with the very schemas the client
 * validates with (PARAM_ERROR naming the field and its location otherwise), then the endpoint's
 * business rule, or, without one, its documented example.
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Context, Effect, type Either, ParseResult, Schema, SchemaAST } from "effect"
import type * as Endpoint from "../api/Endpoint.js"
import { ParamError } from "../errors/codes.js"
import { Accepted, Download, NoContent } from "../internal/interpret.js"
import type { Location, UploadSpec } from "../core/declaration.js"
import { LOCATIONS, wireLocation } from "../internal/pipeline.js"
import { fileProblem, sha256Hex } from "../internal/upload.js"
import { examples as generatedExamples } from "../v3/examples/index.js"
import { ApiFailure } from "./Protocol.js"
import type { Answer, AnsweredFile, Rule, TriggeredEvent } from "./Rules.js"

/** A `multipart/form-data` request as received: the `meta` text (what is signed), other text fields, the files. */
export interface ReceivedForm {
  readonly meta: string
  readonly fields: Readonly<Record<string, string>>
  readonly files: Readonly<Record<string, Uint8Array>>
}

export class Call extends Context.Tag("effect-wechatpay/sandbox/Call")<Call, {
  readonly body: string
  /** The form of an upload; `body` is then its `meta` text. */
  readonly form: ReceivedForm | undefined
  readonly nowMillis: number
  /** `http://<Host header>` when the request came over a socket: where this sandbox can be reached. */
  readonly origin: string | undefined
  /** Starts the callbacks a change triggered; never waits for them. */
  readonly emit: (events: ReadonlyArray<TriggeredEvent>) => Effect.Effect<void>
}>() {}

export const utf8 = new TextDecoder("utf-8", { fatal: true })
export const lenientUtf8 = new TextDecoder("utf-8")

export const textEncoder = new TextEncoder()

/** Parses a `multipart/form-data` body with the platform's own parser (undici's `Response.formData`). */
export const readForm = (body: Uint8Array, contentType: string): Effect.Effect<ReceivedForm, ApiFailure> =>
  Effect.tryPromise({
    try: async () => {
      const form = await new Response(body as BodyInit, { headers: { "content-type": contentType } }).formData()
      let meta: string | undefined
      const fields: Record<string, string> = {}
      const files: Record<string, Uint8Array> = {}
      const entries: Array<[string, string | Blob]> = []
      form.forEach((value, name) => entries.push([name, value]))
      for (const [name, value] of entries) {
        if (typeof value !== "string") files[name] = new Uint8Array(await value.arrayBuffer())
        else if (name === "meta") meta = value
        else fields[name] = value
      }
      return { meta, fields, files }
    },
    catch: () => paramError("multipart/form-data格式错误", { location: "body", issue: "not a valid multipart/form-data body" })
  }).pipe(
    Effect.flatMap(({ fields, files, meta }) =>
      meta === undefined
        ? Effect.fail(paramError("缺少meta", { field: "/meta", location: "body", issue: "an upload needs a meta part" }))
        : Effect.succeed({ meta, fields, files })
    )
  )

const json = (status: number, value: unknown) =>
  HttpServerResponse.text(JSON.stringify(value), { status, contentType: "application/json" })

export const paramError = (message: string, detail?: Record<string, unknown>) => ApiFailure.of(ParamError, message, detail)

const valueAt = (input: unknown, path: ReadonlyArray<PropertyKey>): unknown => {
  let v: unknown = input
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined
    v = (v as Record<PropertyKey, unknown>)[k]
  }
  return v
}

/** A request schema failure as WeChat Pay words it: PARAM_ERROR with `{field, value, issue, location}`. */
const toParamError = (error: ParseResult.ParseError, input: unknown, location: string): ApiFailure => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const path = issue?.path ?? []
  const field = "/" + path.map(String).join("/")
  const value = valueAt(input, path)
  return paramError(`输入源“${field}”校验失败：${issue?.message ?? "invalid"}`, {
    field,
    ...(value !== undefined ? { value } : {}),
    issue: issue?.message ?? "invalid",
    location
  })
}

/**
 * How to read a path, query or header string for each field of a struct: as a number or a
 * boolean when the field's schema takes one (WeChat Pay reads `?limit=10` as the number 10).
 * Field names are kept as declared (a header `Idempotency-Key` arrives lower-cased).
 */
interface ScalarField {
  readonly name: string
  readonly number: boolean
  readonly boolean: boolean
}

const scalarFields = (schema: Schema.Schema<any, any, never>): ReadonlyArray<ScalarField> => {
  const takes = (ast: SchemaAST.AST, kind: "number" | "boolean"): boolean =>
    (kind === "number" ? ast._tag === "NumberKeyword" : ast._tag === "BooleanKeyword") ||
    (ast._tag === "Literal" && typeof ast.literal === kind) ||
    (ast._tag === "Refinement" && takes(ast.from, kind)) ||
    (ast._tag === "Union" && ast.types.some((t) => takes(t, kind)))
  let ast = SchemaAST.typeAST(schema.ast)
  while (ast._tag === "Refinement") ast = ast.from
  if (ast._tag !== "TypeLiteral") return []
  return ast.propertySignatures.map((p) => ({ name: String(p.name), number: takes(p.type, "number"), boolean: takes(p.type, "boolean") }))
}

/** The declared fields read from `values` (looked up lower-cased when `caseless`, as for headers). */
const coerce = (values: Readonly<Record<string, string | undefined>>, fields: ReadonlyArray<ScalarField>, caseless = false): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    const v = values[caseless ? f.name.toLowerCase() : f.name]
    if (v === undefined) continue
    out[f.name] = f.number && v.trim() !== "" && !Number.isNaN(Number(v))
      ? Number(v)
      : f.boolean && (v === "true" || v === "false")
      ? v === "true"
      : v
  }
  return out
}

/** A 1×1 PNG, and the smallest PDF readers open: what the sandbox answers for an image or a document. */
const SAMPLE_PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex"
)
const SAMPLE_PDF = Buffer.from("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

/** A file of the kind a download answers: images by media id, transfer PDFs, CSV statements and bills. */
const sampleFile = (path: string): AnsweredFile =>
  /\/images\//.test(path)
    ? { bytes: SAMPLE_PNG, contentType: "image/png" }
    : /transferdownload/.test(path)
    ? { bytes: SAMPLE_PDF, contentType: "application/pdf" }
    : { bytes: Buffer.from("交易时间,交易状态,金额\n`2025-01-01 00:00:00,`SUCCESS,`0.01\n"), contentType: "text/plain; charset=utf-8" }

/** Marks a route's answer as a file, to be sent unsigned (never seen outside the sandbox). */
export const FILE_HEADER = "x-wechatpay-sandbox-file"

/** The answer of an endpoint without a business rule: its documented example, or 204. */
const documented = (endpoint: Endpoint.Endpoint<any, any, any>): Answer => {
  const { example = generatedExamples[endpoint.spec.name], success } = endpoint.spec.schemas()
  if ((success as unknown) === Download) return { status: 200, file: sampleFile(endpoint.spec.path) }
  if ((success as unknown) === NoContent) return { status: 204 }
  if ((success as unknown) === Accepted) return { status: 202 }
  return { status: 200, body: example ?? {} }
}

/**
 * A route made from an endpoint's declaration: its method and URL template, each location decoded
 * with the very schemas the client validates with, then the rule.
 */
const handlerOf = <Req>(endpoint: Endpoint.Endpoint<Req, any, any>, rule: Rule<Req>) => {
  const spec = endpoint.spec
  let decoders: ReadonlyArray<{ readonly location: Location; readonly decode: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>; readonly fields: ReadonlyArray<ScalarField> }> | undefined
  const build = () => {
    const schemas = spec.schemas()
    return LOCATIONS.flatMap((location) => {
      const schema = schemas[location]
      return schema === undefined ? [] : [{
        location,
        decode: Schema.decodeUnknownEither(schema, { errors: "first", onExcessProperty: "ignore" }),
        fields: scalarFields(schema)
      }]
    })
  }
  const handler = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const params = yield* HttpRouter.params
    const call = yield* Call
    const input: Record<string, unknown> = {}
    for (const { decode, fields, location } of (decoders ??= build())) {
      let raw: unknown
      if (location === "body" && spec.upload !== undefined) {
        if (call.form === undefined) {
          return yield* paramError("请求主体类型必须是multipart/form-data", { location: "body", issue: "an upload is sent as multipart/form-data" })
        }
        const file = call.form.files[spec.upload.file]
        let meta: unknown
        try {
          meta = JSON.parse(call.form.meta)
        } catch {
          return yield* paramError("meta不是合法的JSON", { field: "/meta", location: "body", issue: "not valid JSON" })
        }
        raw = { ...coerce(call.form.fields, fields), meta, ...(file !== undefined ? { [spec.upload.file]: file } : {}) }
      } else if (location === "body") {
        try {
          raw = JSON.parse(call.body)
        } catch {
          return yield* paramError("请求Body不是合法的JSON", { location: "body", issue: "not valid JSON" })
        }
        if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
          return yield* paramError("请求Body必须是JSON对象", { location: "body", issue: "not a JSON object" })
        }
      } else if (location === "params") {
        raw = coerce(params, fields)
      } else if (location === "query") {
        raw = coerce(Object.fromEntries(new URL(request.url, "http://sandbox").searchParams), fields)
      } else {
        raw = coerce(request.headers, fields, true)
      }
      const decoded = decode(raw)
      if (decoded._tag === "Left") return yield* toParamError(decoded.left, raw, wireLocation[location])
      Object.assign(input, decoded.right)
    }
    if (spec.upload !== undefined) {
      const problem = uploadProblem(spec.upload, input)
      if (problem !== undefined) return yield* problem
    }
    const answer = rule(input as Req, call.nowMillis, call.origin)
    if (answer instanceof ApiFailure) return yield* answer
    if (answer.events !== undefined) yield* call.emit(answer.events)
    return answer.status !== 200
      ? HttpServerResponse.empty({ status: answer.status })
      : "file" in answer
      ? HttpServerResponse.uint8Array(answer.file.bytes, { status: 200, contentType: answer.file.contentType, headers: { [FILE_HEADER]: "1" } })
      : json(200, answer.body)
  })
  return handler
}

/** An upload's file against its `meta`: the `sha256` must be the file's, and the page's types and size limit hold. */
const uploadProblem = (upload: UploadSpec, input: Record<string, unknown>): ApiFailure | undefined => {
  const file = input[upload.file] as Uint8Array
  const meta = input.meta as { readonly sha256?: unknown }
  if (typeof meta.sha256 === "string" && meta.sha256.toLowerCase() !== sha256Hex(file)) {
    return paramError("文件摘要与文件内容不一致", { field: "/meta/sha256", value: meta.sha256, issue: "not the sha256 of the file", location: "body" })
  }
  const problem = fileProblem(upload, meta, file)
  return problem === undefined ? undefined : paramError(`文件不符合要求：${problem}`, { field: `/${upload.file}`, issue: problem, location: "body" })
}

/** Method and template with the placeholder names erased: what a router can tell apart. */
export const routeKey = (e: Endpoint.Endpoint<any, any, any>) => `${e.spec.method} ${e.spec.path.replace(/\{[A-Za-z0-9_]+\}/g, "{}")}`

/** The router path of a URL template: `{name}` → `:name`. */
const routePath = (template: string) => template.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1") as HttpRouter.PathInput

/** An endpoint with a business rule, and its route (see `handlerOf`). */
export const ruled = <Req>(endpoint: Endpoint.Endpoint<Req, any, any>, rule: Rule<Req>) => ({
  key: routeKey(endpoint),
  add: HttpRouter.route(endpoint.spec.method)(routePath(endpoint.spec.path), handlerOf(endpoint, rule))
})

/**
 * Routes for endpoints answered from their declarations. Some share a method and a template but
 * for the names of their placeholders (`…/{applyment_id}/cancel`, `…/{business_code}/cancel`):
 * one route serves them all, answering as the first whose schemas accept the request.
 */
export const documentedRoutes = (endpoints: ReadonlyArray<Endpoint.Endpoint<any, any, any>>) => {
  const groups = new Map<string, Array<Endpoint.Endpoint<any, any, any>>>()
  for (const e of endpoints) {
    const key = routeKey(e)
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [e])
    else group.push(e)
  }
  return (router: HttpRouter.HttpRouter<ApiFailure, Call>) => {
    let out = router
    for (const group of groups.values()) {
      const handlers = group.map((e) => {
        // built on the first request, not on every one: the example and the success schema do not change
        let answer: Answer | undefined
        return handlerOf(e, () => (answer ??= documented(e)))
      })
      const handler = handlers.slice(1).reduce((first, next) => Effect.catchTag(first, "ApiFailure", () => next), handlers[0]!)
      out = HttpRouter.route(group[0]!.spec.method)(routePath(group[0]!.spec.path), handler)(out)
    }
    return out
  }
}

