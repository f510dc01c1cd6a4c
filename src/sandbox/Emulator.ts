/**
 * The emulator as an `HttpApp`: the WeChat Pay protocol around an `HttpRouter` whose routes are
 * made from the endpoint declarations (same URL templates, same schemas), a state store, fault injection, a log of received requests, and the `/__sandbox/*`
 * control routes. The same app serves a Node socket and the in-memory client.
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { HttpApp } from "@effect/platform"
import type * as crypto from "node:crypto"
import { Clock, Context, Duration, Effect, type Either, ParseResult, Schema, SchemaAST } from "effect"
import { parseAuthorization } from "../signing/crypto.js"
import type * as Endpoint from "../api/Endpoint.js"
import { Accepted, Download, NoContent } from "../internal/interpret.js"
import { ParamError, ResourceNotExists } from "../errors/codes.js"
import { type Location, LOCATIONS, wireLocation } from "../internal/pipeline.js"
import { fileProblem, sha256Hex, type UploadSpec } from "../internal/upload.js"
import { defaultResource, type Delivery, Notifier, type NotifyOptions } from "./Callbacks.js"
import { FaultRegistry, planOf } from "./Faults.js"
import { BILL_DOWNLOAD_PATH, type CompleteRefundOptions, type Order, type PayOptions, PaymentControlError, Payments, type Refund } from "./Payments.js"
import { NO_CERTIFICATES, type PlatformCertificate, type PlatformKeys } from "./Platform.js"
import {
  ApiFailure,
  checkAuthorization,
  checkHeaders,
  errorBody,
  makeResponseSigner,
  type MerchantIdentity,
  type SignatureTampering
} from "./Protocol.js"
import { busifavorCallbacks } from "./BusifavorCallbacks.js"
import { type Answer, type AnsweredFile, type Rule, type StatefulFamily, type TriggeredEvent } from "./Rules.js"
import { type SeedData, Store } from "./State.js"
import { CONTROL_PREFIX, controlApp } from "./Controls.js"

/** One request as the sandbox received it. */
export interface RecordedRequest {
  readonly method: string
  /** Path and query exactly as received (what the merchant signed). */
  readonly url: string
  /** The body text ("" when none). */
  readonly body: string
  /** From the Authorization header, when it could be read. */
  readonly nonce: string | undefined
  readonly timestamp: string | undefined
  readonly userAgent: string | undefined
  /** The sandbox clock when it arrived, ms. */
  readonly receivedAt: number
  /** What it was answered; `undefined` for a dropped connection. */
  readonly status: number | undefined
  readonly requestId: string | undefined
  /** The fault that hit it, if any. */
  readonly fault: string | undefined
}

export interface CallbackSettings {
  /** Where `DISCOUNT_CARD.*`, `MEMBERCARD.*` (and, without a busifavor URL, `COUPON.SEND`) callbacks go. */
  readonly notifyUrl?: string | undefined
  /** The busifavor notify URL from the start (else set by `POST /v3/marketing/busifavor/callbacks`). */
  readonly busifavorNotifyUrl?: string | undefined
  /** Waits before each retry after a non-2xx or no answer. Default 100 ms, 500 ms, 2 s (three retries). */
  readonly retryDelays?: ReadonlyArray<Duration.DurationInput> | undefined
  /** Per attempt. Default 5 s. */
  readonly timeout?: Duration.DurationInput | undefined
}

export interface EmulatorConfig {
  readonly merchant: MerchantIdentity
  readonly platform: PlatformKeys
  readonly apiV3Key: string
  readonly callbacks: CallbackSettings
  /** The key for the next platform certificate (given, or generated). */
  readonly nextCertificateKey: Effect.Effect<crypto.KeyObject>
  /** Added to the Effect `Clock` to give the sandbox's clock. */
  readonly clockOffsetMillis: number
  readonly initialSeed: SeedData | undefined
  /** Cache answer signatures per (status, body): cheap answers for benchmarks. */
  readonly bench: boolean
  readonly maxRecordedRequests: number
  /** How long a rotated certificate is published before it signs (sandbox time). */
  readonly certificateLeadMillis: number
  /** How long a refund stays PROCESSING before it succeeds by itself (sandbox time). Default 1 minute. */
  readonly refundDelayMillis?: number | undefined
  /**
   * Endpoints answered from their declaration alone: the request is checked like the curated
   * routes check theirs, and the answer is the documented example (204 when there is none to send).
   * Declarations with a business rule here are skipped.
   */
  readonly emulated?: ReadonlyArray<Endpoint.Endpoint<any, any, any>> | undefined
}

