/**
 * The client's download capability as the public types see it: signed GETs whose answers are byte
 * streams WeChat Pay does not sign (bill files, media by id). Implemented by `internal/Download.ts`;
 * `WechatPayClientService.download` holds one, `Bills.download` uses it.
 */
import type { Stream } from "effect"
import type { CommonError, TransportError, UnexpectedResponse, UnknownApiError } from "../errors/errors.js"

export type DownloadError = TransportError | UnexpectedResponse | CommonError | UnknownApiError

export interface DownloadOptions {
  /** The body may not exceed this many bytes. */
  readonly maxBytes: number
}

/** Signed GETs of absolute URLs (or of a path on the base URL) whose bodies are streamed, unverified. */
export interface Downloader {
  readonly get: (url: string, options: DownloadOptions) => Stream.Stream<Uint8Array, DownloadError>
}
