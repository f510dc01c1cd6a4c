/**
 * The merchant side of signing: turns a request message into a base64 SHA256withRSA signature.
 * The default layer parses the PEM once into a `KeyObject`; a KMS or HSM plugs in with `Signer.layerCustom`.
 */
import * as crypto from "node:crypto"
import { Context, Effect, Layer, Redacted } from "effect"
import { InvalidKey } from "../errors/errors.js"
import { KeyLoadFailure, loadPrivateKey, signSync } from "./crypto.js"

export interface SignerService {
  /** The merchant API certificate serial, sent as `serial_no`. */
  readonly serialNo: string
  readonly mchid: string
  /**
   * `hint.concurrent`: other calls are in flight (the client says so); the built-in `"auto"` signer
   * then signs in the thread pool, else inline. Custom signers may ignore it.
   */
  readonly sign: (message: string, hint?: SignHint) => Effect.Effect<string>
  /**
   * `true` when signing is local CPU work that always finishes (the built-in signer). A signer
   * without it (KMS, HSM, a remote service) may wait on a network, so the client bounds it by the
   * call's deadline.
   */
  readonly bounded?: boolean | undefined
}

export interface SignHint {
  readonly concurrent: boolean
}

export class Signer extends Context.Tag("effect-wechatpay/Signer")<Signer, SignerService>() {}

export interface SignerOptions {
  readonly mchid: string
  readonly merchantSerialNumber: string
  readonly merchantPrivateKey: Redacted.Redacted<string> | Redacted.Redacted<crypto.KeyObject>
  /**
   * `"auto"` (default): inline while calls do not overlap (cheapest: no thread hand-off), in libuv's
   * thread pool while they do (the event loop stays free and every core signs).
   * `"threadpool"`: always in the pool. `"sync"`: always inline.
   */
  readonly signMode?: "auto" | "threadpool" | "sync" | undefined
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
        bounded: true,
        serialNo: options.merchantSerialNumber,
        sign: options.signMode === "sync"
          ? (message) => Effect.sync(() => signSync(message, key))
          : options.signMode === "threadpool"
          ? (message) => signInPool(message, key)
          : (message, hint) => (hint?.concurrent ? signInPool(message, key) : Effect.sync(() => signSync(message, key)))
      }))
  )

/** `crypto.sign`'s callback form runs in libuv's thread pool; resumed straight from the callback (no Promise). */
const signInPool = (message: string, key: crypto.KeyObject): Effect.Effect<string> =>
  Effect.async<string>((resume) => {
    crypto.sign("sha256", Buffer.from(message, "utf8"), key, (err, signature) => {
      resume(err ? Effect.die(err) : Effect.succeed(signature.toString("base64")))
    })
  })

export const layer = (options: SignerOptions): Layer.Layer<Signer, InvalidKey> => Layer.effect(Signer, make(options))

/** Bring your own signing (KMS, HSM, remote signer): `sign` gets the exact request message. */
export const layerCustom = (service: SignerService): Layer.Layer<Signer> => Layer.succeed(Signer, service)
