/**
 * Uploads (`multipart/form-data`): a JSON `meta` part, which is what the Authorization signs, and
 * the file's bytes, which the signature does not cover (the `sha256` in `meta` does). The client
 * and the sandbox share these checks, so a file the client refuses is one the emulator refuses too.
 */
import * as crypto from "node:crypto"
import type { UploadSpec } from "../core/declaration.js"


/** The file's name as `meta` gives it: `filename` on most pages, `file_name` on some. */
export const filenameOf = (meta: unknown): string | undefined => {
  if (meta === null || typeof meta !== "object") return undefined
  const m = meta as { readonly filename?: unknown; readonly file_name?: unknown }
  return typeof m.filename === "string" ? m.filename : typeof m.file_name === "string" ? m.file_name : undefined
}

/** The file's type: its name's extension, or the `file_type` some pages ask for instead of a name (`PDF`). */
const typeOf = (meta: unknown): string | undefined => {
  const name = filenameOf(meta)
  if (name !== undefined) return extensionOf(name)
  const t = meta !== null && typeof meta === "object" ? (meta as { readonly file_type?: unknown }).file_type : undefined
  return typeof t === "string" ? t.toLowerCase() : undefined
}

export const sha256Hex = (bytes: Uint8Array): string => crypto.createHash("sha256").update(bytes).digest("hex")

const extensionOf = (filename: string): string => {
  const dot = filename.lastIndexOf(".")
  const ext = dot < 0 ? "" : filename.slice(dot + 1).toLowerCase()
  return ext === "jpeg" ? "jpg" : ext
}

/** Leading bytes of the formats whose signature is fixed; a file named `.png` must start like one. */
const MAGIC: Readonly<Record<string, ReadonlyArray<number>>> = {
  jpg: [0xff, 0xd8, 0xff],
  png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  bmp: [0x42, 0x4d],
  gif: [0x47, 0x49, 0x46, 0x38],
  pdf: [0x25, 0x50, 0x44, 0x46]
}

/** The type the leading bytes say, among the formats with a fixed signature. */
export const sniffType = (bytes: Uint8Array): string | undefined =>
  Object.keys(MAGIC).find((ext) => MAGIC[ext]!.every((b, i) => bytes[i] === b))

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  png: "image/png",
  bmp: "image/bmp",
  gif: "image/gif",
  pdf: "application/pdf",
  ofd: "application/ofd",
  mp4: "video/mp4",
  mov: "video/quicktime",
  avi: "video/x-msvideo",
  wmv: "video/x-ms-wmv",
  mpeg: "video/mpeg",
  mkv: "video/x-matroska",
  flv: "video/x-flv",
  f4v: "video/x-f4v",
  m4v: "video/x-m4v",
  rmvb: "application/vnd.rn-realmedia-vbr",
  csv: "text/csv",
  txt: "text/plain"
}

/** The file part's Content-Type, from its name. */
export const contentTypeOf = (filename: string): string => CONTENT_TYPES[extensionOf(filename)] ?? "application/octet-stream"

const human = (bytes: number) => (bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(2)} MB` : `${+(bytes / 1024).toFixed(1)} KB`)

/** What is wrong with a file for this upload, in a sentence; `undefined` when it may be sent. */
export const fileProblem = (spec: UploadSpec, meta: unknown, bytes: Uint8Array): string | undefined => {
  if (bytes.length === 0) return `${spec.file}: the file is empty`
  if (spec.maxBytes !== undefined && bytes.length > spec.maxBytes) {
    return `${spec.file}: ${human(bytes.length)} is over this upload's ${human(spec.maxBytes)} limit`
  }
  if (spec.types === undefined) return undefined
  const accepted = spec.types.map((t) => t.toUpperCase()).join(", ")
  // named by `meta` when it has a name or a type; else (an e-receipt's meta has neither) by its bytes
  const ext = typeOf(meta) ?? sniffType(bytes)
  if (ext === undefined) return `${spec.file}: not a file of a type this upload accepts (${accepted})`
  if (!spec.types.includes(ext)) return `meta: ${JSON.stringify(filenameOf(meta) ?? ext)} is not one of the types this upload accepts (${accepted})`
  const magic = MAGIC[ext]
  if (magic !== undefined && !magic.every((b, i) => bytes[i] === b)) return `${spec.file}: the bytes are not a ${ext.toUpperCase()} file, as its name says`
  return undefined
}

/** The file part's name: `meta`'s, else one made from the type its bytes show. */
export const partFilename = (meta: unknown, bytes: Uint8Array): string => {
  const name = filenameOf(meta)
  if (name !== undefined) return name
  const sniffed = sniffType(bytes)
  return sniffed === undefined ? "file" : `file.${sniffed}`
}

/** The `meta` with its `sha256` filled in from the file when the page asks for one and the caller left it out. */
export const withDigest = (meta: unknown, bytes: Uint8Array): unknown => {
  if (meta === null || typeof meta !== "object" || (meta as { sha256?: unknown }).sha256 !== undefined) return meta
  return { ...(meta as object), sha256: sha256Hex(bytes) }
}

const encoder = new TextEncoder()

/** A form part's name or filename in a header: quotes and line breaks escaped as browsers do. */
const quoted = (s: string) => `"${s.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A")}"`

export interface FormFile {
  readonly bytes: Uint8Array
  readonly filename: string
}

/**
 * The `multipart/form-data` body: `meta` first with exactly the signed JSON text, then the other
 * text fields, then the file. The boundary is random, so no file can contain it by chance.
 */
export const formData = (
  meta: string,
  fields: ReadonlyArray<readonly [string, string]>,
  file: readonly [string, FormFile]
): { readonly bytes: Uint8Array; readonly contentType: string } => {
  const boundary = `----effect-wechatpay-${crypto.randomBytes(16).toString("hex")}`
  const head = (name: string, extra = "") => `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}${extra}\r\n`
  let text = head("meta") + "Content-Type: application/json\r\n\r\n" + meta + "\r\n"
  for (const [name, value] of fields) text += head(name) + "\r\n" + value + "\r\n"
  const [fileField, { bytes, filename }] = file
  text += head(fileField, `; filename=${quoted(filename)}`) + `Content-Type: ${contentTypeOf(filename)}\r\n\r\n`
  const before = encoder.encode(text)
  const after = encoder.encode(`\r\n--${boundary}--\r\n`)
  const out = new Uint8Array(before.length + bytes.length + after.length)
  out.set(before, 0)
  out.set(bytes, before.length)
  out.set(after, before.length + bytes.length)
  return { bytes: out, contentType: `multipart/form-data; boundary=${boundary}` }
}
