/**
 * The sandbox: a local WeChat Pay v3 for our endpoints. Three ways to run it:
 * - `layer(options)`: in memory, no socket; a `WechatPayClient` wired straight to the emulator,
 *   plus the `Sandbox` service to seed, inject faults and read state (for unit tests).
 * - `make(options)`: a real HTTP server on 127.0.0.1 (port 0 by default), scoped.
 * - the `wechatpay-sandbox` CLI (`cli.ts`), for clients in any language.
 */
import * as Endpoint from "../api/Endpoint.js"
import { global } from "../v3/globalHost.js"
import { hk, v3 } from "../v3/index.js"
import { HttpClient, HttpClientError, HttpClientResponse, HttpIncomingMessage, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { HttpApp } from "@effect/platform"
import * as crypto from "node:crypto"
import * as http from "node:http"
import { promisify } from "node:util"
import { Context, Duration, Effect, Layer, Option, Redacted, Schedule, type Scope } from "effect"
import { declaresTooMuch } from "../internal/boundedBody.js"
import * as WechatPay from "../api/WechatPay.js"
import type { ClientSettings } from "../api/WechatPayClient.js"
import { loadCertificate, loadPrivateKey, loadPublicKey, normalizeSerial } from "../signing/crypto.js"
import type { CallbackTampering, Delivery, NotifyOptions } from "./Callbacks.js"
import * as Emulator from "./Emulator.js"
import type { CompleteRefundOptions, Order, PaymentControlError, PayOptions, Refund } from "./Payments.js"
import type { FaultSpec } from "./Faults.js"
import { type PlatformCertificate, PlatformKeys, type PlatformMode, randomSerial } from "./Platform.js"
import { docsExamples, type SandboxState, type SeedData } from "./State.js"

export type { Fault, FaultSpec } from "./Faults.js"
export type { CallbackSettings, RecordedRequest, RotateOptions } from "./Emulator.js"
export type { CallbackTampering, Delivery, DeliveryAttempt, NotifyOptions } from "./Callbacks.js"
export type { PlatformCertificate, PlatformMode } from "./Platform.js"
export type { CompleteRefundOptions, Order, PayOptions, Refund, RefundStatus, TradeState, TradeType } from "./Payments.js"
export { PaymentControlError } from "./Payments.js"
export type {
  BonusPreparation,
  ConsumptionCard,
  ConsumptionCardSend,
  DiscountCard,
  DiscountCardOrder,
  MemberCard,
  MemberCardCode,
  SandboxState,
  SeedData
} from "./State.js"
export { docsExamples } from "./State.js"

/** The default merchant: the membercard docs' example `mchid`, so that page's body runs verbatim. */
export const DEFAULT_MCHID = "1230000109"

export interface Options {
  /** The merchant the sandbox accepts. Default `1230000109`. */
  readonly mchid?: string | undefined
  /** The merchant API certificate serial (`serial_no`). Default: a certificate's own serial, else generated. */
  readonly merchantSerialNumber?: string | undefined
  /** The merchant private key (PEM). Without it and without a public key or certificate, a 2048-bit pair is generated. */
  readonly merchantPrivateKey?: Redacted.Redacted<string> | string | undefined
  /** Use an existing merchant public key (PEM); the sandbox then cannot build a client itself. */
  readonly merchantPublicKey?: string | undefined
  /** Use an existing merchant API certificate (PEM): its public key, and its serial unless `merchantSerialNumber`. */
  readonly merchantCertificate?: string | undefined
  /** The sandbox's WeChat Pay key (PEM private key). Default: generated. */
  readonly platformPrivateKey?: Redacted.Redacted<string> | string | undefined
  /** Its id, `PUB_KEY_ID_…`. Default: generated. */
  readonly platformPublicKeyId?: string | undefined
  /** The APIv3 key (32 bytes). Default: generated. */
  readonly apiV3Key?: Redacted.Redacted<string> | string | undefined
  /**
   * How merchants verify the sandbox: `"publicKey"` (default; `/v3/certificates` answers 404 as
   * for merchants onboarded since 2024-10), `"certificates"` (platform certificates: served
   * encrypted at `/v3/certificates`, the newest signs, `rotateCertificates` adds the next), or
   * `"both"` (a merchant migrating: the public key signs until `useSigningKey("certificate")`).
   */
  readonly platform?: PlatformMode | undefined
  /**
   * Private keys (PEM) for the platform certificates, used in order: the first at start, the next
   * ones by rotation; generated once these run out. Saves key generation in tests.
   */
  readonly certificateKeys?: ReadonlyArray<Redacted.Redacted<string> | string> | undefined
  /** Where callbacks go, and how they are retried (payment and refund callbacks go to the order's `notify_url`). */
  readonly callbacks?: Emulator.CallbackSettings | undefined
  /** How long a refund stays PROCESSING before it succeeds by itself, in sandbox time. Default 1 minute. */
  readonly refundDelay?: Duration.DurationInput | undefined
  /** Shifts the sandbox clock against the Effect `Clock` (e.g. `"-10 minutes"` to test skew). */
  readonly clockOffset?: Duration.DurationInput | undefined
  /** How long a rotated certificate is published before it signs. Default 3 days. */
  readonly certificateLead?: Duration.DurationInput | undefined
  /** `true` (default): the WeChat docs' example entities; `false`: empty; or your own seed. */
  readonly seed?: boolean | SeedData | undefined
  /** Cache answer signatures per (status, body), so the sandbox is cheap under load (benchmarks). */
  readonly bench?: boolean | undefined
  /** The request log keeps the last this many. Default 10 000. */
  readonly maxRecordedRequests?: number | undefined
  /** Settings of the client that `layer` (and `clientLayer`) builds; `retry` defaults to 2 immediate retries. */
  readonly client?: ClientSettings | undefined
}

export interface ServerOptions extends Options {
  /** Default 0: any free port. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
  /**
   * Larger request bodies are refused: 413 on a declared length before reading, a failed read
   * past it. Default `SERVER_MAX_BODY_BYTES` (16 MiB: WeChat Pay's largest upload, a 5 MB video,
   * as multipart, with room to spare).
   */
  readonly maxBodyBytes?: number | undefined
  /** Called once per answered request, after the answer is written (the CLI logs these). */
  readonly onAnswer?: ((answer: AnsweredRequest) => void) | undefined
}

/** One request the server answered, as `onAnswer` sees it. */
export interface AnsweredRequest {
  readonly method: string
  /** The request target as sent: path and query. */
  readonly target: string
  readonly status: number
  /** The answer's `Request-ID`, when it has one (every answer of the emulator does). */
  readonly requestId: string | undefined
}

/** What a merchant client needs to talk to the sandbox (the CLI prints these). */
export interface Credentials {
  readonly mchid: string
  readonly merchantSerialNumber: string
  /** `undefined` when the sandbox was given only a merchant public key or certificate. */
  readonly merchantPrivateKey: Redacted.Redacted<string> | undefined
  readonly platformPublicKeyId: string
  /** SPKI PEM. */
  readonly platformPublicKey: string
  readonly apiV3Key: Redacted.Redacted<string>
}

export interface SandboxService extends Credentials {
  readonly platformMode: PlatformMode
  /** The active platform certificates (PEM, serial, validity), oldest first; empty in public-key mode. */
  readonly certificates: Effect.Effect<ReadonlyArray<PlatformCertificate>>
  /**
   * Issues the next platform certificate in two phases, as WeChat Pay does: `/v3/certificates`
   * lists it next to the others at once (they overlap), and it signs once `certificateLead` has
   * passed in sandbox time (or on `startSigningWith`); the old one signs until then and stays
   * listed until retired. `{ signNow: true }` signs at once (an abrupt change); `{ retireOld: true }`
   * also retires the others. Dies in public-key mode.
   */
  readonly rotateCertificates: (options?: Emulator.RotateOptions) => Effect.Effect<PlatformCertificate>
  /** No longer served nor used to sign. Answers whether an active certificate had that serial. */
  readonly retireCertificate: (serialNo: string) => Effect.Effect<boolean>
  /** Signs with this published certificate from now on (a rotation's second phase, without waiting for the lead). */
  readonly startSigningWith: (serialNo: string) => Effect.Effect<boolean>
  /** `"both"` mode: sign answers and callbacks with the public key (default) or the newest certificate. */
  readonly useSigningKey: (which: "publicKey" | "certificate") => Effect.Effect<void>
  /**
   * Sends one signed, encrypted callback to the family's notify URL (or `options.url`) and waits
   * for its delivery, retries included. `resource` defaults to one made from the sandbox's
   * entities for our families. Dies without a URL.
   */
  readonly notify: (eventType: string, resource?: unknown, options?: NotifyOptions) => Effect.Effect<Delivery>
  /** Posts a delivered callback again byte for byte (same timestamp and signature), once; waits for it. */
  readonly replayCallback: (id: string) => Effect.Effect<Delivery | undefined>
  /** Spoils the next `times` (default 1) callbacks, whatever triggers them. */
  readonly spoilNextCallback: (tampering: CallbackTampering, times?: number) => Effect.Effect<void>
  /** Every callback sent, oldest first, with the status of each attempt. */
  readonly deliveries: Effect.Effect<ReadonlyArray<Delivery>>
  /** Waits until no callback is in flight, then answers `deliveries`. */
  readonly awaitDeliveries: Effect.Effect<ReadonlyArray<Delivery>>
  /** The emulator as an `HttpApp`: mount it anywhere. */
  readonly app: HttpApp.Default
  /** An `HttpClient` that answers from `app` in memory. */
  readonly httpClient: HttpClient.HttpClient
  /**
   * Plays the payer of a NOTPAY order: `SUCCESS` (default) gives it a `transaction_id`,
   * `success_time` and `payer`, and sends TRANSACTION.SUCCESS to its `notify_url`; `PAYERROR`
   * fails it. Fails for an unknown order or one that is not NOTPAY (closed, paid).
   */
  readonly pay: (outTradeNo: string, options?: PayOptions) => Effect.Effect<Order, PaymentControlError>
  /** Ends a PROCESSING refund now (`SUCCESS` by default), sending its REFUND.* callback. */
  readonly completeRefund: (outRefundNo: string, options?: CompleteRefundOptions) => Effect.Effect<Refund, PaymentControlError>
  /** The orders and refunds, as the sandbox keeps them. */
  readonly payments: Effect.Effect<{ readonly orders: ReadonlyArray<Order>; readonly refunds: ReadonlyArray<Refund> }>
  /** Adds or replaces entities. */
  readonly seed: (data: SeedData) => Effect.Effect<void>
  /** A snapshot of all entities. */
  readonly state: Effect.Effect<SandboxState>
  /** Arms a fault for the next matching request(s); see `Faults.ts` for which ones change state. */
  readonly inject: (spec: FaultSpec) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
  /** Every received WeChat Pay request, oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<Emulator.RecordedRequest>>
  /** Back to the initial seed, no faults, no recorded requests or deliveries, notify URLs as configured. */
  readonly reset: Effect.Effect<void>
  /** `WechatPay.layer` options for this sandbox (`baseUrl` is yours to set for a server). */
  readonly wechatPayOptions: (settings?: ClientSettings) => WechatPay.Options
}

export class Sandbox extends Context.Tag("effect-wechatpay/Sandbox")<Sandbox, SandboxService>() {}

export interface SandboxServer extends SandboxService {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string
  /** A `WechatPayClient` for this server over any `HttpClient` (fetch, undici …). */
  readonly clientLayer: (settings?: ClientSettings) => Layer.Layer<WechatPay.Services, never, HttpClient.HttpClient>
}

// ---- keys ----

const generateKeyPair = promisify(crypto.generateKeyPair)

const rsaPair = Effect.promise(() => generateKeyPair("rsa", { modulusLength: 2048 }))

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const randomFrom = (alphabet: string, n: number) => Array.from(crypto.randomBytes(n), (b) => alphabet[b % alphabet.length]).join("")

const reveal = (v: Redacted.Redacted<string> | string): string => (typeof v === "string" ? v : Redacted.value(v))

/** A bad option is a programming error: the sandbox dies with a message naming it (never showing a key). */
const orDieNamed = <A>(f: () => A): Effect.Effect<A> =>
  Effect.try({ try: f, catch: (e) => new Error(`wechatpay sandbox: ${e instanceof Error ? e.message : String(e)}`) }).pipe(Effect.orDie)

interface Resolved {
  readonly credentials: Credentials
  readonly merchant: { readonly mchid: string; readonly serialNo: string; readonly publicKey: crypto.KeyObject }
  readonly platform: { readonly publicKeyId: string; readonly privateKey: crypto.KeyObject }
}

const resolve = (options: Options): Effect.Effect<Resolved> =>
  Effect.gen(function*() {
    const mchid = options.mchid ?? DEFAULT_MCHID
    let merchantPublic: crypto.KeyObject
    let merchantPrivatePem: string | undefined
    let serial = options.merchantSerialNumber
    if (options.merchantPrivateKey !== undefined) {
      merchantPrivatePem = reveal(options.merchantPrivateKey)
      const key = yield* orDieNamed(() => loadPrivateKey("merchantPrivateKey", merchantPrivatePem!))
      merchantPublic = crypto.createPublicKey(key)
      if (options.merchantCertificate !== undefined) {
        serial ??= (yield* orDieNamed(() => loadCertificate("merchantCertificate", options.merchantCertificate!))).serial
      }
    } else if (options.merchantCertificate !== undefined) {
      const cert = yield* orDieNamed(() => loadCertificate("merchantCertificate", options.merchantCertificate!))
      merchantPublic = cert.publicKey
      serial ??= cert.serial
    } else if (options.merchantPublicKey !== undefined) {
      merchantPublic = yield* orDieNamed(() => loadPublicKey("merchantPublicKey", options.merchantPublicKey!))
    } else {
      const pair = yield* rsaPair
      merchantPublic = pair.publicKey
      merchantPrivatePem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString()
    }
    serial ??= randomSerial()
    let platformPrivate: crypto.KeyObject
    if (options.platformPrivateKey !== undefined) {
      const pem = reveal(options.platformPrivateKey)
      platformPrivate = yield* orDieNamed(() => loadPrivateKey("platformPrivateKey", pem))
    } else {
      platformPrivate = (yield* rsaPair).privateKey
    }
    const publicKeyId = options.platformPublicKeyId ?? `PUB_KEY_ID_01${randomFrom("0123456789", 30)}`
    const apiV3Key = options.apiV3Key !== undefined ? reveal(options.apiV3Key) : randomFrom(ALNUM, 32)
    if (Buffer.byteLength(apiV3Key, "utf8") !== 32) yield* Effect.dieMessage("wechatpay sandbox: apiV3Key must be 32 bytes")
    return {
      credentials: {
        mchid,
        merchantSerialNumber: serial,
        merchantPrivateKey: merchantPrivatePem !== undefined ? Redacted.make(merchantPrivatePem) : undefined,
        platformPublicKeyId: publicKeyId,
        platformPublicKey: crypto.createPublicKey(platformPrivate).export({ type: "spki", format: "pem" }).toString(),
        apiV3Key: Redacted.make(apiV3Key)
      },
      merchant: { mchid, serialNo: normalizeSerial(serial), publicKey: merchantPublic },
      platform: { publicKeyId, privateKey: platformPrivate }
    }
  })

// ---- the in-memory client ----

const dropped = () => Object.assign(new Error("socket hang up (sandbox: dropped connection)"), { code: "ECONNRESET" })

/** An `HttpClient` that answers from an `HttpApp` in the calling fiber: no socket, and the caller's `Clock`. */
export const memoryHttpClient = (app: HttpApp.Default): HttpClient.HttpClient =>
  HttpClient.make((request, url) =>
    Effect.gen(function*() {
      const body = request.body
      let payload: Uint8Array | string | undefined
      if (body._tag === "Uint8Array") payload = body.body
      else if (body._tag === "Raw" && (typeof body.body === "string" || body.body instanceof Uint8Array)) payload = body.body
      else if (body._tag !== "Empty") {
        return yield* new HttpClientError.RequestError({ request, reason: "Encode", description: `the sandbox's in-memory client cannot send a ${body._tag} body` })
      }
      const headers = new Headers(request.headers as Record<string, string>)
      if (payload !== undefined && body._tag === "Uint8Array" && !headers.has("content-type")) headers.set("content-type", body.contentType)
      const web = new Request(url.href, { method: request.method, headers, ...(payload !== undefined ? { body: payload as BodyInit } : {}) })
      const response = yield* Effect.provideService(app, HttpServerRequest.HttpServerRequest, HttpServerRequest.fromWeb(web))
      if (response.headers[Emulator.DROP_HEADER] !== undefined) {
        return yield* new HttpClientError.RequestError({ request, reason: "Transport", cause: dropped() })
      }
      return HttpClientResponse.fromWeb(request, HttpServerResponse.toWeb(response))
    })
  )

// ---- platform keys ----

const platformKeys = (options: Options, resolved: Resolved) =>
  Effect.gen(function*() {
    const mode = options.platform ?? "publicKey"
    const apiV3Key = Redacted.value(resolved.credentials.apiV3Key)
    const keys = new PlatformKeys(mode, { id: resolved.platform.publicKeyId, privateKey: resolved.platform.privateKey }, apiV3Key)
    const given = yield* orDieNamed(() =>
      (options.certificateKeys ?? []).map((k, i) => loadPrivateKey(`certificateKeys[${i}]`, reveal(k)))
    )
    const nextCertificateKey = Effect.suspend(() => {
      const key = given.shift()
      return key !== undefined ? Effect.succeed(key) : Effect.map(rsaPair, (p) => p.privateKey)
    })
    return { keys, nextCertificateKey }
  })

// ---- constructors ----

/** Retries that do not sleep: quick, and they work under `TestClock`. */
const quickRetry = Schedule.recurs(2)

const MEMORY_BASE_URL = "http://wechatpay-sandbox.invalid"

/** A sandbox without a socket. Callbacks in flight are not interrupted: prefer `layer` or `make`. */
export const makeService = (options: Options = {}): Effect.Effect<SandboxService> =>
  Effect.map(makeWithEmulator(options), (m) => m.service)

/** The service, and a finalizer for the callbacks in flight (interrupted when the sandbox closes). */
const makeScoped = (options: Options): Effect.Effect<SandboxService, never, Scope.Scope> =>
  Effect.flatMap(makeWithEmulator(options), (m) => Effect.as(Effect.addFinalizer(() => m.emulator.notifier.interruptAll), m.service))

const makeWithEmulator = (options: Options) =>
  Effect.gen(function*() {
    const resolved = yield* resolve(options)
    const platform = yield* platformKeys(options, resolved)
    const emulator = Emulator.make({
      merchant: resolved.merchant,
      platform: platform.keys,
      apiV3Key: Redacted.value(resolved.credentials.apiV3Key),
      callbacks: options.callbacks ?? {},
      nextCertificateKey: platform.nextCertificateKey,
      clockOffsetMillis: options.clockOffset !== undefined ? Duration.toMillis(options.clockOffset) : 0,
      initialSeed: options.seed === false ? undefined : options.seed === true || options.seed === undefined ? docsExamples : options.seed,
      bench: options.bench ?? false,
      maxRecordedRequests: options.maxRecordedRequests ?? 10_000,
      certificateLeadMillis: Duration.toMillis(options.certificateLead ?? "3 days"),
      refundDelayMillis: Duration.toMillis(options.refundDelay ?? "1 minute"),
      emulated: Endpoint.collect({ v3, hk, global })
    })
    if (platform.keys.hasCertificates) yield* emulator.rotateCertificates({ signNow: true })
    const credentials = resolved.credentials
    const mode = platform.keys.mode
    const service: SandboxService = {
      ...credentials,
      platformMode: mode,
      certificates: Effect.sync(() => emulator.platform.active()),
      rotateCertificates: (o) =>
        mode === "publicKey"
          ? Effect.dieMessage("wechatpay sandbox: rotateCertificates needs platform \"certificates\" or \"both\"")
          : emulator.rotateCertificates(o),
      retireCertificate: (serial) => Effect.sync(() => emulator.platform.retire(serial)),
      startSigningWith: emulator.startSigningWith,
      useSigningKey: (which) => Effect.sync(() => emulator.platform.preferSigningWith(which)),
      notify: emulator.notify,
      replayCallback: (id) =>
        Effect.gen(function*() {
          const started = yield* emulator.notifier.replay(id)
          if (started === undefined) return undefined
          yield* started.fiber.await
          return started.delivery()
        }),
      spoilNextCallback: (tampering, times) => Effect.sync(() => emulator.notifier.spoilNext(tampering, times)),
      deliveries: Effect.sync(() => emulator.notifier.deliveries()),
      awaitDeliveries: Effect.zipRight(emulator.notifier.settled, Effect.sync(() => emulator.notifier.deliveries())),
      app: emulator.app,
      httpClient: memoryHttpClient(emulator.app),
      pay: emulator.pay,
      completeRefund: emulator.completeRefund,
      payments: Effect.sync(() => emulator.payments.snapshot()),
      seed: (data) => Effect.sync(() => emulator.seed(data)),
      state: Effect.sync(() => emulator.store.snapshot()),
      inject: (spec) => Effect.sync(() => emulator.faults.add(spec)),
      clearFaults: Effect.sync(() => emulator.faults.clear()),
      requests: Effect.sync(() => emulator.requests()),
      reset: Effect.sync(() => emulator.reset()),
      wechatPayOptions: (settings = {}) => {
        if (credentials.merchantPrivateKey === undefined) {
          throw new Error("wechatpay sandbox: it was given only the merchant public key or certificate, so it cannot sign as the merchant")
        }
        const publicKey = { publicKeyId: credentials.platformPublicKeyId, publicKey: credentials.platformPublicKey }
        return {
          retry: quickRetry,
          ...options.client,
          ...settings,
          mchid: credentials.mchid,
          merchantSerialNumber: credentials.merchantSerialNumber,
          merchantPrivateKey: credentials.merchantPrivateKey,
          platform: mode === "publicKey" ? publicKey : mode === "certificates" ? { certificates: "auto" } : { ...publicKey, certificates: "auto" },
          apiV3Key: credentials.apiV3Key
        }
      }
    }
    return { service, emulator }
  })

const clientFor = (sandbox: SandboxService, settings: ClientSettings): Layer.Layer<WechatPay.Services, never, HttpClient.HttpClient> =>
  Layer.unwrapEffect(
    Effect.map(orDieNamed(() => sandbox.wechatPayOptions(settings)), (o) => Layer.orDie(WechatPay.layer(o)))
  )

/**
 * In memory, no socket: the `Sandbox` service and a `WechatPayClient` wired straight to it
 * (no failover host, two immediate retries unless `options.client` says otherwise).
 * The emulator runs in the caller's fiber, on its `Clock`: `TestClock` works.
 */
export const layer = (options: Options = {}): Layer.Layer<Sandbox | WechatPay.Services> =>
  Layer.unwrapScoped(
    Effect.map(makeScoped(options), (sandbox) =>
      Layer.merge(
        Layer.succeed(Sandbox, sandbox),
        clientFor(sandbox, { baseUrl: MEMORY_BASE_URL, backupBaseUrl: null, hkBaseUrl: MEMORY_BASE_URL }).pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, sandbox.httpClient))
        )
      ))
  )