/** The answer the in-memory client turns into a dropped connection (a socket is destroyed instead). */
export const DROP_HEADER = "x-wechatpay-sandbox-drop"


/** A `multipart/form-data` request as received: the `meta` text (what is signed), other text fields, the files. */
interface ReceivedForm {
  readonly meta: string
  readonly fields: Readonly<Record<string, string>>
  readonly files: Readonly<Record<string, Uint8Array>>
}

class Call extends Context.Tag("effect-wechatpay/sandbox/Call")<Call, {
  readonly body: string
  /** The form of an upload; `body` is then its `meta` text. */
  readonly form: ReceivedForm | undefined
  readonly nowMillis: number
  /** `http://<Host header>` when the request came over a socket: where this sandbox can be reached. */
  readonly origin: string | undefined
  /** Starts the callbacks a change triggered; never waits for them. */
  readonly emit: (events: ReadonlyArray<TriggeredEvent>) => Effect.Effect<void>
}>() {}

const utf8 = new TextDecoder("utf-8", { fatal: true })
const lenientUtf8 = new TextDecoder("utf-8")

const textEncoder = new TextEncoder()

/** Parses a `multipart/form-data` body with the platform's own parser (undici's `Response.formData`). */
const readForm = (body: Uint8Array, contentType: string): Effect.Effect<ReceivedForm, ApiFailure> =>
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

const paramError = (message: string, detail?: Record<string, unknown>) => ApiFailure.of(ParamError, message, detail)

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
const FILE_HEADER = "x-wechatpay-sandbox-file"

/** The answer of an endpoint without a business rule: its documented example, or 204. */
const documented = (endpoint: Endpoint.Endpoint<any, any, any>): Answer => {
  const { example, success } = endpoint.spec.schemas()
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
const routeKey = (e: Endpoint.Endpoint<any, any, any>) => `${e.spec.method} ${e.spec.path.replace(/\{[A-Za-z0-9_]+\}/g, "{}")}`

/** The router path of a URL template: `{name}` → `:name`. */
const routePath = (template: string) => template.replace(/\{([A-Za-z0-9_]+)\}/g, ":$1") as HttpRouter.PathInput

/** An endpoint with a business rule, and its route (see `handlerOf`). */
const ruled = <Req>(endpoint: Endpoint.Endpoint<Req, any, any>, rule: Rule<Req>) => ({
  key: routeKey(endpoint),
  add: HttpRouter.route(endpoint.spec.method)(routePath(endpoint.spec.path), handlerOf(endpoint, rule))
})

/**
 * Routes for endpoints answered from their declarations. Some share a method and a template but
 * for the names of their placeholders (`…/{applyment_id}/cancel`, `…/{business_code}/cancel`):
 * one route serves them all, answering as the first whose schemas accept the request.
 */
const documentedRoutes = (endpoints: ReadonlyArray<Endpoint.Endpoint<any, any, any>>) => {
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
      const handlers = group.map((e) => handlerOf(e, () => documented(e)))
      const handler = handlers.slice(1).reduce((first, next) => Effect.catchTag(first, "ApiFailure", () => next), handlers[0]!)
      out = HttpRouter.route(group[0]!.spec.method)(routePath(group[0]!.spec.path), handler)(out)
    }
    return out
  }
}

export interface RotateOptions {
  /**
   * Sign with the new certificate at once, an abrupt change (default: publish it now and sign
   * with it when the lead has passed in sandbox time, or on `startSigningWith`, as WeChat Pay does).
   */
  readonly signNow?: boolean | undefined
  /** Retire every older certificate at once (implies `signNow`; default: keep them, overlapping). */
  readonly retireOld?: boolean | undefined
}

