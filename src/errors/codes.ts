/**
 * WeChat Pay error codes, one class each: one line declares a code. `_tag` is the code in
 * PascalCase; the statics hold the wire code, the documented HTTP status and whether to retry.
 */
import { ApiError } from "./ApiError.js"

/** 400 PARAM_ERROR: a parameter is wrong (see `detail.field`). */
export class ParamError extends ApiError<ParamError>()("ParamError", "PARAM_ERROR", 400) {}
/** 400 INVALID_REQUEST: the request breaks a business rule (e.g. same idempotency key, other content). */
export class InvalidRequest extends ApiError<InvalidRequest>()("InvalidRequest", "INVALID_REQUEST", 400) {}
/** 400 APPID_MCHID_NOT_MATCH: the appid is not bound to the mchid (sp_appid/sp_mchid, sub_appid/sub_mchid). */
export class AppidMchidNotMatch extends ApiError<AppidMchidNotMatch>()("AppidMchidNotMatch", "APPID_MCHID_NOT_MATCH", 400) {}
/** 400 MCH_NOT_EXISTS: no such merchant id (the refund pages document it as 404). */
export class MchNotExists extends ApiError<MchNotExists>()("MchNotExists", "MCH_NOT_EXISTS", 400) {}
/** 400 ORDER_CLOSED: the order is closed; place a new one with a new out_trade_no. */
export class OrderClosed extends ApiError<OrderClosed>()("OrderClosed", "ORDER_CLOSED", 400) {}
/** 400 NO_STATEMENT_EXIST: no bill for that date (no trade, refund or fund movement on it). */
export class NoStatementExist extends ApiError<NoStatementExist>()("NoStatementExist", "NO_STATEMENT_EXIST", 400) {}
/** 400 STATEMENT_CREATING: the bill is still being made; ask again after T+1 morning (hours, not seconds). */
export class StatementCreating extends ApiError<StatementCreating>()("StatementCreating", "STATEMENT_CREATING", 400) {}
/** 401 SIGN_ERROR: WeChat Pay could not verify our signature. */
export class SignError extends ApiError<SignError>()("SignError", "SIGN_ERROR", 401) {}
/** 403 NO_AUTH: the merchant lacks the permission. */
export class NoAuth extends ApiError<NoAuth>()("NoAuth", "NO_AUTH", 403) {}
/** 403 OUT_TRADE_NO_USED: the out_trade_no was already used for another order. */
export class OutTradeNoUsed extends ApiError<OutTradeNoUsed>()("OutTradeNoUsed", "OUT_TRADE_NO_USED", 403) {}
/** 403 RULE_LIMIT: a business rule refused the request (see `message` / `detail`). */
export class RuleLimit extends ApiError<RuleLimit>()("RuleLimit", "RULE_LIMIT", 403) {}
/** 403 TRADE_ERROR: the trade failed for a business reason (see `message` / `detail`). */
export class TradeError extends ApiError<TradeError>()("TradeError", "TRADE_ERROR", 403) {}
/** 403 ACCOUNT_ERROR: the payer's account is abnormal. */
export class AccountError extends ApiError<AccountError>()("AccountError", "ACCOUNT_ERROR", 403) {}
/** 403 NOT_ENOUGH: not enough balance for the refund. */
export class NotEnough extends ApiError<NotEnough>()("NotEnough", "NOT_ENOUGH", 403) {}
/** 403 USER_ACCOUNT_ABNORMAL: the refund was refused (the payer's account is abnormal); refund by other means. */
export class UserAccountAbnormal extends ApiError<UserAccountAbnormal>()("UserAccountAbnormal", "USER_ACCOUNT_ABNORMAL", 403) {}
/** 404 RESOURCE_NOT_EXISTS */
export class ResourceNotExists extends ApiError<ResourceNotExists>()("ResourceNotExists", "RESOURCE_NOT_EXISTS", 404) {}
/** 404 ORDER_NOT_EXIST */
export class OrderNotExist extends ApiError<OrderNotExist>()("OrderNotExist", "ORDER_NOT_EXIST", 404) {}
/** Any 429, whatever its code (FREQUENCY_LIMITED, RATELIMIT_EXCEEDED, RATE_LIMITED …). */
export class FrequencyLimited extends ApiError<FrequencyLimited>()("FrequencyLimited", "FREQUENCY_LIMITED", 429, { retryable: true }) {}
/** 500 SYSTEM_ERROR: retry with the same parameters. */
export class SystemError extends ApiError<SystemError>()("SystemError", "SYSTEM_ERROR", 500, { retryable: true }) {}
/** 500 INVALID_TRANSACTIONID: the transaction_id is not a valid WeChat Pay order number. */
export class InvalidTransactionid extends ApiError<InvalidTransactionid>()("InvalidTransactionid", "INVALID_TRANSACTIONID", 500) {}
/** 500 OPENID_MISMATCH: the openid does not belong to the appid. */
export class OpenidMismatch extends ApiError<OpenidMismatch>()("OpenidMismatch", "OPENID_MISMATCH", 500) {}
/** 500 BANK_ERROR: the bank's system failed; retry with the same parameters. */
export class BankError extends ApiError<BankError>()("BankError", "BANK_ERROR", 500, { retryable: true }) {}
/** 502/503 SERVICE_UNAVAILABLE */
export class ServiceUnavailable extends ApiError<ServiceUnavailable>()("ServiceUnavailable", "SERVICE_UNAVAILABLE", 503, { retryable: true }) {}
