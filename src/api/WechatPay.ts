/**
 * The front door. One way per job to build the client:
 *   WechatPay.layer(options)        — over your `@effect/platform` `HttpClient` (proxies, tracing, tests)
 *   WechatPay.layerNode(options)    — over the lean keep-alive Node transport, nothing else to provide
 *   WechatPay.layerConfig(config?)  — `layer` with its options from a `Config` (the environment by default)
 * Each provides the `WechatPayClient`, and the `Signer`, `Verifier` and `ApiV3Key` it is made of
 * (so `Notifications.parse` works in the same program). `request` calls any endpoint by its URL template.
 */
import { HttpClient } from "@effect/platform"
import * as fs from "node:fs"
import { Config, ConfigError, Context, Duration, Effect, Either, Layer, Option, Redacted, Schedule, type Schema, type Scope } from "effect"
import { type CertificateError, type CommonError, commonErrors, InvalidKey, type PipelineError, type RequestValidationError, UnexpectedResponse } from "../errors/errors.js"
import * as client from "../internal/client.js"
import * as Download from "../internal/Download.js"
import { encryptFields } from "../internal/encrypt.js"
import { AnyAnswer, errorInterpreter } from "../internal/interpret.js"
import * as NodeTransport from "../internal/NodeTransport.js"
import { dispatch, prepare } from "../internal/pipeline.js"
import { fromHttpClient, type Transport } from "../internal/Transport.js"
import * as ApiV3Key from "../signing/ApiV3Key.js"
import * as Certificates from "../signing/Certificates.js"
import * as Signer from "../signing/Signer.js"
import * as Verifier from "../signing/Verifier.js"
import type { HttpMethod } from "../core/declaration.js"
import { defaultSchedule, isRetryable, withoutRetry, withRetry, type DefaultRetryOptions } from "../core/Retry.js"
import type { NodeTransportOptions } from "../core/transportOptions.js"
import { type ClientSettings, RequestLimiter, WechatPayClient } from "../core/WechatPayClient.js"

export { defaultSchedule, isRetryable, withoutRetry, withRetry }
export type { DefaultRetryOptions }
export type { NodeTransportOptions } from "../core/transportOptions.js"

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

export interface Options extends ClientSettings {
  readonly mchid: string
  /** The merchant API certificate serial number (`serial_no` in Authorization). */
  readonly merchantSerialNumber: string
  /** PKCS#8 or PKCS#1 PEM, parsed once when the layer is built. Not needed with `signer`. */
  readonly merchantPrivateKey?: Redacted.Redacted<string> | undefined
  /** Your own signing instead of `merchantPrivateKey` (KMS, HSM, a remote signer): it gets the exact request message. */
  readonly signer?: ((message: string) => Effect.Effect<string>) | undefined
  /** How WeChat Pay's answers are verified: its public key, platform certificates, or both. */
  readonly platform: PlatformOptions
  /** The APIv3 key (32 bytes): notifications and downloaded certificates. */
  readonly apiV3Key?: Redacted.Redacted<string> | undefined
  /** The built-in signer: `"auto"` (default), `"threadpool"` or `"sync"` (see `Signer.SignerOptions`). */
  readonly signMode?: "auto" | "threadpool" | "sync" | undefined
}

export type LayerError = InvalidKey | CertificateError

/** What every client layer provides. */
export type Services = WechatPayClient | Signer.Signer | Verifier.Verifier | ApiV3Key.ApiV3Key

const signerOf = (options: Options): Effect.Effect<Signer.SignerService, InvalidKey> => {
  if (options.signer !== undefined) {
    return Effect.succeed({ mchid: options.mchid, serialNo: options.merchantSerialNumber, sign: options.signer })
  }
  if (options.merchantPrivateKey === undefined) {
    return Effect.fail(new InvalidKey({ which: "merchantPrivateKey", message: "merchantPrivateKey: is required (or give signer)" }))
  }
  return Signer.make({
    mchid: options.mchid,
    merchantSerialNumber: options.merchantSerialNumber,
    merchantPrivateKey: options.merchantPrivateKey,
    ...(options.signMode !== undefined ? { signMode: options.signMode } : {})
  })
}

