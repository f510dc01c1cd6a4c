/**
 * Pure helpers for users who need the protocol by hand (a gateway, a test, another client).
 * Keys here are PEM text, parsed per call: the client's layers parse once instead.
 */
import { Effect } from "effect"
import { CryptoError } from "../errors/errors.js"
import * as C from "./crypto.js"

export { authorizationHeader, parseAuthorization, requestMessage, responseMessage, OAEP_MAX_BYTES } from "./crypto.js"

const cryptoError = (operation: string) => (e: unknown) =>
  new CryptoError({ operation, message: e instanceof C.KeyLoadFailure ? e.message : `${operation} failed` })

/** base64 SHA256withRSA of `message` with a PEM private key (PKCS#8 or PKCS#1). */
export const sign = (message: string, privateKeyPem: string): Effect.Effect<string, CryptoError> =>
  Effect.try({ try: () => C.signSync(message, C.loadPrivateKey("privateKey", privateKeyPem)), catch: cryptoError("sign") })

/** Whether `signature` is a valid SHA256withRSA of `message` under a PEM public key or certificate. */
export const verify = (message: string, signature: string, publicKeyPem: string): Effect.Effect<boolean, CryptoError> =>
  Effect.try({ try: () => C.verifySync(message, signature, C.loadPublicKey("publicKey", publicKeyPem)), catch: cryptoError("verify") })

export interface AeadParams {
  readonly apiV3Key: string
  readonly nonce: string
  readonly associatedData?: string | undefined
}

/** AEAD_AES_256_GCM decryption of a notification `resource` or a downloaded certificate. */
export const decryptAead = (p: AeadParams & { readonly ciphertext: string }): Effect.Effect<string, CryptoError> =>
  Effect.try({
    try: () => C.aeadDecrypt({ key: p.apiV3Key, nonce: p.nonce, associatedData: p.associatedData, ciphertext: p.ciphertext }),
    catch: () => new CryptoError({ operation: "decryptAead", message: "AEAD_AES_256_GCM decryption failed: wrong key, nonce, associated data or tampered ciphertext" })
  })

export const encryptAead = (p: AeadParams & { readonly plaintext: string }): Effect.Effect<string, CryptoError> =>
  Effect.try({
    try: () => C.aeadEncrypt({ key: p.apiV3Key, nonce: p.nonce, associatedData: p.associatedData, plaintext: p.plaintext }),
    catch: () => new CryptoError({ operation: "encryptAead", message: "AEAD_AES_256_GCM encryption failed: the APIv3 key must be 32 bytes" })
  })

/** RSA-OAEP (SHA-1, MGF1-SHA-1) of a sensitive field with a WeChat Pay public key or certificate PEM. */
export const encryptSensitive = (plaintext: string, publicKeyPem: string): Effect.Effect<string, CryptoError> =>
  Effect.try({
    try: () => C.oaepEncrypt(plaintext, C.loadPublicKey("publicKey", publicKeyPem)),
    catch: (e) =>
      new CryptoError({
        operation: "encryptSensitive",
        message: e instanceof C.KeyLoadFailure ? e.message : Buffer.byteLength(plaintext, "utf8") > C.OAEP_MAX_BYTES
          ? `plaintext is ${Buffer.byteLength(plaintext, "utf8")} bytes; at most ${C.OAEP_MAX_BYTES} fit`
          : "RSA-OAEP encryption failed"
      })
  })

export const decryptSensitive = (ciphertext: string, privateKeyPem: string): Effect.Effect<string, CryptoError> =>
  Effect.try({
    try: () => C.oaepDecrypt(ciphertext, C.loadPrivateKey("privateKey", privateKeyPem)),
    catch: cryptoError("decryptSensitive")
  })

/** A fresh 32-character `[0-9A-Za-z]` nonce. */
export const nonce = (): string => C.randomNonce()
