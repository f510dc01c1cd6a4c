/** Sensitive fields: RSA-OAEP under WeChat Pay's newest key, announced by `Wechatpay-Serial`. */
import { Effect } from "effect"
import { RequestValidationError } from "../errors/errors.js"
import { OAEP_MAX_BYTES, oaepEncrypt } from "../signing/crypto.js"
import type { VerifierService } from "../signing/Verifier.js"

/**
 * Encrypts the string fields at `paths` (dotted, e.g. `contact.mobile`; through arrays, e.g.
 * `ubo_info_list.ubo_id_doc_name` in each element) in place and answers the
 * `Wechatpay-Serial` header to send. Give it a copy: it never touches the caller's objects itself.
 */
export const encryptFields = (
  targets: ReadonlyArray<Record<string, unknown> | undefined>,
  paths: ReadonlyArray<string>,
  endpoint: string,
  verifier: VerifierService
): Effect.Effect<Record<string, string>, RequestValidationError> =>
  Effect.flatMap(
    Effect.mapError(
      verifier.encryptionKey,
      (e) => new RequestValidationError({ endpoint, message: `no WeChat Pay key to encrypt sensitive fields with: ${e.message}` })
    ),
    (key) => {
      /** Encrypts the leaf at `parts` under `node`, through arrays (each element's field). */
      const visit = (node: unknown, parts: ReadonlyArray<string>, path: string): RequestValidationError | undefined => {
        if (Array.isArray(node)) {
          for (const item of node) {
            const problem = visit(item, parts, path)
            if (problem !== undefined) return problem
          }
          return undefined
        }
        if (node === null || typeof node !== "object") return undefined
        const record = node as Record<string, unknown>
        const [head, ...rest] = parts as [string, ...Array<string>]
        if (rest.length > 0) return visit(record[head], rest, path)
        const value = record[head]
        if (value === undefined) return undefined
        if (typeof value !== "string") return new RequestValidationError({ endpoint, message: `sensitive field ${path} must be a string` })
        const bytes = Buffer.byteLength(value, "utf8")
        if (bytes > OAEP_MAX_BYTES) {
          return new RequestValidationError({ endpoint, message: `sensitive field ${path} is ${bytes} bytes; RSA-OAEP fits at most ${OAEP_MAX_BYTES}` })
        }
        record[head] = oaepEncrypt(value, key.key)
        return undefined
      }
      for (const path of paths) {
        for (const target of targets) {
          const problem = visit(target, path.split("."), path)
          if (problem !== undefined) return Effect.fail(problem)
        }
      }
      return Effect.succeed({ "wechatpay-serial": key.id })
    }
  )
