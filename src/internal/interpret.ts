/**
 * Answers → results and typed errors. Interpreters are built on first use and shared: one per
 * error set (by identity), one success decoder per schema (by AST).
 */
import { Effect, ParseResult, Schema, SchemaAST } from "effect"
import type { ApiError, ApiErrorClass, ErrorBodyFields } from "../errors/ApiError.js"
import { FrequencyLimited } from "../errors/codes.js"
import { UnexpectedResponse, UnexpectedSuccess, UnknownApiError } from "../errors/errors.js"
import { ErrorBody } from "../schemas/common.js"
import { compileValidator, type FastValidator, UNDECIDED } from "./fastValidator.js"

/** What an interpreter reads of an answer (the client's `IncomingResponse` has more). */
export interface Answer {
  readonly status: number
  /** UTF-8 text; for a 2xx, the text whose signature was verified. */
  readonly body: string
  readonly requestId: string | undefined
}

/** `success: NoContent` declares an endpoint that answers 204 with no body. */
export const NoContent = Schema.Void

/**
 * `success: Download` declares a file download: its answer is the file's bytes, which WeChat Pay
 * does not sign (a digest in another, signed answer proves a bill; see `Bills`).
 */
export const Download: Schema.Schema<Uint8Array> = Schema.Uint8ArrayFromSelf.annotations({ identifier: "Download" })

/** `success: Accepted` declares an endpoint whose documented success is a 202 without a body (the work goes on at WeChat Pay). */
export const Accepted: Schema.Schema<void> = Schema.Void.annotations({ identifier: "Accepted" })

/** Any JSON answer, undecoded (`undefined` for an empty body): `WechatPay.request` without a `success` schema. */
export const AnyAnswer: Schema.Schema<unknown> = Schema.Unknown.annotations({ identifier: "AnyAnswer" })

export type ErrorInterpreter<E> = (r: Answer) => E | UnknownApiError | UnexpectedResponse

const decodeErrorBody = Schema.decodeUnknownOption(ErrorBody)
const errorInterpreters = new WeakMap<ReadonlyArray<ApiErrorClass>, ErrorInterpreter<ApiError>>()

const requestIdOf = (r: Answer) => (r.requestId !== undefined ? { requestId: r.requestId } : {})

/**
 * Maps a non-2xx answer to one of `errors` (by code; any 429 is `FrequencyLimited` when the set
 * has it), else `UnknownApiError`; a body that is not a WeChat Pay error is `UnexpectedResponse`.
 * Built once per error set.
 */
export const errorInterpreter = <E extends ApiError>(errors: ReadonlyArray<ApiErrorClass<E>>): ErrorInterpreter<E> => {
  const cached = errorInterpreters.get(errors)
  if (cached !== undefined) return cached as ErrorInterpreter<E>
  const byCode = new Map<string, ApiErrorClass<E>>(errors.map((cls) => [cls.code, cls]))
  const rateLimited = (errors as ReadonlyArray<ApiErrorClass>).includes(FrequencyLimited)
  const interpret: ErrorInterpreter<E> = (r) => {
    // Any 429 is rate limiting, whatever its body (a gateway's may be empty or HTML).
    const limited = () => new FrequencyLimited({ status: 429, code: "", message: r.body.slice(0, 512), ...requestIdOf(r) }) as unknown as E
    const unexpected = (what: string) =>
      new UnexpectedResponse({ status: r.status, message: `HTTP ${r.status} with a body that ${what}`, body: r.body.slice(0, 512), ...requestIdOf(r) })
    let json: unknown
    try {
      json = JSON.parse(r.body)
    } catch {
      return r.status === 429 && rateLimited ? limited() : unexpected("is not JSON")
    }
    const parsed = decodeErrorBody(json)
    if (parsed._tag === "None" || typeof json !== "object" || json === null || Array.isArray(json) || (parsed.value.code === undefined && r.status !== 429)) {
      return r.status === 429 && rateLimited ? limited() : unexpected("is not a WeChat Pay error")
    }
    const body = parsed.value
    const fields: ErrorBodyFields = {
      status: r.status,
      code: body.code ?? "",
      message: body.message ?? "",
      ...(body.detail !== undefined ? { detail: body.detail } : {}),
      ...requestIdOf(r)
    }
    const cls = r.status === 429 && rateLimited ? (FrequencyLimited as unknown as ApiErrorClass<E>) : byCode.get(fields.code)
    return cls ? new cls(fields) : new UnknownApiError(fields)
  }
  errorInterpreters.set(errors, interpret as ErrorInterpreter<ApiError>)
  return interpret
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

/**
 * Checks input against a request schema: the compiled fast path, then Schema for what it leaves
 * undecided (which also words the error). A schema with transformations is encoded instead.
 */
export type InputCheck = (
  input: unknown
) => { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string; readonly fields: ReadonlyArray<string> }

/** Every failing field of the input, as dotted paths (`amount.total`, `detail.goods_detail.0.quantity`). */
const failingFields = (error: ParseResult.ParseError): ReadonlyArray<string> => [
  ...new Set(ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.path.map(String).join(".")))
]

