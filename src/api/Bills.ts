/**
 * Bills: download the file a `/v3/bill/tradebill` or `/v3/bill/fundflowbill` answer points to,
 * check it against the digest that (signed) answer gave, and read it.
 *
 *   Bills.download(answer, { tar_type: "GZIP" })   Stream<Uint8Array>: the bill, gunzipped; fails with
 *                                                  BillHashMismatch at its end if the digest differs
 *   Bills.saveTo(path)                             writes such a stream to a temporary file, renames it
 *                                                  to `path` only once the stream ended without failure
 *   Bills.parseTradeBill / parseFundFlowBill       the CSV (each value prefixed with a back-tick, a
 *                                                  summary section at the end) as typed rows and summary
 *
 * The file is not signed by WeChat Pay; the digest covers the bill uncompressed ("原始账单（gzip需要
 * 解压缩）的摘要值", as wechatpay-java's `DigestBillEntity` checks it after its `GZIPInputStream`).
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect, type Either, ParseResult, Schema, Stream } from "effect"
import { BillFileError, BillHashMismatch, BillParseError, UnexpectedResponse } from "../errors/errors.js"
import type { DownloadError } from "../core/download.js"
import { capBytes } from "../internal/Transport.js"
import { WechatPayClient } from "../core/WechatPayClient.js"

/** What a bill endpoint answers (signed, so its digest can be trusted). */
export interface BillAnswer {
  readonly hash_type: string
  readonly hash_value: string
  readonly download_url: string
}

export interface DownloadOptions {
  /** As the bill was asked for: `"GZIP"` when the request said `tar_type: "GZIP"`. */
  readonly tar_type?: "GZIP" | undefined
  /** Cap on the bytes received and on the bill uncompressed. Default 512 MiB. */
  readonly maxBytes?: number | undefined
}

export const DEFAULT_MAX_BYTES = 512 * 1024 * 1024

export type BillDownloadError = DownloadError | BillHashMismatch

const ALGORITHMS: Readonly<Record<string, string>> = { SHA1: "sha1", SHA256: "sha256" }

/** Gunzips through the platform's `DecompressionStream`; a failure of the input keeps its own type. */
const gunzip = <E>(input: Stream.Stream<Uint8Array, E>): Stream.Stream<Uint8Array, E | UnexpectedResponse> =>
  Stream.suspend(() => {
    let upstream: { readonly error: E } | undefined
    const tracked = input.pipe(Stream.tapError((error) => Effect.sync(() => void (upstream = { error }))))
    return Stream.fromReadableStream(
      () => Stream.toReadableStream(tracked).pipeThrough(new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>),
      (): E | UnexpectedResponse => upstream !== undefined ? upstream.error : new UnexpectedResponse({ status: 200, message: "the bill asked for with tar_type GZIP is not valid gzip" })
    )
  })

const capped = (maxBytes: number) =>
  capBytes(maxBytes, () => new UnexpectedResponse({ status: 200, message: `the bill exceeds its ${maxBytes}-byte limit uncompressed` }))

/** The digest of everything that went through, checked when the stream ends. */
const hashChecked = (hashType: string, expected: string) => <E>(body: Stream.Stream<Uint8Array, E>) =>
  Stream.suspend(() => {
    const hash = crypto.createHash(ALGORITHMS[hashType]!)
    const checked = Effect.suspend(() => {
      const actual = hash.digest("hex")
      return actual === expected.toLowerCase() ? Effect.void : Effect.fail(new BillHashMismatch({ hash_type: hashType, expected, actual }))
    })
    return Stream.concat(
      Stream.tap(body, (chunk) => Effect.sync(() => hash.update(chunk))),
      Stream.execute(checked)
    )
  })

/**
 * GETs the bill at `answer.download_url` with a merchant Authorization, gunzips it when asked for
 * with GZIP, and checks the answer's digest over the uncompressed bill: the stream fails with
 * `BillHashMismatch` at its end when it differs. Consume it whole before trusting any of it (or use
 * `saveTo`, which only keeps a verified file).
 */
