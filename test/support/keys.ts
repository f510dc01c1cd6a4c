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

export const MCHID = "1900000001"
export const MERCHANT_SERIAL = "3775B6A45ACD588826D15E583A95F5DD4C1DF0A1"
export const PUBLIC_KEY_ID = "PUB_KEY_ID_0119000000012024101100000000000001"
/** A 32-byte APIv3 key used only in tests. */
export const API_V3_KEY = "Xq7vK2mP9wR4tY6uZ8aB3cD5eF1gH0jL"
