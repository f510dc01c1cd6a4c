/** The client under test, wired to a test server or an in-memory HttpClient. */
import { FetchHttpClient, type HttpClient } from "@effect/platform"
import { Effect, Layer, Redacted, Schedule } from "effect"
import * as WechatPay from "../../src/api/WechatPay.js"
import * as Server from "./independentServer.js"
import { API_V3_KEY, MCHID, MERCHANT_SERIAL, PUBLIC_KEY_ID } from "./constants.js"
import { type TestKeys } from "./keys.js"

export const options = (keys: TestKeys, baseUrl: string, overrides: Partial<WechatPay.Options> = {}): WechatPay.Options => ({
  mchid: MCHID,
  merchantSerialNumber: MERCHANT_SERIAL,
  merchantPrivateKey: Redacted.make(keys.merchant.pkcs8Pem),
  platform: { publicKeyId: PUBLIC_KEY_ID, publicKey: keys.platform.publicPem },
  apiV3Key: Redacted.make(API_V3_KEY),
  baseUrl,
  // never fail over to the real backup host from a test
  backupBaseUrl: null,
  retry: Schedule.stop,
  timeout: "5 seconds",
  ...overrides
})

export const clientLayer = (
  keys: TestKeys,
  baseUrl: string,
  http: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer,
  overrides: Partial<WechatPay.Options> = {}
): Layer.Layer<WechatPay.Services, WechatPay.LayerError> => WechatPay.layer(options(keys, baseUrl, overrides)).pipe(Layer.provide(http))

/** The independent server plus a client pointed at it. */
export const serverAndClient = (
  keys: TestKeys,
  http: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer,
  overrides: Partial<WechatPay.Options> = {}
): Layer.Layer<WechatPay.Services | Server.IndependentServer, WechatPay.LayerError> =>
  Layer.unwrapEffect(Effect.map(Server.IndependentServer, (s) => clientLayer(keys, s.url, http, overrides))).pipe(
    Layer.provideMerge(Server.layer(keys))
  )