/** A verifier in certificate mode: downloads signed by `signer` on the client's own pipeline, refreshed in the scope. */
const autoVerifier = (options: Options, apiV3Key: Option.Option<Redacted.Redacted<string>>, signer: Signer.SignerService, transport: Transport) =>
  Effect.gen(function*() {
    if (Option.isNone(apiV3Key)) {
      return yield* new InvalidKey({ which: "apiV3Key", message: "apiV3Key: is required with platform.certificates = \"auto\"" })
    }
    const { publicKey, publicKeyId } = options.platform
    const staticKeys = yield* Verifier.loadStaticKeys({ publicKey, publicKeyId })
    const downloader = client.make(signer, Certificates.deferredVerifier, transport, { ...options, retry: Schedule.recurs(2) })
    const interpretError = errorInterpreter<CommonError>(commonErrors)
    const download = downloader.execute({ method: "GET", url: "/v3/certificates", body: undefined }, (r) =>
      r.status === 200
        ? Effect.succeed(r)
        : Effect.fail(r.status >= 200 && r.status < 300 ? new UnexpectedResponse({ status: r.status, message: "expected 200" }) : interpretError(r)))
    // a CertificateCache under the layer: the fleet shares one download (see Certificates.ts)
    const cache = Option.getOrUndefined(yield* Effect.serviceOption(Certificates.CertificateCache))
    return yield* Certificates.make({
      apiV3Key: apiV3Key.value,
      staticKeys,
      refreshInterval: options.platform.refreshInterval,
      cache,
      cacheKey: `effect-wechatpay:certificates:${options.mchid}`
    }, download)
  })

/** Every service of the client over one transport; `acquire` gives the transport (closed with the layer when it is ours) and its streaming twin for downloads. */
const layerWith = <R>(
  options: Options,
  acquire: Effect.Effect<{ readonly transport: Transport; readonly streaming: Download.StreamingTransport }, never, R>
): Layer.Layer<Services, LayerError, Exclude<R, Scope.Scope>> =>
  Layer.scopedContext(
    Effect.gen(function*() {
      const { streaming, transport } = yield* acquire
      const signer = yield* signerOf(options)
      const apiV3Key = options.apiV3Key === undefined ? Option.none() : Option.some(yield* ApiV3Key.check(options.apiV3Key))
      const { certificates, publicKey, publicKeyId } = options.platform
      const verifier = certificates === "auto"
        ? yield* autoVerifier(options, apiV3Key, signer, transport)
        : yield* Verifier.make({ publicKey, publicKeyId, certificates })
      // a RequestLimiter under the layer: a rate limit shared by the fleet (effect-wechatpay/rate-limit)
      const limiter = Option.getOrUndefined(yield* Effect.serviceOption(RequestLimiter))
      const service = client.make(signer, verifier, transport, options, limiter)
      const download = Download.make(signer, streaming, {
        ...service.settings,
        timeoutMillis: Duration.toMillis(options.timeout ?? "10 seconds")
      })
      return Context.make(WechatPayClient, { ...service, download }).pipe(
        Context.add(Signer.Signer, signer),
        Context.add(Verifier.Verifier, verifier),
        Context.add(ApiV3Key.ApiV3Key, apiV3Key)
      )
    })
  )

/** The whole client from values, over the `HttpClient` in context (e.g. `NodeHttpClient.layerUndici` or `FetchHttpClient.layer`). */
export const layer = (options: Options): Layer.Layer<Services, LayerError, HttpClient.HttpClient> =>
  layerWith(options, Effect.map(HttpClient.HttpClient, (http) => ({ transport: fromHttpClient(http), streaming: Download.fromHttpClient(http) })))