export interface Emulator {
  readonly app: HttpApp.Default
  readonly store: Store
  readonly payments: Payments
  /** Plays the payer of a NOTPAY order (a TRANSACTION.SUCCESS callback on success). */
  readonly pay: (outTradeNo: string, options?: PayOptions) => Effect.Effect<Order, PaymentControlError>
  /** Ends a PROCESSING refund (a REFUND.* callback). */
  readonly completeRefund: (outRefundNo: string, options?: CompleteRefundOptions) => Effect.Effect<Refund, PaymentControlError>
  readonly faults: FaultRegistry
  readonly platform: PlatformKeys
  readonly notifier: Notifier
  /** Issues the next platform certificate (it signs from now on); optionally retires the others. */
  readonly rotateCertificates: (options?: RotateOptions) => Effect.Effect<PlatformCertificate>
  /** Signs with this published certificate from now (sandbox time); false when there is no such active one. */
  readonly startSigningWith: (serialNo: string) => Effect.Effect<boolean>
  /** Sends one callback and waits for its delivery (all attempts). */
  readonly notify: (eventType: string, resource?: unknown, options?: NotifyOptions) => Effect.Effect<Delivery>
  readonly seed: (data: SeedData) => void
  readonly reset: () => void
  readonly requests: () => ReadonlyArray<RecordedRequest>
}

