/**
 * The failures around a call (no answer, unverifiable answer, bad input, unusable keys), each a
 * `Schema.TaggedError` carrying data, and the sets of WeChat Pay codes. None ever holds key material.
 */
import { Schema } from "effect"

import { apiErrorFields, type ApiErrorClass } from "./ApiError.js"
import * as Codes from "./codes.js"

/** A well-formed error body whose code the endpoint does not document. */
export class UnknownApiError extends Schema.TaggedError<UnknownApiError>()("UnknownApiError", apiErrorFields) {}

/**
 * The input failed its Schema: nothing was sent. `fields`: every failing field of the input, as
 * dotted paths (`amount.total`), where the schema's check names them.
 */
export class RequestValidationError extends Schema.TaggedError<RequestValidationError>()("RequestValidationError", {
  endpoint: Schema.String,
  message: Schema.String,
  fields: Schema.optional(Schema.Array(Schema.String))
}) {}

/** No HTTP answer: refused, reset, DNS, timeout, a body cut short. */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  reason: Schema.Literal("Connect", "Timeout", "Deadline", "Reset", "Body", "Unknown"),
  message: Schema.String,
  url: Schema.optional(Schema.String)
}) {}

export const VerificationReason = Schema.Literal(
  "MissingHeaders",
  "MalformedHeaders",
  "StaleTimestamp",
  "UnknownSerial",
  "BadSignature",
  "SignatureProbe"
)
export type VerificationReason = typeof VerificationReason.Type

/** A 2xx answer that is not provably from WeChat Pay: never accepted. */
export class ResponseVerificationError extends Schema.TaggedError<ResponseVerificationError>()(
  "ResponseVerificationError",
  {
    reason: VerificationReason,
    message: Schema.String,
    serial: Schema.optional(Schema.String),
    requestId: Schema.optional(Schema.String)
  }
) {}

/** A non-2xx whose body is not an error body, a body over the cap or not UTF-8, or a 202 (repeat the request). */
export class UnexpectedResponse extends Schema.TaggedError<UnexpectedResponse>()("UnexpectedResponse", {
  status: Schema.Number,
  message: Schema.String,
  body: Schema.optional(Schema.String),
  requestId: Schema.optional(Schema.String)
}) {}

/**
 * WeChat Pay answered success and signed it, but the body does not fit the success schema (or is
 * not JSON). The action has most likely happened (a card sent, an order updated): do not repeat it
 * blindly; reconcile by querying the resource by its idempotency key. Never retried.
 */
export class UnexpectedSuccess extends Schema.TaggedError<UnexpectedSuccess>()("UnexpectedSuccess", {
  status: Schema.Number,
  message: Schema.String,
  /** The raw body, as verified. */
  body: Schema.String,
  requestId: Schema.optional(Schema.String)
}) {}

/** A key or certificate given to a layer could not be used. Says which and why; never shows it. */
export class InvalidKey extends Schema.TaggedError<InvalidKey>()("InvalidKey", {
  which: Schema.String,
  message: Schema.String
}) {}

/** Platform certificates could not be downloaded, decrypted or checked. */
export class CertificateError extends Schema.TaggedError<CertificateError>()("CertificateError", {
  message: Schema.String
}) {}

/** An AEAD or OAEP operation failed (wrong key, tampered data, too long). */
export class CryptoError extends Schema.TaggedError<CryptoError>()("CryptoError", {
  operation: Schema.String,
  message: Schema.String
}) {}

/**
 * A downloaded bill whose digest differs from the `hash_value` its signed answer gave: the file
 * is incomplete or altered. Nothing of it is to be trusted; download it again.
 */
export class BillHashMismatch extends Schema.TaggedError<BillHashMismatch>()("BillHashMismatch", {
  hash_type: Schema.String,
  expected: Schema.String,
  actual: Schema.String
}) {}

/** A bill could not be written where asked (no partial file is left behind). */
export class BillFileError extends Schema.TaggedError<BillFileError>()("BillFileError", {
  path: Schema.String,
  message: Schema.String
}) {}

/** A bill that is not in the documented format (which line, and why). */
export class BillParseError extends Schema.TaggedError<BillParseError>()("BillParseError", {
  line: Schema.Number,
  message: Schema.String
}) {}

/** Every declared code class, by its wire code (built on first use). */
let table: ReadonlyMap<string, ApiErrorClass> | undefined
export const classOfCode = (code: string): ApiErrorClass | undefined =>
  (table ??= new Map(Object.values(Codes).map((cls: ApiErrorClass) => [cls.code, cls] as const))).get(code)

/** Any WeChat Pay code error declared in `codes.ts`. */
export type CodeError = InstanceType<(typeof Codes)[keyof typeof Codes]>

/** The codes every v3 endpoint can answer with (infrastructure, signature, limits). */
export const commonErrors = [
  Codes.ParamError,
  Codes.InvalidRequest,
  Codes.SignError,
  Codes.NoAuth,
  Codes.ResourceNotExists,
  Codes.FrequencyLimited,
  Codes.SystemError,
  Codes.ServiceUnavailable
] as const

export type CommonError = InstanceType<(typeof commonErrors)[number]>

/** Errors any call can produce besides its documented codes (`FrequencyLimited` also from a client-side `RequestLimiter`). */
export type PipelineError =
  | RequestValidationError
  | TransportError
  | ResponseVerificationError
  | UnexpectedResponse
  | UnexpectedSuccess
  | UnknownApiError
  | Codes.FrequencyLimited