export const download = (answer: BillAnswer, options: DownloadOptions = {}): Stream.Stream<Uint8Array, BillDownloadError, WechatPayClient> =>
  Stream.unwrap(
    Effect.gen(function*() {
      const client = yield* WechatPayClient
      if (client.download === undefined) {
        return yield* Effect.dieMessage("Bills.download: this WechatPayClient has no download capability (build it with WechatPay.layer, layerNode or layerConfig)")
      }
      const hashType = answer.hash_type.toUpperCase()
      if (ALGORITHMS[hashType] === undefined) {
        return yield* new UnexpectedResponse({ status: 200, message: `unsupported hash_type ${JSON.stringify(answer.hash_type)} (SHA1 or SHA256)` })
      }
      const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
      const raw = client.download.get(answer.download_url, { maxBytes })
      const bill = options.tar_type === "GZIP" ? capped(maxBytes)(gunzip(raw)) : raw
      return hashChecked(hashType, answer.hash_value)(bill)
    })
  )

/**
 * Writes a bill stream to a temporary file next to `target`, then renames it to `target` once the
 * stream has ended without failure (for `download`, that is after its digest matched). On any
 * failure the temporary file is removed and `target` is untouched.
 */
export const saveTo = (target: string) => <E, R>(bill: Stream.Stream<Uint8Array, E, R>): Effect.Effect<void, E | BillFileError, R> => {
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${crypto.randomBytes(6).toString("hex")}.part`)
  const fileError = (what: string) => (e: unknown) =>
    new BillFileError({ path: target, message: `${what}: ${(e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e))}` })
  return Effect.acquireUseRelease(
    Effect.tryPromise({ try: () => fs.open(temporary, "wx"), catch: fileError("could not create the temporary file") }),
    (handle) =>
      Stream.runForEach(bill, (chunk) => Effect.tryPromise({ try: () => handle.write(chunk), catch: fileError("could not write") })).pipe(
        Effect.zipRight(Effect.tryPromise({ try: () => handle.sync(), catch: fileError("could not flush") })),
        Effect.zipRight(Effect.tryPromise({ try: () => handle.close(), catch: fileError("could not close") })),
        Effect.zipRight(Effect.tryPromise({ try: () => fs.rename(temporary, target), catch: fileError("could not rename into place") }))
      ),
    (handle, exit) =>
      Effect.promise(async () => {
        await handle.close().catch(() => undefined)
        if (exit._tag === "Failure") await fs.rm(temporary, { force: true }).catch(() => undefined)
      })
  )
}

// ---- reading bills ----

/** An amount in yuan with up to two decimals (`0.03`, `-1.50`), as an integer number of fen. */
export const Fen: Schema.Schema<number, string> = Schema.transformOrFail(Schema.String, Schema.Int, {
  strict: true,
  decode: (s, _, ast) => {
    const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(s.trim())
    if (m === null) return ParseResult.fail(new ParseResult.Type(ast, s, "an amount in yuan with at most two decimals"))
    const fen = Number(m[2]) * 100 + Number((m[3] ?? "").padEnd(2, "0"))
    return ParseResult.succeed(m[1] === "-" ? -fen : fen)
  },
  encode: (fen) => ParseResult.succeed(`${fen < 0 ? "-" : ""}${Math.floor(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, "0")}`)
})

const text = Schema.optional(Schema.String)
const fen = Schema.optional(Fen)
const Count = Schema.NumberFromString.pipe(Schema.compose(Schema.Int))

/** One line of a trade bill (交易账单); which columns are there depends on `bill_type`. Amounts in fen. */
export const TradeBillRow = Schema.Struct({
  trade_time: Schema.String,
  appid: text,
  mchid: text,
  sub_mchid: text,
  device_info: text,
  transaction_id: Schema.String,
  out_trade_no: Schema.String,
  openid: text,
  trade_type: text,
  trade_state: text,
  bank_type: text,
  currency: text,
  settlement_total: fen,
  coupon_amount: fen,
  refund_id: text,
  out_refund_no: text,
  settlement_refund: fen,
  recharge_coupon_refund: fen,
  refund_type: text,
  refund_status: text,
  description: text,
  attach: text,
  /** 手续费, in yuan (five decimals): kept as written. */
  fee: text,
  fee_rate: text,
  total: fen,
  refund_amount: fen,
  fee_rate_remark: text,
  refund_apply_time: text,
  refund_success_time: text,
  /** Columns this version does not know, by their header. */
  other: Schema.Record({ key: Schema.String, value: Schema.String })
})
export type TradeBillRow = typeof TradeBillRow.Type

export const TradeBillSummary = Schema.Struct({
  count: Count,
  settlement_total: Fen,
  settlement_refund: Fen,
  recharge_coupon_refund: fen,
  fee: text,
  total: fen,
  refund_amount: fen
})
export type TradeBillSummary = typeof TradeBillSummary.Type

/** One line of a fund-flow bill (资金账单). Amounts in fen. */
export const FundFlowBillRow = Schema.Struct({
  booking_time: Schema.String,
  business_no: Schema.String,
  flow_no: Schema.String,
  business_name: text,
  business_type: text,
  /** 收入 or 支出. */
  direction: Schema.String,
  amount: Fen,
  balance: fen,
  applicant: text,
  remark: text,
  voucher_no: text,
  other: Schema.Record({ key: Schema.String, value: Schema.String })
})
export type FundFlowBillRow = typeof FundFlowBillRow.Type

export const FundFlowBillSummary = Schema.Struct({
  count: Count,
  income_count: Count,
  income: Fen,
  expense_count: Count,
  expense: Fen
})
export type FundFlowBillSummary = typeof FundFlowBillSummary.Type

/** The header of each column, as WeChat Pay writes it, and our field. */
export const tradeBillColumns: Readonly<Record<string, string>> = {
  "交易时间": "trade_time",
  "公众账号ID": "appid",
  "商户号": "mchid",
  "特约商户号": "sub_mchid",
  "设备号": "device_info",
  "微信订单号": "transaction_id",
  "商户订单号": "out_trade_no",
  "用户标识": "openid",
  "交易类型": "trade_type",
  "交易状态": "trade_state",
  "付款银行": "bank_type",
  "货币种类": "currency",
  "应结订单金额": "settlement_total",
  "代金券金额": "coupon_amount",
  "微信退款单号": "refund_id",
  "商户退款单号": "out_refund_no",
  "退款金额": "settlement_refund",
  "充值券退款金额": "recharge_coupon_refund",
  "退款类型": "refund_type",
  "退款状态": "refund_status",
  "商品名称": "description",
  "商户数据包": "attach",
  "手续费": "fee",
  "费率": "fee_rate",
  "订单金额": "total",
  "申请退款金额": "refund_amount",
  "费率备注": "fee_rate_remark",
  "退款申请时间": "refund_apply_time",
  "退款成功时间": "refund_success_time"
}

export const tradeBillSummaryColumns: Readonly<Record<string, string>> = {
  "总交易单数": "count",
  "应结订单总金额": "settlement_total",
  "退款总金额": "settlement_refund",
  "充值券退款总金额": "recharge_coupon_refund",
  "手续费总金额": "fee",
  "订单总金额": "total",
  "申请退款总金额": "refund_amount"
}

export const fundFlowBillColumns: Readonly<Record<string, string>> = {
  "记账时间": "booking_time",
  "微信支付业务单号": "business_no",
  "资金流水单号": "flow_no",
  "业务名称": "business_name",
  "业务类型": "business_type",
  "收支类型": "direction",
  "收支金额(元)": "amount",
  "账户结余(元)": "balance",
  "资金变更提交申请人": "applicant",
  "备注": "remark",
  "业务凭证号": "voucher_no"
}

export const fundFlowBillSummaryColumns: Readonly<Record<string, string>> = {
  "资金流水总笔数": "count",
  "收入笔数": "income_count",
  "收入金额": "income",
  "支出笔数": "expense_count",
  "支出金额": "expense"
}

export interface Bill<Row, Summary> {
  readonly rows: ReadonlyArray<Row>
  readonly summary: Summary
}

/** Full-width parentheses as in `收支金额（元）` read as ASCII ones. */
const headerName = (h: string) => h.trim().replace(/\uff08/g, "(").replace(/\uff09/g, ")")
/** Each value is written with a leading back-tick (so spreadsheets keep it text). */
const cells = (line: string) => line.split(",").map((c) => c.trim().replace(/^`/, ""))