export const make = (config: EmulatorConfig): Emulator => {
  const store = new Store(config.merchant.mchid)
  const payments = new Payments({ mchid: config.merchant.mchid, refundDelayMillis: config.refundDelayMillis ?? 60_000 })
  const faults = new FaultRegistry()
  const signer = makeResponseSigner(config.platform, { cache: config.bench })
  const now = Effect.map(Clock.currentTimeMillis, (ms) => ms + config.clockOffsetMillis)
  const notifier = new Notifier({
    apiV3Key: config.apiV3Key,
    signer,
    now,
    retryDelays: config.callbacks.retryDelays ?? ["100 millis", "500 millis", "2 seconds"],
    timeout: config.callbacks.timeout ?? "5 seconds",
    notifyUrl: config.callbacks.notifyUrl,
    busifavorNotifyUrl: config.callbacks.busifavorNotifyUrl,
    maxRecorded: config.maxRecordedRequests
  })
  const emit = (events: ReadonlyArray<TriggeredEvent>) =>
    Effect.forEach(events, (e) => notifier.emit(e.eventType, e.resource, { url: e.url }), { discard: true })
  let recorded: Array<RecordedRequest & { status: number | undefined; requestId: string | undefined }> = []

  const families: ReadonlyArray<StatefulFamily> = [payments, store, busifavorCallbacks(config.merchant.mchid, notifier)]
  const reset = () => {
    for (const family of families) family.clear()
    if (config.initialSeed !== undefined) store.seed(config.initialSeed)
    faults.clear()
    notifier.clear()
    recorded = []
  }
  reset()

  const rules = families.flatMap((f) => f.rules()).map((r) => ruled(r.endpoint, r.rule))
  // one route per method and template shape: a declaration with a rule wins over its generated twin
  const withRule = new Set(rules.map((r) => r.key))
  const router = HttpRouter.empty.pipe(
    (empty) => rules.reduce((router: HttpRouter.HttpRouter<ApiFailure, Call>, r) => r.add(router), empty),
    // every other declared endpoint: validated with its own schemas, answered with its documented example
    documentedRoutes((config.emulated ?? []).filter((e) => !withRule.has(routeKey(e)) && e.spec.path !== "/v3/certificates")),
    HttpRouter.get(
      "/v3/certificates",
      Effect.suspend(() =>
        config.platform.hasCertificates
          ? Effect.succeed(HttpServerResponse.text(config.platform.downloadBody(), { status: 200, contentType: "application/json" }))
          : new ApiFailure(NO_CERTIFICATES)
      )
    )
  )

  /** Protocol checks, then the endpoint: always an answer, never a failure. */
  const handle = (request: HttpServerRequest.HttpServerRequest, body: Uint8Array, nowMillis: number) =>
    Effect.gen(function*() {
      const headers = request.headers as Record<string, string | undefined>
      const headerProblem = checkHeaders(headers)
      if (headerProblem) return yield* headerProblem
      // an upload signs its `meta` part only
      const form = (headers["content-type"] ?? "").toLowerCase().startsWith("multipart/form-data")
        ? yield* readForm(body, headers["content-type"]!)
        : undefined
      const signedBody = form === undefined ? body : textEncoder.encode(form.meta)
      const auth = checkAuthorization({ method: request.method, url: request.url, headers, body: signedBody }, config.merchant, Math.floor(nowMillis / 1000))
      if (auth instanceof ApiFailure) return yield* auth
      let text: string
      try {
        text = form === undefined ? utf8.decode(body) : form.meta
      } catch {
        return yield* paramError("请求Body不是合法的UTF-8", { location: "body", issue: "not valid UTF-8" })
      }
      const host = headers["host"]
      const origin = host !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `http://${host}` : undefined
      const response = yield* Effect.provideService(router, Call, { body: text, form, nowMillis, origin, emit })
      const b = response.body
      if (response.headers[FILE_HEADER] !== undefined && b._tag === "Uint8Array") {
        return { status: response.status, body: "", file: { bytes: b.body, contentType: b.contentType } }
      }
      return { status: response.status, body: b._tag === "Uint8Array" ? lenientUtf8.decode(b.body) : "" }
    }).pipe(
      Effect.catchTags({
        ApiFailure: (f) => Effect.succeed({ status: f.status, body: errorBody(f) }),
        RouteNotFound: () =>
          Effect.succeed({
            status: 404,
            body: errorBody(new ApiFailure({ status: 404, code: "NOT_FOUND", message: `请求的资源不存在：${request.method} ${request.url.split("?")[0]}` }))
          })
      })
    )

  const signed = (
    status: number,
    body: string,
    nowMillis: number,
    tampering: SignatureTampering | undefined,
    path: string,
    requestSerial: string | undefined
  ) => {
    // A certificate download is signed by a certificate it carries, whichever key signs the rest;
    // during a migration ("both"), an answer is signed by the key the request names in
    // Wechatpay-Serial (a client in certificate mode names a certificate), else by the default.
    const key = path === "/v3/certificates" && status === 200
      ? config.platform.signingCertificateKey(nowMillis)
      : config.platform.keyNamed(requestSerial)
    const headers = signer.headers(status, body, Math.floor(nowMillis / 1000), tampering, key)
    return {
      requestId: headers["request-id"],
      response: body === ""
        ? HttpServerResponse.empty({ status, headers })
        : HttpServerResponse.text(body, { status, headers, contentType: "application/json" })
    }
  }

  /**
   * A bill file: the merchant's Authorization is checked as for any request, and the bytes are
   * answered unsigned, as WeChat Pay does (the digest in the signed bill answer proves them).
   */
  const billDownload = (request: HttpServerRequest.HttpServerRequest, body: Uint8Array, nowMillis: number) => {
    const headers = request.headers as Record<string, string | undefined>
    const auth = checkAuthorization({ method: request.method, url: request.url, headers, body }, config.merchant, Math.floor(nowMillis / 1000))
    const failure = auth instanceof ApiFailure
      ? auth
      : request.method !== "GET"
      ? new ApiFailure({ status: 405, code: "NOT_FOUND", message: "只支持GET" })
      : undefined
    const file = failure === undefined ? payments.billFile(new URL(request.url, "http://sandbox").searchParams.get("token")) : undefined
    if (failure !== undefined || file === undefined) {
      const f = failure ?? ApiFailure.of(ResourceNotExists, "账单文件不存在或下载链接已失效")
      return signed(f.status, errorBody(f), nowMillis, undefined, BILL_DOWNLOAD_PATH, undefined).response
    }
    return HttpServerResponse.uint8Array(file, { status: 200, contentType: "application/octet-stream" })
  }

  const drop = (request: HttpServerRequest.HttpServerRequest) => {
    // On a Node socket: destroy it, and let the socket's close interrupt this fiber.
    const socket = (request.source as { readonly socket?: { destroy(): void } }).socket
    if (socket !== undefined) {
      socket.destroy()
      return Effect.never
    }
    return Effect.succeed(HttpServerResponse.empty({ status: 500, headers: { [DROP_HEADER]: "1" } }))
  }

  const wechat = (request: HttpServerRequest.HttpServerRequest) =>
    Effect.gen(function*() {
      const body = new Uint8Array(yield* Effect.orElseSucceed(request.arrayBuffer, () => new ArrayBuffer(0)))
      const receivedAt = yield* now
      const auth = parseAuthorization(request.headers["authorization"])
      const path = request.url.split("?")[0]!
      const fault = faults.take(request.method, path)
      const entry = {
        method: request.method,
        url: request.url,
        body: lenientUtf8.decode(body),
        nonce: auth._tag === "Ok" ? auth.nonce_str : undefined,
        timestamp: auth._tag === "Ok" ? auth.timestamp : undefined,
        userAgent: request.headers["user-agent"],
        receivedAt,
        status: undefined as number | undefined,
        requestId: undefined as string | undefined,
        fault: fault?.type
      }
      recorded.push(entry)
      if (recorded.length > config.maxRecordedRequests) recorded.splice(0, recorded.length - config.maxRecordedRequests)

      // refunds whose time has come complete before anything else is answered
      yield* emit(payments.advance(receivedAt))
      if (path === BILL_DOWNLOAD_PATH && fault === undefined) {
        const out = billDownload(request, body, receivedAt)
        entry.status = out.status
        return out
      }

      const plan = fault === undefined ? {} : planOf(fault)
      if (plan.delayMillis !== undefined) yield* Effect.sleep(Duration.millis(plan.delayMillis))
      if (plan.drop === "before") return yield* drop(request)
      const answer: { status: number; body: string; file?: AnsweredFile } = plan.replace ?? (yield* handle(request, body, receivedAt))
      if (plan.drop === "after") return yield* drop(request)
      if (answer.file !== undefined) {
        // a file, as WeChat Pay sends one: unsigned (a digest elsewhere, or nothing, proves it)
        entry.status = answer.status
        return HttpServerResponse.uint8Array(answer.file.bytes, { status: answer.status, contentType: answer.file.contentType })
      }
      const out = signed(
        answer.status,
        answer.body,
        yield* now,
        plan.tampering,
        path,
        request.headers["wechatpay-serial"]
      )
      entry.status = answer.status
      entry.requestId = out.requestId
      return out.response
    })

  const pay = (outTradeNo: string, options: PayOptions = {}) =>
    Effect.flatMap(now, (at) => {
      const done = payments.pay(outTradeNo, options, at)
      return done instanceof PaymentControlError ? Effect.fail(done) : Effect.as(emit(done.events), done.order)
    })

  const completeRefund = (outRefundNo: string, options: CompleteRefundOptions = {}) =>
    Effect.flatMap(now, (at) => {
      const done = payments.completeRefund(outRefundNo, options, at)
      return done instanceof PaymentControlError ? Effect.fail(done) : Effect.as(emit(done.events), done.refund)
    })

  const startSigningWith = (serialNo: string) => Effect.map(now, (ms) => config.platform.startSigningWith(serialNo, ms))

  const rotateCertificates = (options: RotateOptions = {}) =>
    Effect.gen(function*() {
      const key = yield* config.nextCertificateKey
      const older = config.platform.active()
      const at = yield* now
      const abrupt = options.signNow === true || options.retireOld === true
      const added = config.platform.addCertificate(key, at, abrupt ? at : at + config.certificateLeadMillis)
      if (options.retireOld === true) for (const c of older) config.platform.retire(c.serialNo)
      return added
    })

  /** Starts one callback: its id and fiber, or why it cannot be sent. */
  const start = (eventType: string, resource: unknown, options: NotifyOptions) =>
    Effect.gen(function*() {
      const payload = resource ?? defaultResource(eventType, store.snapshot(), config.merchant.mchid, yield* now)
      if (payload === undefined) return `no default resource for ${eventType}: give one`
      const started = yield* notifier.emit(eventType, payload, options)
      if (started === undefined) return `no notify URL for ${eventType}: set callbacks.notifyUrl, or give one`
      return started
    })

  const notify = (eventType: string, resource?: unknown, options: NotifyOptions = {}) =>
    Effect.gen(function*() {
      const started = yield* start(eventType, resource, options)
      if (typeof started === "string") return yield* Effect.dieMessage(`wechatpay sandbox: ${started}`)
      yield* started.fiber.await
      return started.delivery()
    })

  const controls = controlApp({
    payments,
    store,
    faults,
    platform: config.platform,
    notifier,
    requests: () => recorded,
    reset,
    pay,
    completeRefund,
    rotateCertificates,
    startSigningWith,
    startNotify: (eventType, resource, options) => Effect.map(start(eventType, resource, options), (s) => (typeof s === "string" ? s : { id: s.id }))
  }, Effect.flatMap(now, (at) => emit(payments.advance(at))))

  const app: HttpApp.Default = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    request.url.startsWith(`${CONTROL_PREFIX}/`) ? controls : wechat(request))

  return {
    app,
    store,
    payments,
    pay,
    completeRefund,
    faults,
    platform: config.platform,
    notifier,
    rotateCertificates,
    startSigningWith,
    notify,
    seed: (data) => store.seed(data),
    reset,
    requests: () => structuredClone(recorded)
  }
}
