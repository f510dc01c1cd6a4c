/** Where request nonces come from. A `Context.Reference`, so tests can pin it and production needs nothing. */
import { Context } from "effect"
import { randomNonce } from "./crypto.js"

export class Nonce extends Context.Reference<Nonce>()("effect-wechatpay/Nonce", {
  defaultValue: (): { readonly next: () => string } => ({ next: randomNonce })
}) {}