/**
 * Loaded on first use: the package's root entry must import without `@effect/platform-node`
 * (an optional peer: only the socket server and the CLI need it).
 */
const loadNodeHttpServer = Effect.tryPromise({
  try: () => import("@effect/platform-node/NodeHttpServer"),
  catch: () => new Error("wechatpay sandbox: Sandbox.make needs the @effect/platform-node package; install it next to effect-wechatpay")
}).pipe(Effect.orDie)

/** Header names as WeChat Pay writes them on the wire (the platform hands Node lower-case ones). */
const WIRE_NAMES: Readonly<Record<string, string>> = {
  "request-id": "Request-ID",
  "wechatpay-nonce": "Wechatpay-Nonce",
  "wechatpay-serial": "Wechatpay-Serial",
  "wechatpay-signature": "Wechatpay-Signature",
  "wechatpay-signature-type": "Wechatpay-Signature-Type",
  "wechatpay-timestamp": "Wechatpay-Timestamp"
}
const wireName = (name: string) =>
  WIRE_NAMES[name] ?? name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())

/**
 * Renames the headers of each answer before Node writes them: `Request-ID`, `Wechatpay-Signature`,
 * `Content-Type` … Returns a reader of the answer's Request-ID (headers given to `writeHead` are
 * not visible to `getHeader`).
 */
