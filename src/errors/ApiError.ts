/**
 * How a WeChat Pay error code becomes a class: one `Schema.TaggedError` per code, whose statics
 * say its wire code, the HTTP status WeChat Pay documents for it, and whether a retry can help.
 * The codes themselves are declared in `codes.ts`, one line each; everything else (the union,
 * the code → class table, the sandbox's answers) is derived from those lines.
 */
import { Schema } from "effect"

/** The fields every WeChat Pay code error carries, from the JSON error body. */
export const apiErrorFields = {
  status: Schema.Number,
  code: Schema.String,
  message: Schema.String,
  detail: Schema.optional(Schema.Unknown),
  requestId: Schema.optional(Schema.String)
}

export interface ErrorBodyFields {
  readonly status: number
  readonly code: string
  readonly message: string
  readonly detail?: unknown
  readonly requestId?: string | undefined
}

/** An instance of any WeChat Pay code class. */
export interface ApiError extends ErrorBodyFields {
  readonly _tag: string
}

/** A WeChat Pay code class: `new` from an error body, plus what is known of the code. */
export interface ApiErrorClass<E extends ApiError = ApiError> {
  new(fields: ErrorBodyFields): E
  /** The `code` on the wire, e.g. `PARAM_ERROR`. */
  readonly code: string
  /** The HTTP status WeChat Pay documents for it (what the sandbox answers). */
  readonly status: number
  /** Whether the same request may succeed later (5xx, rate limits). */
  readonly retryable: boolean
}

/**
 * Declares the class of one code: `class X extends ApiError<X>()("X", "X_CODE", 400) {}`.
 * `_tag` is the code in PascalCase, so `Effect.catchTags({ X: … })` works.
 */
export const ApiError = <Self>() =>
<const Tag extends string, const Code extends string>(
  tag: Tag,
  code: Code,
  status: number,
  options?: { readonly retryable?: boolean }
): ApiErrorBase<Self, Tag, Code> =>
  Object.assign(Schema.TaggedError<Self>()(tag, apiErrorFields as typeof apiErrorFields) as any, {
    code,
    status,
    retryable: options?.retryable ?? false
  })

/** The base class `ApiError` makes: a tagged error class with the code's statics. */
export type ApiErrorBase<Self, Tag extends string, Code extends string> =
  & Schema.TaggedErrorClass<Self, Tag, { readonly _tag: Schema.tag<Tag> } & typeof apiErrorFields>
  & { readonly code: Code; readonly status: number; readonly retryable: boolean }

/** Whether `e` is an instance of a WeChat Pay code class (not a pipeline error). */
export const isApiError = (e: unknown): e is ApiError =>
  typeof e === "object" && e !== null && typeof (e.constructor as Partial<ApiErrorClass>).code === "string"

/** Retry decisions are made on the class, not on tag strings. */
export const isRetryableApiError = (e: unknown): boolean =>
  isApiError(e) && (e.constructor as ApiErrorClass).retryable === true
