/**
 * The merchant side of signing: turns a request message into a base64 SHA256withRSA signature.
 * The default layer parses the PEM once into a `KeyObject`; a KMS or HSM plugs in with `Signer.layerCustom`.
 */
import type * as crypto from "node:crypto"
import { Context, Effect, Layer, Redacted } from "effect"
import { InvalidKey } from "../api/errors.js"
import { KeyLoadFailure, loadPrivateKey, signAsync, signSync } from "./crypto.js"

export interface SignerService {
  /** The merchant API certificate serial, sent as `serial_no`. */
  readonly serialNo: string
  readonly mchid: string
  readonly sign: (message: string) => Effect.Effect<string>
}

export class Signer extends Context.Tag("effect-wechatpay/Signer")<Signer, SignerService>() {}

export interface SignerOptions {
  readonly mchid: string
  readonly merchantSerialNumber: string
  readonly merchantPrivateKey: Redacted.Redacted<string> | Redacted.Redacted<crypto.KeyObject>
  /**
   * `"threadpool"` (default) signs in libuv's pool: the event loop stays free and both cores sign at once.
   * `"sync"` signs inline: a little less overhead when calls never overlap.
   */
  readonly signMode?: "threadpool" | "sync"
}

export const make = (options: SignerOptions): Effect.Effect<SignerService, InvalidKey> =>
  Effect.try({
    try: () => loadPrivateKey("merchantPrivateKey", Redacted.value<string | crypto.KeyObject>(options.merchantPrivateKey)),
    catch: (e) =>
      e instanceof KeyLoadFailure
        ? new InvalidKey({ which: e.which, message: e.message })
        : new InvalidKey({ which: "merchantPrivateKey", message: "merchantPrivateKey: could not be loaded" })
  }).pipe(
    Effect.map((key): SignerService => ({
      mchid: options.mchid,
      serialNo: options.merchantSerialNumber,
      sign:
        options.signMode === "sync"
          ? (message) => Effect.sync(() => signSync(message, key))
          : (message) => Effect.promise(() => signAsync(message, key))
    }))
  )

export const layer = (options: SignerOptions): Layer.Layer<Signer, InvalidKey> => Layer.effect(Signer, make(options))

/** Bring your own signing (KMS, HSM, remote signer): `sign` gets the exact request message. */
export const layerCustom = (service: SignerService): Layer.Layer<Signer> => Layer.succeed(Signer, service)