const spellHeadersAsWechatPay = (response: http.ServerResponse): () => string | undefined => {
  let requestId: string | undefined
  const writeHead = response.writeHead.bind(response) as (status: number, ...rest: Array<unknown>) => http.ServerResponse
  response.writeHead = ((status: number, ...rest: Array<unknown>) => {
    const last = rest[rest.length - 1]
    if (last !== null && typeof last === "object" && !Array.isArray(last)) {
      const renamed: Record<string, unknown> = {}
      for (const [name, value] of Object.entries(last)) renamed[wireName(name)] = value
      rest[rest.length - 1] = renamed
      const id = renamed["Request-ID"]
      if (typeof id === "string") requestId = id
    }
    return writeHead(status, ...rest)
  }) as typeof response.writeHead
  return () => {
    const set = response.getHeader("request-id")
    return requestId ?? (typeof set === "string" ? set : undefined)
  }
}

const formatHost = (host: string) => (host.includes(":") ? `[${host}]` : host)

export const SERVER_MAX_BODY_BYTES = 16 * 1024 * 1024

/**
 * The socket server's own bounds, as a notify URL's (`Notifications.nodeServerOptions`): trickled
 * headers cut after 10 s, a whole request after 60 s (uploads), headers over 16 KiB refused.
 */
const SERVER_OPTIONS: http.ServerOptions = {
  headersTimeout: 10_000,
  requestTimeout: 60_000,
  keepAliveTimeout: 5_000,
  connectionsCheckingInterval: 1_000,
  maxHeaderSize: 16 * 1024
}