const billText = new TextDecoder("utf-8")

const parser = <Row, Summary>(
  columns: Readonly<Record<string, string>>,
  summaryColumns: Readonly<Record<string, string>>,
  rowSchema: Schema.Schema<Row, any>,
  summarySchema: Schema.Schema<Summary, any>
) => {
  // compiled on the first bill parsed, not at import
  let rowDecoder: ((u: unknown) => Either.Either<Row, ParseResult.ParseError>) | undefined
  let summaryDecoder: ((u: unknown) => Either.Either<Summary, ParseResult.ParseError>) | undefined
  const decodeRow = (u: unknown) => (rowDecoder ??= Schema.decodeUnknownEither(rowSchema))(u)
  const decodeSummary = (u: unknown) => (summaryDecoder ??= Schema.decodeUnknownEither(summarySchema))(u)
  const firstSummaryHeader = Object.keys(summaryColumns)[0]!
  const failure = (line: number, e: ParseResult.ParseError) =>
    new BillParseError({ line, message: ParseResult.TreeFormatter.formatErrorSync(e) })
  return (bill: string | Uint8Array): Effect.Effect<Bill<Row, Summary>, BillParseError> =>
    Effect.suspend(() => {
      const content = (typeof bill === "string" ? bill : billText.decode(bill)).replace(/^\uFEFF/, "")
      const lines = content.split(/\r?\n/)
      // each line split into cells once
      const numbered = lines.flatMap((l, i) => (l.trim() === "" ? [] : [{ line: i + 1, values: cells(l) }]))
      const header = numbered[0]
      if (header === undefined) return Effect.fail(new BillParseError({ line: 1, message: "the bill is empty" }))
      const names = header.values.map(headerName)
      // each column's field (or none: kept in `other`), looked up once per bill
      const fields = names.map((name) => columns[name])
      const summaryAt = numbered.findIndex((l) => headerName(l.values[0] ?? "") === firstSummaryHeader)
      if (summaryAt < 0 || numbered[summaryAt + 1] === undefined) {
        return Effect.fail(new BillParseError({ line: numbered.length, message: `no summary section (${firstSummaryHeader} …) at the end` }))
      }
      const rows: Array<Row> = []
      for (const { line, values } of numbered.slice(1, summaryAt)) {
        const record: Record<string, unknown> = {}
        const other: Record<string, string> = {}
        for (let i = 0; i < names.length; i++) {
          const value = values[i] ?? ""
          const field = fields[i]
          if (field === undefined) other[names[i]!] = value
          else if (value !== "") record[field] = value
        }
        record["other"] = other
        const decoded = decodeRow(record)
        if (decoded._tag === "Left") return Effect.fail(failure(line, decoded.left))
        rows.push(decoded.right)
      }
      const summaryNames = numbered[summaryAt]!.values.map(headerName)
      const summaryValues = numbered[summaryAt + 1]!.values
      const summary: Record<string, string> = {}
      summaryNames.forEach((name, i) => {
        const field = summaryColumns[name]
        if (field !== undefined && summaryValues[i] !== undefined && summaryValues[i] !== "") summary[field] = summaryValues[i]!
      })
      const decoded = decodeSummary(summary)
      if (decoded._tag === "Left") return Effect.fail(failure(numbered[summaryAt + 1]!.line, decoded.left))
      return Effect.succeed({ rows, summary: decoded.right })
    })
}

/** A trade bill (交易账单) as typed rows and its summary. */
export const parseTradeBill: (bill: string | Uint8Array) => Effect.Effect<Bill<TradeBillRow, TradeBillSummary>, BillParseError> = parser(
  tradeBillColumns,
  tradeBillSummaryColumns,
  TradeBillRow,
  TradeBillSummary
)

/** A fund-flow bill (资金账单) as typed rows and its summary. */
export const parseFundFlowBill: (bill: string | Uint8Array) => Effect.Effect<Bill<FundFlowBillRow, FundFlowBillSummary>, BillParseError> = parser(
  fundFlowBillColumns,
  fundFlowBillSummaryColumns,
  FundFlowBillRow,
  FundFlowBillSummary
)

/** The whole stream as one string (a bill is UTF-8 text): `Bills.download(answer).pipe(Bills.asText)`. */
export const asText = <E, R>(bill: Stream.Stream<Uint8Array, E, R>): Effect.Effect<string, E, R> =>
  bill.pipe(Stream.decodeText(), Stream.mkString)
