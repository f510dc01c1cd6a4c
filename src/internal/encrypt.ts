/** Sensitive fields: RSA-OAEP under WeChat Pay's newest key, announced by `Wechatpay-Serial`. */
import { Effect } from "effect"
import { RequestValidationError } from "../errors/errors.js"
import { OAEP_MAX_BYTES, oaepEncrypt } from "../signing/crypto.js"
import type { VerifierService } from "../signing/Verifier.js"

/**
 * Encrypts the string fields at `paths` (dotted, e.g. `contact.mobile`) in place and answers the
 * `Wechatpay-Serial` header to send. Give it a copy: it never touches the caller's objects itself.
 */
export const encryptFields = (
  body: Record<string, unknown>,
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
      for (const path of paths) {
        const parts = path.split(".")
        let parent: Record<string, unknown> | undefined = body
        for (const part of parts.slice(0, -1)) {
          const next: unknown = parent?.[part]
          parent = typeof next === "object" && next !== null ? (next as Record<string, unknown>) : undefined
        }
        const leaf = parts[parts.length - 1]!
        const value = parent?.[leaf]
        if (parent === undefined || value === undefined) continue
        if (typeof value !== "string") return Effect.fail(new RequestValidationError({ endpoint, message: `sensitive field ${path} must be a string` }))
        const bytes = Buffer.byteLength(value, "utf8")
        if (bytes > OAEP_MAX_BYTES) {
          return Effect.fail(new RequestValidationError({ endpoint, message: `sensitive field ${path} is ${bytes} bytes; RSA-OAEP fits at most ${OAEP_MAX_BYTES}` }))
        }
        parent[leaf] = oaepEncrypt(value, key.key)
      }
      return Effect.succeed({ "wechatpay-serial": key.id })
    }
  )
