/**
 * The parts of an endpoint declaration that the pipeline reads: its method, a schema per input
 * location, and how an upload takes its file. Public as `Endpoint.HttpMethod`, `Endpoint.Location`,
 * `Endpoint.Locations` and `Endpoint.UploadSpec`; read by `internal/pipeline.ts` and `internal/upload.ts`.
 */
import type { Schema } from "effect"

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE"

/** Where each input field goes: a schema per location. */
export interface Locations {
  /** Path parameters: the fields filling the `{name}` placeholders of the URL template. */
  readonly params?: Schema.Schema<any, any, never> | undefined
  /** Fields sent in the query string. */
  readonly query?: Schema.Schema<any, any, never> | undefined
  /** Fields sent as HTTP headers (by their wire names, e.g. `Idempotency-Key`). */
  readonly headers?: Schema.Schema<any, any, never> | undefined
  /** The JSON body; without it nothing is sent as a body. */
  readonly body?: Schema.Schema<any, any, never> | undefined
}

export type Location = keyof Locations

/** How an upload endpoint takes its file. */
export interface UploadSpec {
  /** The form field that carries the file's bytes (`file`, `submission_file`, …). */
  readonly file: string
  /** File types the page accepts, by extension (lower case, no dot), when it limits them. */
  readonly types?: ReadonlyArray<string> | undefined
  /** The page's size limit in bytes, when it gives one. */
  readonly maxBytes?: number | undefined
}
