/**
 * How an endpoint is declared: method, URL template, and, behind a thunk so that nothing is
 * built at import, a schema per input location (path parameters, query, headers, body), the
 * success schema and the WeChat Pay codes its page documents. `Endpoint.make` turns that into
 * `input → Effect<success, exactly-these-errors, WechatPayClient>` on the shared pipeline; the
 * declaration is checked, and validators, decoder and error interpreter built, on the first call.
 *
 *   export const updateOrder: Endpoint<UpdateOrderRequest, UpdateOrderResponse, CommonError> =
 *     Endpoint.make({
 *       name: "DiscountCard.updateOrder", method: "PATCH", path: "/v3/discount-card/orders/{out_order_no}",
 *       schemas: () => ({ params: S.UpdateOrderParams, body: S.UpdateOrderBody, success: S.UpdateOrderResponse, errors: commonErrors })
 *     })
 */
import { Effect, type Schema, Schema as SchemaModule } from "effect"
import type { ApiError, ApiErrorClass } from "../errors/ApiError.js"
import type { PipelineError } from "../errors/errors.js"
import { Accepted as AcceptedSchema, Download as DownloadSchema, NoContent as NoContentSchema } from "../internal/interpret.js"
import { checkDeclaration, checkInput, dispatch, prepare, type Prepared } from "../internal/pipeline.js"
import type { HttpMethod, Locations, UploadSpec } from "../core/declaration.js"
import type { WechatPayClient } from "../core/WechatPayClient.js"

export type { HttpMethod, Location, Locations, UploadSpec } from "../core/declaration.js"

/** `success: NoContent` declares an endpoint that answers 204 with no body. */
export const NoContent: Schema.Schema<void> = NoContentSchema

/**
 * `success: Download` declares a file download (an image by its media id, a transfer's PDF, a
 * statement): the call answers the file's bytes, read under a 32 MiB cap, unverified as WeChat Pay
 * sends them unsigned. For bills, `Bills.download` streams and checks the signed digest.
 */
export const Download: Schema.Schema<Uint8Array> = DownloadSchema

/** `success: Accepted` declares an endpoint whose documented success is 202 Accepted with no body: a 202 is its success, not "repeat the request". */
export const Accepted: Schema.Schema<void> = AcceptedSchema

/** The schemas of an endpoint: where each input field goes, what success looks like, which codes it documents. */
export interface Schemas<Res, E extends ApiError> extends Locations {
  readonly success: Schema.Schema<Res, any, never>
  /** The codes this endpoint documents; any other code is `UnknownApiError`. Share one array between endpoints with the same set. */
  readonly errors: ReadonlyArray<ApiErrorClass<NoInfer<E>>>
  /** A success body as the docs show it (the sandbox answers with it when no rule is written). */
  readonly example?: unknown
}

export interface Spec<Res = any, E extends ApiError = any> {
  /** The span name, e.g. `DiscountCard.updateOrder`. */
  readonly name: string
  readonly method: HttpMethod
  /** URL template; each `{name}` placeholder is a field of the `params` schema. */
  readonly path: string
  /**
   * Body fields (dotted paths) that WeChat Pay wants RSA-OAEP encrypted; `Wechatpay-Serial` is then
   * sent (also with `[]`, for endpoints whose page asks for the header without naming fields).
   */
  readonly encrypt?: ReadonlyArray<string> | undefined
  /**
   * A `multipart/form-data` upload: the body's `meta` JSON is signed and sent as a part, the field
   * named here carries the file's bytes (a `Uint8Array`). A `sha256` the page asks for in `meta`
   * is computed when left out; the page's types and size limit are checked before sending.
   */
  readonly upload?: UploadSpec | undefined
  /**
   * Served by other hosts than api.mch: `hk` (`/hk/v3/…`: api.mch, backed up by the Hong Kong
   * access point) or `apihk` (`/global/v3/customs/…`: the Hong Kong access point only).
   */
  readonly host?: "hk" | "apihk" | undefined
  /** The docs page's title, e.g. `JSAPI下单`, for listings. */
  readonly summary?: string | undefined
  /** Where the docs page is, for the endpoint reference. */
  readonly docs?: string | undefined
  /** Called once, on the first call (or by tools that read declarations): schemas are not built at import. */
  readonly schemas: () => Schemas<Res, E>
}

/** A declared endpoint: call it with one flat input object (path, query, header and body fields together, as on the wire). */
export interface Endpoint<Req, Res, E> {
  (input: Req): Effect.Effect<Res, E | PipelineError, WechatPayClient>
  readonly spec: Spec
}

/** The error channel of an endpoint. */
export type ErrorOf<T> = T extends Endpoint<any, any, infer E> ? E | PipelineError : never

/**
 * Declares an endpoint. Give the types explicitly (`make<Req, Res, E>`): nothing is inferred, which
 * keeps type-checking a thousand declarations cheap, and `schemas` is checked against `Res` and `E`.
 */
export const make = <Req, Res, E extends ApiError>(spec: Spec<Res, E>): Endpoint<Req, Res, E> => {
  let prepared: Prepared<Res, E> | undefined
  const build = (): Prepared<Res, E> => {
    const schemas = spec.schemas()
    checkDeclaration(spec.name, spec.path, schemas)
    return prepare({ ...schemas, name: spec.name, method: spec.method, path: spec.path, encrypt: spec.encrypt, upload: spec.upload, host: spec.host })
  }
  // Plain effects rather than a generator: this runs on every call.
  const call = (input: Req): Effect.Effect<Res, E | PipelineError, WechatPayClient> =>
    Effect.suspend(() => {
      const p = (prepared ??= build())
      const parts = checkInput(p, input)
      return p.traced(parts instanceof Error ? Effect.fail(parts) : dispatch(p, parts))
    })
  return Object.assign(call, { spec: spec as Spec })
}

/** Whether a value is a declared endpoint (for tools that walk a module's exports). */
export const isEndpoint = (u: unknown): u is Endpoint<unknown, unknown, ApiError> =>
  typeof u === "function" && typeof (u as { spec?: Partial<Spec> }).spec?.schemas === "function"

/**
 * One schema for an endpoint's whole flat input (its locations merged), e.g. for
 * `Arbitrary.make` in tests or to validate input ahead of a call. Built on each call of this.
 */
export const inputSchema = <Req>(endpoint: Endpoint<Req, any, any>): Schema.Schema<Req, any, never> => {
  const schemas = endpoint.spec.schemas()
  const parts = (["params", "query", "headers", "body"] as const).flatMap((l) => (schemas[l] === undefined ? [] : [schemas[l]]))
  if (parts.length === 0) return SchemaModule.Struct({}) as unknown as Schema.Schema<Req>
  return parts.reduce((a, b) => SchemaModule.extend(a, b)) as Schema.Schema<Req, any, never>
}

/** Every endpoint in a tree of them (a family module's export, or `v3`), depth first, each once. */
export const collect = (tree: unknown): ReadonlyArray<Endpoint<any, any, any>> => {
  const out: Array<Endpoint<any, any, any>> = []
  const seen = new Set<unknown>()
  const walk = (node: unknown) => {
    if (node === null || (typeof node !== "object" && typeof node !== "function") || seen.has(node)) return
    seen.add(node)
    if (isEndpoint(node)) out.push(node)
    if (typeof node === "object") for (const key of Object.keys(node)) walk((node as Record<string, unknown>)[key])
  }
  walk(tree)
  return out
}