/** The emulator behind a body cap: a declared length over it is answered before a byte is read. */
const bounded = (app: HttpApp.Default, maxBodyBytes: number): HttpApp.Default =>
  Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    declaresTooMuch(request.headers, maxBodyBytes)
      ? Effect.succeed(HttpServerResponse.unsafeJson(
        { code: "PARAM_ERROR", message: `the request body is larger than ${maxBodyBytes} bytes` },
        { status: 413, headers: { connection: "close" } }
      ))
      : app).pipe(HttpIncomingMessage.withMaxBodySize(Option.some(maxBodyBytes)))

/** A real HTTP server (127.0.0.1, any free port by default), closed with its scope. */
export const make = (options: ServerOptions = {}): Effect.Effect<SandboxServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const sandbox = yield* makeScoped(options)
    const host = options.host ?? "127.0.0.1"
    const { make: serve } = yield* loadNodeHttpServer
    const node = http.createServer(SERVER_OPTIONS)
    const onAnswer = options.onAnswer
    node.prependListener("request", (request, response) => {
      const requestId = spellHeadersAsWechatPay(response)
      if (onAnswer !== undefined) {
        response.once("finish", () =>
          onAnswer({ method: request.method ?? "", target: request.url ?? "", status: response.statusCode, requestId: requestId() }))
      }
    })
    const server = yield* serve(() => node, { port: options.port ?? 0, host }).pipe(Effect.orDie)
    // Keep-alive sockets would hold the close open: end them with the scope.
    yield* Effect.addFinalizer(() => Effect.sync(() => node.closeAllConnections()))
    yield* server.serve(bounded(sandbox.app, options.maxBodyBytes ?? SERVER_MAX_BODY_BYTES))
    const address = server.address
    const url = address._tag === "TcpAddress" ? `http://${formatHost(host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host)}:${address.port}` : `http://localhost`
    return {
      ...sandbox,
      url,
      clientLayer: (settings = {}) => clientFor(sandbox, { baseUrl: url, backupBaseUrl: null, hkBaseUrl: url, ...settings })
    } satisfies SandboxServer
  })