export const inputCheck = (schema: Schema.Schema<any, any, never>): InputCheck => {
  // a schema without transformations encodes to what it validates: validating is ~3× cheaper,
  // and the compiled fast path cheaper still
  const plain = !hasTransformation(schema.ast)
  // every failing field, not the first: the error names them all
  const slow = plain ? Schema.validateEither(schema, { errors: "all" }) : Schema.encodeEither(schema, { errors: "all" })
  const fast = plain ? compileValidator(schema.ast) : undefined
  return (input) => {
    const quick = fast !== undefined ? fast(input) : UNDECIDED
    if (quick !== UNDECIDED) return { ok: true, value: quick }
    const checked = slow(input)
    return checked._tag === "Right"
      ? { ok: true, value: checked.right }
      : { ok: false, message: ParseResult.TreeFormatter.formatErrorSync(checked.left), fields: failingFields(checked.left) }
  }
}

export type SuccessInterpreter<A> = (r: Answer) => Effect.Effect<A, UnexpectedResponse | UnexpectedSuccess>

/**
 * The schema with every refinement dropped: types and presence only. A verified answer is never
 * refused for a documented length, pattern or range: WeChat Pay may send a longer value than its
 * page says, after the money has moved.
 */
export const typesOnly = (ast: SchemaAST.AST): SchemaAST.AST => {
  switch (ast._tag) {
    case "Refinement":
      return typesOnly(ast.from)
    case "TypeLiteral": {
      const props = ast.propertySignatures.map((p) =>
        new SchemaAST.PropertySignature(p.name, typesOnly(p.type), p.isOptional, p.isReadonly, p.annotations)
      )
      const indexes = ast.indexSignatures.map((i) => new SchemaAST.IndexSignature(i.parameter, typesOnly(i.type), i.isReadonly))
      return new SchemaAST.TypeLiteral(props, indexes, ast.annotations)
    }
    case "TupleType":
      return new SchemaAST.TupleType(
        ast.elements.map((e) => new SchemaAST.OptionalType(typesOnly(e.type), e.isOptional, e.annotations)),
        ast.rest.map((r) => new SchemaAST.Type(typesOnly(r.type), r.annotations)),
        ast.isReadonly,
        ast.annotations
      )
    case "Union":
      return SchemaAST.Union.make(ast.types.map(typesOnly), ast.annotations)
    case "Transformation":
      return new SchemaAST.Transformation(typesOnly(ast.from), typesOnly(ast.to), ast.transformation, ast.annotations)
    case "Suspend":
      return new SchemaAST.Suspend(() => typesOnly(ast.f()), ast.annotations)
    default:
      return ast
  }
}

const successInterpreters = new WeakMap<SchemaAST.AST, SuccessInterpreter<unknown>>()

const accepted = (r: Answer) =>
  new UnexpectedResponse({ status: 202, message: "WeChat Pay accepted the request without a result (202): repeat it", ...requestIdOf(r) })

/** Maps a verified 2xx to the decoded success value. Built once per schema. */
export const successInterpreter = <A>(success: Schema.Schema<A, any, never>): SuccessInterpreter<A> => {
  const cached = successInterpreters.get(success.ast)
  if (cached !== undefined) return cached as SuccessInterpreter<A>
  let interpret: SuccessInterpreter<A>
  if ((success as unknown) === Accepted) {
    interpret = () => Effect.succeed(undefined as A)
  } else if ((success as unknown) === NoContent) {
    interpret = (r) => (r.status === 202 ? Effect.fail(accepted(r)) : Effect.succeed(undefined as A))
  } else if ((success as unknown) === AnyAnswer) {
    interpret = (r) => {
      if (r.status === 202) return Effect.fail(accepted(r))
      if (r.body === "") return Effect.succeed(undefined as A)
      try {
        return Effect.succeed(JSON.parse(r.body) as A)
      } catch {
        return Effect.fail(new UnexpectedSuccess({ status: r.status, message: "a signed success answer whose body is not JSON", body: r.body, ...requestIdOf(r) }))
      }
    }
  } else {
    const lenient = typesOnly(success.ast)
    const decode = Schema.decodeUnknownEither(Schema.make<A, unknown, never>(lenient))
    // without transformations decoding is validating: the compiled fast path first
    const transforms = hasTransformation(lenient)
    // an accepted answer is kept as sent (see below): the fast path checks it without copying it
    const fast: FastValidator | undefined = transforms ? undefined : compileValidator(lenient, { keepInput: true })
    interpret = (r) => {
      if (r.status === 202) return Effect.fail(accepted(r))
      let json: unknown
      try {
        json = JSON.parse(r.body)
      } catch {
        return Effect.fail(new UnexpectedSuccess({ status: r.status, message: "a signed success answer whose body is not JSON", body: r.body, ...requestIdOf(r) }))
      }
      // Validated, the answer is kept as WeChat Pay sent it: a field the schema does not declare
      // (added later, or missing from the catalogue) stays on the value instead of being dropped.
      const quick = fast !== undefined ? fast(json) : UNDECIDED
      if (quick !== UNDECIDED) return Effect.succeed(quick as A)
      const decoded = decode(json)
      return decoded._tag === "Right"
        ? Effect.succeed(transforms ? decoded.right : json as A)
        : Effect.fail(
          new UnexpectedSuccess({
            status: r.status,
            message: `a signed success answer that does not fit the success schema (the action has probably happened: reconcile): ${
              ParseResult.TreeFormatter.formatErrorSync(decoded.left)
            }`,
            body: r.body,
            ...requestIdOf(r)
          })
        )
    }
  }
  successInterpreters.set(success.ast, interpret as SuccessInterpreter<unknown>)
  return interpret
}
