/**
 * The front door: `WechatPay.layer(options)` builds the signer, the verifier and the client from
 * values; `layerConfig()` from environment `Config`; `request` calls any endpoint by its URL template.
 */
import { HttpClient } from "@effect/platform"
import * as fs from "node:fs"
import { Config, ConfigError, type Duration, Effect, Either, Layer, Option, Redacted, Schema } from "effect"
import * as Signer from "../signing/Signer.js"
import * as Verifier from "../signing/Verifier.js"
import * as Endpoint from "./Endpoint.js"
import * as Certificates from "./Certificates.js"
import { CertificateError, commonErrors, InvalidKey, type PipelineError, RequestValidationError } from "./errors.js"
import { fromHttpClient, type Transport } from "./Transport.js"
import * as WechatPayClient from "./WechatPayClient.js"
import * as NodeTransport from "./NodeTransport.js"

export { withRetry, withoutRetry, defaultSchedule, isRetryable } from "./Retry.js"

export interface PlatformOptions {
  /** WeChat Pay public key mode (every merchant since 2024-10): `PUB_KEY_ID_…` and its PEM. */
  readonly publicKeyId?: string | undefined
  readonly publicKey?: string | undefined
  /**
   * Platform certificate mode: PEM certificates known in advance, or `"auto"` to download
   * `/v3/certificates` (needs `apiV3Key`) and keep them fresh. With a public key too, both modes
   * verify at once (migration).
   */
  readonly certificates?: ReadonlyArray<string> | "auto" | undefined
  /** `"auto"` only: how often to refresh. Default 12 h. */
  readonly refreshInterval?: Duration.DurationInput | undefined
}

export interface Options extends WechatPayClient.ClientSettings {
  readonly mchid: string
  /** The merchant API certificate serial number (`serial_no` in Authorization). */
  readonly merchantSerialNumber: string
  /** PKCS#8 or PKCS#1 PEM, parsed once when the layer is built. */
  readonly merchantPrivateKey: Redacted.Redacted<string>
  /** How WeChat Pay's answers are verified: its public key, platform certificates, or both. */
  readonly platform: PlatformOptions
  /** The APIv3 key (32 bytes): notifications and downloaded certificates. */
  readonly apiV3Key?: Redacted.Redacted<string> | undefined
  readonly signMode?: "threadpool" | "sync" | undefined
}

export type LayerError = InvalidKey | CertificateError

/**
 * Signer and Verifier from the options (keys parsed once; a bad key fails here, naming it).
 * `transport` is only used by `certificates: "auto"` to download certificates.
 */
export const layerKeysWith = <R>(
  options: Options,
  transport: Effect.Effect<Transport, never, R>
): Layer.Layer<Signer.Signer | Verifier.Verifier, LayerError, R> => {
  const signer = Signer.layer({
    mchid: options.mchid,
    merchantSerialNumber: options.merchantSerialNumber,
    merchantPrivateKey: options.merchantPrivateKey,
    ...(options.signMode !== undefined ? { signMode: options.signMode } : {})
  })
  const { certificates, publicKey, publicKeyId } = options.platform
  if (certificates !== "auto") {
    return Layer.merge(signer, Verifier.layer({ publicKey, publicKeyId, certificates }))
  }
  const auto = Layer.scoped(
    Verifier.Verifier,
    Effect.gen(function*() {
      if (options.apiV3Key === undefined) {
        return yield* new InvalidKey({ which: "apiV3Key", message: "apiV3Key: is required with platform.certificates = \"auto\"" })
      }
      if (Buffer.byteLength(Redacted.value(options.apiV3Key), "utf8") !== 32) {
        return yield* new InvalidKey({ which: "apiV3Key", message: "apiV3Key: must be 32 bytes" })
      }
      const staticKeys = yield* Verifier.loadStaticKeys({ publicKey, publicKeyId })
      return yield* Certificates.make(
        { apiV3Key: options.apiV3Key, staticKeys, refreshInterval: options.platform.refreshInterval },
        yield* transport,
        options
      )
    })
  )
  return Layer.provideMerge(auto, signer)
}

/** `layerKeysWith` over the `HttpClient` in context. */
export const layerKeys = (options: Options): Layer.Layer<Signer.Signer | Verifier.Verifier, LayerError, HttpClient.HttpClient> =>
  layerKeysWith(options, Effect.map(HttpClient.HttpClient, fromHttpClient))

/** The whole client from values. Needs an `HttpClient` (e.g. `FetchHttpClient.layer` or `NodeHttpClient.layerUndici`). */
export const layer = (options: Options): Layer.Layer<WechatPayClient.WechatPayClient, LayerError, HttpClient.HttpClient> =>
  WechatPayClient.layer(options).pipe(Layer.provide(layerKeys(options)))

const pemOrFile = (value: string): string => (value.includes("-----BEGIN") ? value : fs.readFileSync(value, "utf8"))

/**
 * Reads WECHATPAY_MCHID, WECHATPAY_MERCHANT_SERIAL_NUMBER, WECHATPAY_MERCHANT_PRIVATE_KEY (PEM or
 * a file path), WECHATPAY_PUBLIC_KEY_ID, WECHATPAY_PUBLIC_KEY (PEM or a file path),
 * WECHATPAY_APIV3_KEY (optional) and WECHATPAY_BASE_URL (optional).
 */
