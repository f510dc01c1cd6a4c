/**
 * The APIv3 key: the 32-byte AEAD key that decrypts notifications and downloaded certificates.
 * A service of its own, so a server that only receives notifications needs this and a verifier,
 * never the merchant private key. `Option.none()` when none is configured.
 */
import { Context, Effect, Layer, Option, Redacted } from "effect"
import { InvalidKey } from "../errors/errors.js"

export class ApiV3Key extends Context.Tag("effect-wechatpay/ApiV3Key")<ApiV3Key, Option.Option<Redacted.Redacted<string>>>() {}

/** Checks the key's length (32 bytes of UTF-8), never echoing it. */
export const check = (key: Redacted.Redacted<string>): Effect.Effect<Redacted.Redacted<string>, InvalidKey> =>
  Buffer.byteLength(Redacted.value(key), "utf8") === 32
    ? Effect.succeed(key)
    : Effect.fail(new InvalidKey({ which: "apiV3Key", message: "apiV3Key: must be 32 bytes" }))

/** The key, checked; `undefined` provides `Option.none()` (notifications then fail to decrypt, saying why). */
export const layer = (key: Redacted.Redacted<string> | undefined): Layer.Layer<ApiV3Key, InvalidKey> =>
  key === undefined ? Layer.succeed(ApiV3Key, Option.none()) : Layer.effect(ApiV3Key, Effect.map(check(key), Option.some))