/** `make` as a layer: the `Sandbox` service and a `WechatPayClient` talking to it over loopback. */
export const layerServer = (options: ServerOptions = {}): Layer.Layer<Sandbox | WechatPay.Services, never, HttpClient.HttpClient> =>
  Layer.unwrapScoped(
    Effect.map(make(options), (server) => Layer.merge(Layer.succeed(Sandbox, server as SandboxService), server.clientLayer()))
  )

/**
 * The one JSON line the CLI prints: what any client needs, keys in clear (it is a sandbox). With
 * `certificates` (certificate or both mode), also `platformCertificates`: `[{serialNo, certificate}]`.
 */
export const credentialsJson = (
  server: { readonly url: string } & Credentials,
  certificates: ReadonlyArray<PlatformCertificate> = []
): string =>
  JSON.stringify({
    url: server.url,
    mchid: server.mchid,
    merchantSerialNumber: server.merchantSerialNumber,
    merchantPrivateKey: server.merchantPrivateKey !== undefined ? Redacted.value(server.merchantPrivateKey) : null,
    platformPublicKeyId: server.platformPublicKeyId,
    platformPublicKey: server.platformPublicKey,
    apiV3Key: Redacted.value(server.apiV3Key),
    ...(certificates.length > 0 ? { platformCertificates: certificates.map((c) => ({ serialNo: c.serialNo, certificate: c.certificate })) } : {})
  })
