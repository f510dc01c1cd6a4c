/**
 * What the catalogue (vendor/wechatpay-openapi) does not say, or says wrongly, written by hand
 * from the official docs: the types of an overlay entry and the list of files the generator reads
 * (`overlaySources`). The generator
 * (codegen/generator/overlay.ts) checks every file against the catalogue on each run: an unknown
 * key, a field path or operation that matches nothing, or a code class src/errors/codes.ts does
 * not declare fails the generation, naming the file, the operation and the field.
 *
 * Keys are operations: `"METHOD /v3/path"`, the path as in the catalogue (placeholders included).
 *
 *   errors    extra code classes of src/errors/codes.ts the endpoint's page documents, added to
 *             `commonErrors`
 *   required  body fields (dotted paths, through arrays) to make required or optional
 *   upload    a multipart upload's accepted file types (extensions) and size limit in bytes, from its page
 *   fields    request fields (dotted paths from the flat input: path, query, header and body fields,
 *             through arrays): lengths in characters, a pattern (JavaScript RegExp source), an enum,
 *             a format, numeric bounds, array sizes
 *   rules     "one of" rules between body fields that the page's prose states
 *   answer    the page's 应答参数 table: fields always present, fields not in the answer, enums
 *   page      the official page the entry's facts come from
 *
 * The entries are in codegen/overlay/, one file per family (or per product of a large family:
 * `marketingBusifavor.ts`), each entry citing its page; entries for one operation in two files are
 * merged (a value given twice fails).
 * A curated operation (codegen/curated.ts) has no entry: its hand-written schemas hold its rows.
 */
import * as familyFiles from "./overlay/index.js"

/**
 * Formats a request string may be declared with: `https-url` (https://, no query string, as the
 * notify_url rows say), `url` (http or https), `rfc3339` (yyyy-MM-DDTHH:mm:ss+TIMEZONE), `date`
 * (yyyy-MM-DD), `ip` (IPv4 or IPv6).
 */
export const STRING_FORMATS = ["https-url", "url", "rfc3339", "date", "ip"] as const
export type StringFormat = (typeof STRING_FORMATS)[number]

export interface FieldOverlay {
  readonly maxLength?: number
  readonly minLength?: number
  readonly pattern?: string
  readonly enum?: ReadonlyArray<string>
  readonly format?: StringFormat
  /** Numbers the page types `int` (amounts in 分) where the catalogue says `number`. */
  readonly integer?: true
  /** Numbers: inclusive bounds (`total` ≥ 1). */
  readonly minimum?: number
  readonly maximum?: number
  /** Arrays: how many items. */
  readonly minItems?: number
  readonly maxItems?: number
}

/** The kinds of rule between fields (src/schemas/common.ts `FieldRule` takes the same: its emitter checks). */
export const FIELD_RULE_KINDS = ["exactlyOne", "atMostOne", "atLeastOne", "together"] as const
export type FieldRuleKind = (typeof FIELD_RULE_KINDS)[number]

/**
 * A rule between body fields the page's prose states (dotted paths; the paths' parent objects
 * must be the same): `exactlyOne` (one and only one of them), `atMostOne`, `atLeastOne`, or
 * `together` (all or none).
 */
export interface FieldRule {
  readonly rule: FieldRuleKind
  readonly fields: ReadonlyArray<string>
}

/** What the page's 应答参数 table says of the answer. */
export interface AnswerOverlay {
  /** Fields (dotted, through arrays) the table marks 必填: the answer always carries them. */
  readonly required?: ReadonlyArray<string>
  /** Fields the catalogue puts in the answer that the page and the official SDKs do not show there. */
  readonly remove?: ReadonlyArray<string>
  /** Documented values of answer fields (typed open: more may come). */
  readonly enums?: Readonly<Record<string, ReadonlyArray<string>>>
}

export interface OperationOverlay {
  /** The official page an entry's facts come from (pay.weixin.qq.com/doc/v3/…). */
  readonly page?: string
  readonly errors?: ReadonlyArray<string>
  readonly required?: { readonly add?: ReadonlyArray<string>; readonly remove?: ReadonlyArray<string> }
  readonly fields?: Readonly<Record<string, FieldOverlay>>
  readonly rules?: ReadonlyArray<FieldRule>
  readonly answer?: AnswerOverlay
  readonly upload?: { readonly types?: ReadonlyArray<string>; readonly maxBytes?: number }
}

/** One file of overlay entries, named for the generator's messages. */
export interface OverlaySource {
  /** Its path from the repository root. */
  readonly file: string
  readonly entries: Readonly<Record<string, OperationOverlay>>
}

/** Every overlay file the generator reads: each family file (its export in codegen/overlay/index.ts is its file name). */
export const overlaySources: ReadonlyArray<OverlaySource> = [
  ...Object.entries(familyFiles as Readonly<Record<string, Readonly<Record<string, OperationOverlay>>>>).map(([name, entries]) => ({ file: `codegen/overlay/${name}.ts`, entries }))
]
