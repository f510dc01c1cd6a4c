/**
 * WeChat Pay error codes, one class each: one line declares a code. `_tag` is the code in
 * PascalCase; the statics hold the wire code, the documented HTTP status and whether to retry.
 */
import { ApiError } from "./ApiError.js"

/** 400 PARAM_ERROR: a parameter is wrong (see `detail.field`). */
export class ParamError extends ApiError<ParamError>()("ParamError", "PARAM_ERROR", 400) {}
/** 400 INVALID_REQUEST: the request breaks a business rule (e.g. same idempotency key, other content). */
export class InvalidRequest extends ApiError<InvalidRequest>()("InvalidRequest", "INVALID_REQUEST", 400) {}
/** 401 SIGN_ERROR: WeChat Pay could not verify our signature. */
export class SignError extends ApiError<SignError>()("SignError", "SIGN_ERROR", 401) {}
/** 403 NO_AUTH: the merchant lacks the permission. */
export class NoAuth extends ApiError<NoAuth>()("NoAuth", "NO_AUTH", 403) {}
/** 404 RESOURCE_NOT_EXISTS */
export class ResourceNotExists extends ApiError<ResourceNotExists>()("ResourceNotExists", "RESOURCE_NOT_EXISTS", 404) {}
/** 404 ORDER_NOT_EXIST */
export class OrderNotExist extends ApiError<OrderNotExist>()("OrderNotExist", "ORDER_NOT_EXIST", 404) {}
/** Any 429, whatever its code (FREQUENCY_LIMITED, RATELIMIT_EXCEEDED, RATE_LIMITED …). */
export class FrequencyLimited extends ApiError<FrequencyLimited>()("FrequencyLimited", "FREQUENCY_LIMITED", 429, { retryable: true }) {}
/** 500 SYSTEM_ERROR: retry with the same parameters. */
export class SystemError extends ApiError<SystemError>()("SystemError", "SYSTEM_ERROR", 500, { retryable: true }) {}
/** 502/503 SERVICE_UNAVAILABLE */
export class ServiceUnavailable extends ApiError<ServiceUnavailable>()("ServiceUnavailable", "SERVICE_UNAVAILABLE", 503, { retryable: true }) {}
