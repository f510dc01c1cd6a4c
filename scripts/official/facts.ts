/**
 * The official SDKs' facts as extract-go.ts and extract-java.ts write them
 * (vendor/official-sdks/<sdk>/facts.json), read by the generator and by crosscheck.ts.
 */
import * as fs from "node:fs"
import * as path from "node:path"

export const OFFICIAL_SDKS = ["wechatpay-go", "wechatpay-java"] as const
export type Sdk = (typeof OFFICIAL_SDKS)[number]

export type FactLocation = "path" | "query" | "header" | "body"
export type FactKind = "string" | "integer" | "number" | "boolean" | "object" | "array" | "unknown"

export interface FactType {
  readonly type: FactKind
  readonly format?: "date-time"
  readonly enum?: ReadonlyArray<string | number>
  readonly items?: FactType
  readonly fields?: ReadonlyArray<FactField>
}
export interface FactField extends FactType {
  readonly name: string
  readonly location?: FactLocation
  /** Go: a request field without `omitempty`; `null` where the SDK does not say (answers, Java). */
  readonly required: boolean | null
}
export interface FactOperation {
  readonly method: string
  readonly path: string
  readonly sdkMethod: string
  readonly request: ReadonlyArray<FactField>
  readonly response: ReadonlyArray<FactField> | null
  /** The answer is a file's bytes (bill and media downloads). */
  readonly download?: true
  /** Error codes the SDK's doc comments list for the operation. */
  readonly errorCodes?: ReadonlyArray<string>
}
export interface Facts {
  readonly sdk: Sdk
  readonly repository: string
  readonly commit: string
  readonly license: string
  readonly operations: ReadonlyArray<FactOperation>
}

/** The facts of each SDK whose file is there, in the order of `OFFICIAL_SDKS`. */
export const readFacts = (repoRoot: string): ReadonlyArray<Facts> =>
  OFFICIAL_SDKS.flatMap((sdk) => {
    const file = path.join(repoRoot, "vendor/official-sdks", sdk, "facts.json")
    return fs.existsSync(file) ? [JSON.parse(fs.readFileSync(file, "utf8")) as Facts] : []
  })

/** `/v3/x/{a}/y/{b}` → `/v3/x/{}/y/{}`: the SDKs may name placeholders differently. */
export const placeholderShape = (p: string): string => p.replace(/\{[^}]*\}/g, "{}").replace(/\/$/, "")