export const config: Config.Config<Options> = Config.all({
  mchid: Config.string("WECHATPAY_MCHID"),
  merchantSerialNumber: Config.string("WECHATPAY_MERCHANT_SERIAL_NUMBER"),
  merchantPrivateKey: Config.redacted("WECHATPAY_MERCHANT_PRIVATE_KEY"),
  publicKeyId: Config.string("WECHATPAY_PUBLIC_KEY_ID"),
  publicKey: Config.string("WECHATPAY_PUBLIC_KEY"),
  apiV3Key: Config.option(Config.redacted("WECHATPAY_APIV3_KEY")),
  baseUrl: Config.option(Config.string("WECHATPAY_BASE_URL"))
}).pipe(
  Config.mapOrFail((c) => {
    try {
      return Either.right<Options>({
        mchid: c.mchid,
        merchantSerialNumber: c.merchantSerialNumber,
        merchantPrivateKey: Redacted.make(pemOrFile(Redacted.value(c.merchantPrivateKey))),
        platform: { publicKeyId: c.publicKeyId, publicKey: pemOrFile(c.publicKey) },
        apiV3Key: Option.getOrUndefined(c.apiV3Key),
        baseUrl: Option.getOrUndefined(c.baseUrl)
      })
    } catch (e) {
      const code = (e as { code?: string }).code ?? "unreadable"
      return Either.left(ConfigError.InvalidData([], `a key path in WECHATPAY_MERCHANT_PRIVATE_KEY or WECHATPAY_PUBLIC_KEY could not be read (${code})`))
    }
  })
)

/** `layer` with its options read from `Config` (environment by default); `overrides` win. */
export const layerConfig = (overrides: Partial<Options> = {}) =>
  Layer.unwrapEffect(Effect.map(config, (c) => layer({ ...c, ...overrides })))

export interface RequestOptions<A, I> {
  readonly method: Endpoint.HttpMethod
  /** URL template, e.g. `/v3/discount-card/orders/{out_order_no}`. */
  readonly path: string
  readonly params?: Readonly<Record<string, string | number>>
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>
  /** JSON body: serialized once, and those bytes are signed and sent. */
  readonly body?: unknown
  /** Decodes a 2xx body; without it the parsed JSON (or `undefined` for an empty body) is returned. */
  readonly success?: Schema.Schema<A, I, never>
  /** Extra headers. */
  readonly headers?: Readonly<Record<string, string>>
  /** Body fields (dotted paths) to RSA-OAEP encrypt with WeChat Pay's key; `Wechatpay-Serial` is then sent. */
  readonly encrypt?: ReadonlyArray<string>
}

type CommonError = InstanceType<(typeof commonErrors)[number]>

const unknownJson = Schema.Unknown
const defaultSuccess = (r: { status: number; body: string; requestId: string | undefined }) =>
  r.body === "" ? Effect.succeed(undefined) : Endpoint.successInterpreter(unknownJson)(r as never)

const errorOf = Endpoint.errorInterpreter(commonErrors)

/**
 * RSA-OAEP (SHA-1, MGF1-SHA-1) encryption of one sensitive value with the configured WeChat Pay
 * public key or newest certificate; `serial` goes in the `Wechatpay-Serial` header.
 */
export const encryptSensitive = (plaintext: string): Effect.Effect<{ readonly ciphertext: string; readonly serial: string }, RequestValidationError, WechatPayClient.WechatPayClient> =>
  Effect.gen(function*() {
    const holder = { value: plaintext }
    const headers = yield* Endpoint.encryptFields(holder, ["value"], "WechatPay.encryptSensitive")
    return { ciphertext: holder.value, serial: headers["wechatpay-serial"]! }
  })

/** Any endpoint by its URL template: encoded, signed, sent, verified and classified like the named ones. */
export const request = <A = unknown, I = unknown>(options: RequestOptions<A, I>): Effect.Effect<A, CommonError | PipelineError, WechatPayClient.WechatPayClient> =>
  Effect.gen(function*() {
    const invalid = (message: string) => new RequestValidationError({ endpoint: `${options.method} ${options.path}`, message })
    const url = Endpoint.buildUrl(Endpoint.pathTemplate(options.path), options.params ?? {}, options.query)
    if (typeof url !== "string") return yield* invalid(url.error)
    let body: string | undefined
    let headers = options.headers
    if (options.body !== undefined) {
      let payload = options.body
      if (options.encrypt !== undefined && typeof payload === "object" && payload !== null) {
        payload = structuredClone(payload) // encrypt a copy: never the caller's objects
        headers = { ...headers, ...(yield* Endpoint.encryptFields(payload as Record<string, unknown>, options.encrypt, `${options.method} ${options.path}`)) }
      }
      const serialized = Endpoint.serializeBody(payload)
      if (typeof serialized !== "string") return yield* invalid(serialized.error)
      body = serialized
    }
    const ok = options.success ? Endpoint.successInterpreter(options.success) : defaultSuccess
    const client = yield* WechatPayClient.WechatPayClient
    return (yield* client.execute(
      { method: options.method, url, body, headers },
      (r) => (r.status >= 200 && r.status < 300 ? ok(r as never) : Effect.fail(errorOf(r)))
    )) as A
  }).pipe(WechatPayClient.withSpanWhenTraced("WechatPay.request", { "http.request.method": options.method, "url.template": options.path }))

/**
 * The whole client over the lean Node transport (keep-alive `node:http`/`node:https` agents):
 * nothing else to provide. Its sockets close when the layer is released.
 */
export const layerNode = (
  options: Options & NodeTransport.NodeTransportOptions
): Layer.Layer<WechatPayClient.WechatPayClient, LayerError> =>
  Layer.unwrapScoped(
    Effect.map(
      Effect.acquireRelease(Effect.sync(() => NodeTransport.make(options)), (t) => Effect.sync(() => t.destroy())),
      (transport) =>
        WechatPayClient.layerTransport(transport, options).pipe(Layer.provide(layerKeysWith(options, Effect.succeed(transport))))
    )
  )