/**
 * The whole client over the lean Node transport (keep-alive `node:http`/`node:https` agents):
 * nothing else to provide. Its sockets close when the layer is released.
 */
export const layerNode = (options: Options & NodeTransportOptions): Layer.Layer<Services, LayerError> =>
  layerWith(
    options,
    Effect.map(
      Effect.acquireRelease(Effect.sync(() => NodeTransport.make(options)), (t) => Effect.sync(() => t.destroy())),
      (transport) => ({ transport, streaming: Download.node(options) })
    )
  )

// ---- configuration ----

const optional = <A>(config: Config.Config<A>) => Config.map(Config.option(config), Option.getOrUndefined)

/**
 * The options from the environment (or any `ConfigProvider`):
 * WECHATPAY_MCHID, WECHATPAY_MERCHANT_SERIAL_NUMBER, WECHATPAY_MERCHANT_PRIVATE_KEY (PEM text or a
 * file path); public-key mode: WECHATPAY_PUBLIC_KEY_ID, WECHATPAY_PUBLIC_KEY (PEM or a path);
 * certificate mode: WECHATPAY_PLATFORM_CERTIFICATES (`auto`, or comma-separated PEM file paths);
 * both for a migration. Optional: WECHATPAY_APIV3_KEY, WECHATPAY_BASE_URL, WECHATPAY_BACKUP_BASE_URL
 * (`none` turns failover off), WECHATPAY_HK_BASE_URL (the Hong Kong access point). Key files are read when the layer is built, not here.
 */
export const config: Config.Config<Options> = Config.all({
  mchid: Config.string("WECHATPAY_MCHID"),
  merchantSerialNumber: Config.string("WECHATPAY_MERCHANT_SERIAL_NUMBER"),
  merchantPrivateKey: Config.redacted("WECHATPAY_MERCHANT_PRIVATE_KEY"),
  publicKeyId: optional(Config.string("WECHATPAY_PUBLIC_KEY_ID")),
  publicKey: optional(Config.string("WECHATPAY_PUBLIC_KEY")),
  certificates: optional(Config.string("WECHATPAY_PLATFORM_CERTIFICATES")),
  apiV3Key: optional(Config.redacted("WECHATPAY_APIV3_KEY")),
  baseUrl: optional(Config.string("WECHATPAY_BASE_URL")),
  backupBaseUrl: optional(Config.string("WECHATPAY_BACKUP_BASE_URL")),
  hkBaseUrl: optional(Config.string("WECHATPAY_HK_BASE_URL"))
}).pipe(
  Config.mapOrFail((c): Either.Either<Options, ConfigError.ConfigError> => {
    if (c.publicKey === undefined && c.certificates === undefined) {
      return Either.left(ConfigError.MissingData([], "set WECHATPAY_PUBLIC_KEY_ID and WECHATPAY_PUBLIC_KEY (public-key mode) or WECHATPAY_PLATFORM_CERTIFICATES (certificate mode)"))
    }
    const certificates = c.certificates === undefined
      ? undefined
      : c.certificates.trim() === "auto"
      ? "auto" as const
      : c.certificates.split(",").map((p) => p.trim()).filter((p) => p !== "")
    return Either.right({
      mchid: c.mchid,
      merchantSerialNumber: c.merchantSerialNumber,
      merchantPrivateKey: c.merchantPrivateKey,
      platform: { publicKeyId: c.publicKeyId, publicKey: c.publicKey, certificates },
      apiV3Key: c.apiV3Key,
      baseUrl: c.baseUrl,
      backupBaseUrl: c.backupBaseUrl === "none" ? null : c.backupBaseUrl,
      hkBaseUrl: c.hkBaseUrl
    })
  })
)

