/**
 * Real RSA keys for tests, generated with plain node:crypto (2048-bit; once per test file, since
 * each file imports this module afresh).
 */
import * as crypto from "node:crypto"

export interface TestKeyPair {
  readonly privateKey: crypto.KeyObject
  readonly publicKey: crypto.KeyObject
  /** PKCS#8 PEM (`BEGIN PRIVATE KEY`). */
  readonly pkcs8Pem: string
  /** PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`). */
  readonly pkcs1Pem: string
  /** SPKI PEM (`BEGIN PUBLIC KEY`). */
  readonly publicPem: string
}

export const generateKeyPair = (bits = 2048): TestKeyPair => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: bits })
  return {
    privateKey,
    publicKey,
    pkcs8Pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    pkcs1Pem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    publicPem: publicKey.export({ type: "spki", format: "pem" }).toString()
  }
}

export interface TestKeys {
  /** The merchant API key pair: our client signs with its private key. */
  readonly merchant: TestKeyPair
  /** WeChat Pay's key pair (public-key mode): the test server signs answers with its private key. */
  readonly platform: TestKeyPair
}

let cached: TestKeys | undefined

/** Both key pairs, generated on first use in this module instance (i.e. once per test file). */
export const testKeys = (): TestKeys => (cached ??= { merchant: generateKeyPair(), platform: generateKeyPair() })
