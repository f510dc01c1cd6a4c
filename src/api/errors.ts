/**
 * Every failure the client can report, each a `Schema.TaggedError` carrying data.
 * WeChat Pay codes get one class each (`_tag` = the code in PascalCase); the rest describe
 * what went wrong around the call. None of them ever holds key material.
 */
import { Schema } from "effect"

const apiErrorFields = {
  status: Schema.Number,
  code: Schema.String,
  message: Schema.String,
  detail: Schema.optional(Schema.Unknown),
  requestId: Schema.optional(Schema.String)
}

/** 400 PARAM_ERROR: a parameter is wrong (see `detail.field`). */
export class ParamError extends Schema.TaggedError<ParamError>()("ParamError", apiErrorFields) {}
/** 400 INVALID_REQUEST: the request breaks a business rule (e.g. same idempotency key, other content). */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>()("InvalidRequest", apiErrorFields) {}
/** 401 SIGN_ERROR: WeChat Pay could not verify our signature. */
export class SignError extends Schema.TaggedError<SignError>()("SignError", apiErrorFields) {}
/** 403 NO_AUTH: the merchant lacks the permission. */
export class NoAuth extends Schema.TaggedError<NoAuth>()("NoAuth", apiErrorFields) {}
/** 404 RESOURCE_NOT_EXISTS */
export class ResourceNotExists extends Schema.TaggedError<ResourceNotExists>()("ResourceNotExists", apiErrorFields) {}
/** 404 ORDER_NOT_EXIST */
export class OrderNotExist extends Schema.TaggedError<OrderNotExist>()("OrderNotExist", apiErrorFields) {}
/** Any 429, whatever its code (FREQUENCY_LIMITED, RATELIMIT_EXCEEDED, RATE_LIMITED …). */
export class FrequencyLimited extends Schema.TaggedError<FrequencyLimited>()("FrequencyLimited", apiErrorFields) {}
/** 500 SYSTEM_ERROR: retry with the same parameters. */
export class SystemError extends Schema.TaggedError<SystemError>()("SystemError", apiErrorFields) {}
/** 502/503 SERVICE_UNAVAILABLE */
export class ServiceUnavailable extends Schema.TaggedError<ServiceUnavailable>()("ServiceUnavailable", apiErrorFields) {}

/** A well-formed error body whose code the endpoint does not document. */
export class UnknownApiError extends Schema.TaggedError<UnknownApiError>()("UnknownApiError", apiErrorFields) {}

/** The input failed its Schema: nothing was sent. */
export class RequestValidationError extends Schema.TaggedError<RequestValidationError>()("RequestValidationError", {
  endpoint: Schema.String,
  message: Schema.String
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

/** A verified 2xx whose body does not fit the success schema, or a non-2xx whose body is not an error body. */
export class UnexpectedResponse extends Schema.TaggedError<UnexpectedResponse>()("UnexpectedResponse", {
  status: Schema.Number,
  message: Schema.String,
  body: Schema.optional(Schema.String),
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

/** The classes of WeChat Pay codes, by code, and the error-body shape they share. */
export type ApiErrorClass =
  | typeof ParamError
  | typeof InvalidRequest
  | typeof SignError
  | typeof NoAuth
  | typeof ResourceNotExists
  | typeof OrderNotExist
  | typeof FrequencyLimited
  | typeof SystemError
  | typeof ServiceUnavailable

export const codeOf = {
  ParamError: "PARAM_ERROR",
  InvalidRequest: "INVALID_REQUEST",
  SignError: "SIGN_ERROR",
  NoAuth: "NO_AUTH",
  ResourceNotExists: "RESOURCE_NOT_EXISTS",
  OrderNotExist: "ORDER_NOT_EXIST",
  FrequencyLimited: "FREQUENCY_LIMITED",
  SystemError: "SYSTEM_ERROR",
  ServiceUnavailable: "SERVICE_UNAVAILABLE"
} as const

/** The codes every v3 endpoint can answer with. */
export const commonErrors = [
  ParamError,
  InvalidRequest,
  SignError,
  NoAuth,
  ResourceNotExists,
  FrequencyLimited,
  SystemError,
  ServiceUnavailable
] as const

/** Errors any call can produce besides its documented codes. */
export type PipelineError = RequestValidationError | TransportError | ResponseVerificationError | UnexpectedResponse | UnknownApiError

/** The fields every WeChat Pay code error carries. */
export interface ErrorBodyFields {
  readonly status: number
  readonly code: string
  readonly message: string
  readonly detail?: unknown
  readonly requestId?: string
}