/** A PEM given as text, or read from the file it names; the error never shows the value (it may be a key). */
const pemOrFile = (which: string, value: string): Effect.Effect<string, InvalidKey> =>
  value.includes("-----BEGIN")
    ? Effect.succeed(value)
    : Effect.try({
      try: () => fs.readFileSync(value, "utf8"),
      catch: (e) => new InvalidKey({ which, message: `${which}: is not PEM text, and no file of that name could be read (${(e as { code?: string }).code ?? "unreadable"})` })
    })

/** Reads the key files a `Config` named (PEM text passes through). */
export const resolveKeyFiles = (options: Options): Effect.Effect<Options, InvalidKey> =>
  Effect.gen(function*() {
    const merchantPrivateKey = options.merchantPrivateKey === undefined
      ? undefined
      : Redacted.make(yield* pemOrFile("merchantPrivateKey", Redacted.value(options.merchantPrivateKey)))
    const { certificates, publicKey } = options.platform
    return {
      ...options,
      merchantPrivateKey,
      platform: {
        ...options.platform,
        publicKey: publicKey === undefined ? undefined : yield* pemOrFile("platform.publicKey", publicKey),
        certificates: certificates === undefined || certificates === "auto"
          ? certificates
          : yield* Effect.forEach(certificates, (c, i) => pemOrFile(`platform.certificates[${i}]`, c))
      }
    }
  })

/**
 * `layer` with its options from a `Config`, as Effect's own packages take one: `WechatPay.config`
 * (the environment) by default, or your own, e.g.
 * `WechatPay.layerConfig(Config.map(WechatPay.config, (o) => ({ ...o, retry: Schedule.stop })))`.
 */
export const layerConfig = (
  options: Config.Config<Options> = config
): Layer.Layer<Services, LayerError | ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Effect.flatMap(options, resolveKeyFiles), layer))

// ---- any endpoint by its URL template ----

export interface RequestOptions<A> {
  readonly method: HttpMethod
  /** URL template, e.g. `/v3/discount-card/orders/{out_order_no}`. */
  readonly path: string
  readonly params?: Readonly<Record<string, string | number>>
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>
  /** JSON body: serialized once, and those bytes are signed and sent. */
  readonly body?: unknown
  /** Decodes a 2xx body; without it the parsed JSON (or `undefined` for an empty body) is returned. */
  readonly success?: Schema.Schema<A, any, never>
  /** Extra headers. */
  readonly headers?: Readonly<Record<string, string>>
  /** Body fields (dotted paths) to RSA-OAEP encrypt with WeChat Pay's key; `Wechatpay-Serial` is then sent. */
  readonly encrypt?: ReadonlyArray<string>
}

/** Any endpoint by its URL template: on the same pipeline as declared endpoints, with the common codes as its errors. */
export const request = <A = unknown>(options: RequestOptions<A>): Effect.Effect<A, CommonError | PipelineError, WechatPayClient> =>
  Effect.suspend(() => {
    const p = prepare<A, CommonError>({
      name: "WechatPay.request",
      method: options.method,
      path: options.path,
      success: options.success ?? (AnyAnswer as Schema.Schema<A>),
      errors: commonErrors,
      encrypt: options.encrypt
    })
    return p.traced(dispatch(p, { params: options.params ?? {}, query: options.query, headers: options.headers, body: options.body }))
  })

/**
 * RSA-OAEP (SHA-1, MGF1-SHA-1) encryption of one sensitive value with the configured WeChat Pay
 * public key or newest certificate; `serial` goes in the `Wechatpay-Serial` header.
 */
export const encryptSensitive = (
  plaintext: string
): Effect.Effect<{ readonly ciphertext: string; readonly serial: string }, RequestValidationError, WechatPayClient> =>
  Effect.flatMap(WechatPayClient, (c) => {
    const holder = { value: plaintext }
    return Effect.map(encryptFields([holder], ["value"], "WechatPay.encryptSensitive", c.verifier), (headers) => ({
      ciphertext: holder.value,
      serial: headers["wechatpay-serial"]!
    }))
  })
