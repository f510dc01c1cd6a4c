/**
 * The emulator as an `HttpApp`, assembled from its parts: the WeChat Pay protocol (headers,
 * Authorization, signed answers) around an `HttpRouter` of the stateful families' rules and the
 * declared endpoints (src/sandbox/Routes.ts), fault injection (Faults.ts), a log of received
 * requests, and the `/__sandbox/*` controls (Controls.ts). The same app serves a Node socket and
 * the in-memory client.
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { HttpApp } from "@effect/platform"
import type * as crypto from "node:crypto"
import { Clock, Duration, Effect } from "effect"
import type * as Endpoint from "../api/Endpoint.js"
import { ResourceNotExists } from "../errors/codes.js"
import { parseAuthorization } from "../signing/crypto.js"
import { busifavorCallbacks } from "./BusifavorCallbacks.js"
import { defaultResource, type Delivery, Notifier, type NotifyOptions } from "./Callbacks.js"
import { CONTROL_PREFIX, controlApp } from "./Controls.js"
import { FaultRegistry, planOf } from "./Faults.js"
import { BILL_DOWNLOAD_PATH, type CompleteRefundOptions, type Order, type PayOptions, PaymentControlError, Payments, type Refund } from "./Payments.js"
import { NO_CERTIFICATES, type PlatformCertificate, type PlatformKeys } from "./Platform.js"
import {
  ApiFailure,
  checkAuthorization,
  checkHeaders,
  errorBody,
  makeResponseSigner,
  type MerchantIdentity,
  type SignatureTampering
} from "./Protocol.js"
import { Call, documentedRoutes, FILE_HEADER, lenientUtf8, paramError, readForm, routeKey, ruled, textEncoder, utf8 } from "./Routes.js"
import type { AnsweredFile, StatefulFamily, TriggeredEvent } from "./Rules.js"
import { type SeedData, Store } from "./State.js"

/** One request as the sandbox received it. */
export interface RecordedRequest {
  readonly method: string
  /** Path and query exactly as received (what the merchant signed). */
  readonly url: string
  /** The body text ("" when none). */
  readonly body: string
  /** From the Authorization header, when it could be read. */
  readonly nonce: string | undefined
  readonly timestamp: string | undefined
  readonly userAgent: string | undefined
  /** The sandbox clock when it arrived, ms. */
  readonly receivedAt: number
  /** What it was answered; `undefined` for a dropped connection. */
  readonly status: number | undefined
  readonly requestId: string | undefined
  /** The fault that hit it, if any. */
  readonly fault: string | undefined
}

export interface CallbackSettings {
  /** Where `DISCOUNT_CARD.*`, `MEMBERCARD.*` (and, without a busifavor URL, `COUPON.SEND`) callbacks go. */
  readonly notifyUrl?: string | undefined
  /** The busifavor notify URL from the start (else set by `POST /v3/marketing/busifavor/callbacks`). */
  readonly busifavorNotifyUrl?: string | undefined
  /** Waits before each retry after a non-2xx or no answer. Default 100 ms, 500 ms, 2 s (three retries). */
  readonly retryDelays?: ReadonlyArray<Duration.DurationInput> | undefined
  /** Per attempt. Default 5 s. */
  readonly timeout?: Duration.DurationInput | undefined
}

export interface EmulatorConfig {
  readonly merchant: MerchantIdentity
  readonly platform: PlatformKeys
  readonly apiV3Key: string
  readonly callbacks: CallbackSettings
  /** The key for the next platform certificate (given, or generated). */
  readonly nextCertificateKey: Effect.Effect<crypto.KeyObject>
  /** Added to the Effect `Clock` to give the sandbox's clock. */
  readonly clockOffsetMillis: number
  readonly initialSeed: SeedData | undefined
  /** Cache answer signatures per (status, body): cheap answers for benchmarks. */
  readonly bench: boolean
  readonly maxRecordedRequests: number
  /** How long a rotated certificate is published before it signs (sandbox time). */
  readonly certificateLeadMillis: number
  /** How long a refund stays PROCESSING before it succeeds by itself (sandbox time). Default 1 minute. */
  readonly refundDelayMillis?: number | undefined
  /**
   * Endpoints answered from their declaration alone: the request is checked like the curated
   * routes check theirs, and the answer is the documented example (204 when there is none to send).
   * Declarations with a business rule here are skipped.
   */
  readonly emulated?: ReadonlyArray<Endpoint.Endpoint<any, any, any>> | undefined
}

/** The answer the in-memory client turns into a dropped connection (a socket is destroyed instead). */
export const DROP_HEADER = "x-wechatpay-sandbox-drop"


export interface RotateOptions {
  /**
   * Sign with the new certificate at once, an abrupt change (default: publish it now and sign
   * with it when the lead has passed in sandbox time, or on `startSigningWith`, as WeChat Pay does).
   */
  readonly signNow?: boolean | undefined
  /** Retire every older certificate at once (implies `signNow`; default: keep them, overlapping). */
  readonly retireOld?: boolean | undefined
}

export interface Emulator {
  readonly app: HttpApp.Default
  readonly store: Store
  readonly payments: Payments
  /** Plays the payer of a NOTPAY order (a TRANSACTION.SUCCESS callback on success). */
  readonly pay: (outTradeNo: string, options?: PayOptions) => Effect.Effect<Order, PaymentControlError>
  /** Ends a PROCESSING refund (a REFUND.* callback). */
  readonly completeRefund: (outRefundNo: string, options?: CompleteRefundOptions) => Effect.Effect<Refund, PaymentControlError>
  readonly faults: FaultRegistry
  readonly platform: PlatformKeys
  readonly notifier: Notifier
  /** Issues the next platform certificate (it signs from now on); optionally retires the others. */
  readonly rotateCertificates: (options?: RotateOptions) => Effect.Effect<PlatformCertificate>
  /** Signs with this published certificate from now (sandbox time); false when there is no such active one. */
  readonly startSigningWith: (serialNo: string) => Effect.Effect<boolean>
  /** Sends one callback and waits for its delivery (all attempts). */
  readonly notify: (eventType: string, resource?: unknown, options?: NotifyOptions) => Effect.Effect<Delivery>
  readonly seed: (data: SeedData) => void
  readonly reset: () => void
  readonly requests: () => ReadonlyArray<RecordedRequest>
}

export const make = (config: EmulatorConfig): Emulator => {
  const store = new Store(config.merchant.mchid)
  const payments = new Payments({ mchid: config.merchant.mchid, refundDelayMillis: config.refundDelayMillis ?? 60_000 })
  const faults = new FaultRegistry()
  const signer = makeResponseSigner(config.platform, { cache: config.bench })
  const now = Effect.map(Clock.currentTimeMillis, (ms) => ms + config.clockOffsetMillis)
  const notifier = new Notifier({
    apiV3Key: config.apiV3Key,
    signer,
    now,
    retryDelays: config.callbacks.retryDelays ?? ["100 millis", "500 millis", "2 seconds"],
    timeout: config.callbacks.timeout ?? "5 seconds",
    notifyUrl: config.callbacks.notifyUrl,
    busifavorNotifyUrl: config.callbacks.busifavorNotifyUrl,
    maxRecorded: config.maxRecordedRequests
  })
  const emit = (events: ReadonlyArray<TriggeredEvent>) =>
    Effect.forEach(events, (e) => notifier.emit(e.eventType, e.resource, { url: e.url }), { discard: true })
  let recorded: Array<RecordedRequest & { status: number | undefined; requestId: string | undefined }> = []

  const families: ReadonlyArray<StatefulFamily> = [payments, store, busifavorCallbacks(config.merchant.mchid, notifier)]
  const reset = () => {
    for (const family of families) family.clear()
    if (config.initialSeed !== undefined) store.seed(config.initialSeed)
    faults.clear()
    notifier.clear()
    recorded = []
  }
  reset()

  const rules = families.flatMap((f) => f.rules()).map((r) => ruled(r.endpoint, r.rule))
  // one route per method and template shape: a declaration with a rule wins over its generated twin
  const withRule = new Set(rules.map((r) => r.key))
  const router = HttpRouter.empty.pipe(
    (empty) => rules.reduce((router: HttpRouter.HttpRouter<ApiFailure, Call>, r) => r.add(router), empty),
    // every other declared endpoint: validated with its own schemas, answered with its documented example
    documentedRoutes((config.emulated ?? []).filter((e) => !withRule.has(routeKey(e)) && e.spec.path !== "/v3/certificates")),
    HttpRouter.get(
      "/v3/certificates",
      Effect.suspend(() =>
        config.platform.hasCertificates
          ? Effect.succeed(HttpServerResponse.text(config.platform.downloadBody(), { status: 200, contentType: "application/json" }))
          : new ApiFailure(NO_CERTIFICATES)
      )
    )
  )

  /** Protocol checks, then the endpoint: always an answer, never a failure. */
  const handle = (request: HttpServerRequest.HttpServerRequest, body: Uint8Array, nowMillis: number) =>
    Effect.gen(function*() {
      const headers = request.headers as Record<string, string | undefined>
      const headerProblem = checkHeaders(headers)
      if (headerProblem) return yield* headerProblem
      // an upload signs its `meta` part only
      const form = (headers["content-type"] ?? "").toLowerCase().startsWith("multipart/form-data")
        ? yield* readForm(body, headers["content-type"]!)
        : undefined
      const signedBody = form === undefined ? body : textEncoder.encode(form.meta)
      const auth = checkAuthorization({ method: request.method, url: request.url, headers, body: signedBody }, config.merchant, Math.floor(nowMillis / 1000))
      if (auth instanceof ApiFailure) return yield* auth
      let text: string
      try {
        text = form === undefined ? utf8.decode(body) : form.meta
      } catch {
        return yield* paramError("请求Body不是合法的UTF-8", { location: "body", issue: "not valid UTF-8" })
      }
      const host = headers["host"]
      const origin = host !== undefined && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `http://${host}` : undefined
      const response = yield* Effect.provideService(router, Call, { body: text, form, nowMillis, origin, emit })
      const b = response.body
      if (response.headers[FILE_HEADER] !== undefined && b._tag === "Uint8Array") {
        return { status: response.status, body: "", file: { bytes: b.body, contentType: b.contentType } }
      }
      return { status: response.status, body: b._tag === "Uint8Array" ? lenientUtf8.decode(b.body) : "" }
    }).pipe(
      Effect.catchTags({
        ApiFailure: (f) => Effect.succeed({ status: f.status, body: errorBody(f) }),
        RouteNotFound: () =>
          Effect.succeed({
            status: 404,
            body: errorBody(new ApiFailure({ status: 404, code: "NOT_FOUND", message: `请求的资源不存在：${request.method} ${request.url.split("?")[0]}` }))
          })
      })
    )

  const signed = (
    status: number,
    body: string,
    nowMillis: number,
    tampering: SignatureTampering | undefined,
    path: string,
    requestSerial: string | undefined
  ) => {
    // A certificate download is signed by a certificate it carries, whichever key signs the rest;
    // during a migration ("both"), an answer is signed by the key the request names in
    // Wechatpay-Serial (a client in certificate mode names a certificate), else by the default.
    const key = path === "/v3/certificates" && status === 200
      ? config.platform.signingCertificateKey(nowMillis)
      : config.platform.keyNamed(requestSerial)
    const headers = signer.headers(status, body, Math.floor(nowMillis / 1000), tampering, key)
    return {
      requestId: headers["request-id"],
      response: body === ""
        ? HttpServerResponse.empty({ status, headers })
        : HttpServerResponse.text(body, { status, headers, contentType: "application/json" })
    }
  }

  /**
   * A bill file: the merchant's Authorization is checked as for any request, and the bytes are
   * answered unsigned, as WeChat Pay does (the digest in the signed bill answer proves them).
   */
  const billDownload = (request: HttpServerRequest.HttpServerRequest, body: Uint8Array, nowMillis: number) => {
    const headers = request.headers as Record<string, string | undefined>
    const auth = checkAuthorization({ method: request.method, url: request.url, headers, body }, config.merchant, Math.floor(nowMillis / 1000))
    const failure = auth instanceof ApiFailure
      ? auth
      : request.method !== "GET"
      ? new ApiFailure({ status: 405, code: "NOT_FOUND", message: "只支持GET" })
      : undefined
    const file = failure === undefined ? payments.billFile(new URL(request.url, "http://sandbox").searchParams.get("token")) : undefined
    if (failure !== undefined || file === undefined) {
      const f = failure ?? ApiFailure.of(ResourceNotExists, "账单文件不存在或下载链接已失效")
      return signed(f.status, errorBody(f), nowMillis, undefined, BILL_DOWNLOAD_PATH, undefined).response
    }
    return HttpServerResponse.uint8Array(file, { status: 200, contentType: "application/octet-stream" })
  }

  const drop = (request: HttpServerRequest.HttpServerRequest) => {
    // On a Node socket: destroy it, and let the socket's close interrupt this fiber.
    const socket = (request.source as { readonly socket?: { destroy(): void } }).socket
    if (socket !== undefined) {
      socket.destroy()
      return Effect.never
    }
    return Effect.succeed(HttpServerResponse.empty({ status: 500, headers: { [DROP_HEADER]: "1" } }))
  }

  const wechat = (request: HttpServerRequest.HttpServerRequest) =>
    Effect.gen(function*() {
      const body = new Uint8Array(yield* Effect.orElseSucceed(request.arrayBuffer, () => new ArrayBuffer(0)))
      const receivedAt = yield* now
      const auth = parseAuthorization(request.headers["authorization"])
      const path = request.url.split("?")[0]!
      const fault = faults.take(request.method, path)
      const entry = {
        method: request.method,
        url: request.url,
        body: lenientUtf8.decode(body),
        nonce: auth._tag === "Ok" ? auth.nonce_str : undefined,
        timestamp: auth._tag === "Ok" ? auth.timestamp : undefined,
        userAgent: request.headers["user-agent"],
        receivedAt,
        status: undefined as number | undefined,
        requestId: undefined as string | undefined,
        fault: fault?.type
      }
      recorded.push(entry)
      if (recorded.length > config.maxRecordedRequests) recorded.splice(0, recorded.length - config.maxRecordedRequests)

      // refunds whose time has come complete before anything else is answered
      yield* emit(payments.advance(receivedAt))
      if (path === BILL_DOWNLOAD_PATH && fault === undefined) {
        const out = billDownload(request, body, receivedAt)
        entry.status = out.status
        return out
      }

      const plan = fault === undefined ? {} : planOf(fault)
      if (plan.delayMillis !== undefined) yield* Effect.sleep(Duration.millis(plan.delayMillis))
      if (plan.drop === "before") return yield* drop(request)
      const answer: { status: number; body: string; file?: AnsweredFile } = plan.replace ?? (yield* handle(request, body, receivedAt))
      if (plan.drop === "after") return yield* drop(request)
      if (answer.file !== undefined) {
        // a file, as WeChat Pay sends one: unsigned (a digest elsewhere, or nothing, proves it)
        entry.status = answer.status
        return HttpServerResponse.uint8Array(answer.file.bytes, { status: answer.status, contentType: answer.file.contentType })
      }
      const out = signed(
        answer.status,
        answer.body,
        yield* now,
        plan.tampering,
        path,
        request.headers["wechatpay-serial"]
      )
      entry.status = answer.status
      entry.requestId = out.requestId
      return out.response
    })

  const pay = (outTradeNo: string, options: PayOptions = {}) =>
    Effect.flatMap(now, (at) => {
      const done = payments.pay(outTradeNo, options, at)
      return done instanceof PaymentControlError ? Effect.fail(done) : Effect.as(emit(done.events), done.order)
    })

  const completeRefund = (outRefundNo: string, options: CompleteRefundOptions = {}) =>
    Effect.flatMap(now, (at) => {
      const done = payments.completeRefund(outRefundNo, options, at)
      return done instanceof PaymentControlError ? Effect.fail(done) : Effect.as(emit(done.events), done.refund)
    })

  const startSigningWith = (serialNo: string) => Effect.map(now, (ms) => config.platform.startSigningWith(serialNo, ms))

  const rotateCertificates = (options: RotateOptions = {}) =>
    Effect.gen(function*() {
      const key = yield* config.nextCertificateKey
      const older = config.platform.active()
      const at = yield* now
      const abrupt = options.signNow === true || options.retireOld === true
      const added = config.platform.addCertificate(key, at, abrupt ? at : at + config.certificateLeadMillis)
      if (options.retireOld === true) for (const c of older) config.platform.retire(c.serialNo)
      return added
    })

  /** Starts one callback: its id and fiber, or why it cannot be sent. */
  const start = (eventType: string, resource: unknown, options: NotifyOptions) =>
    Effect.gen(function*() {
      const payload = resource ?? defaultResource(eventType, store.snapshot(), config.merchant.mchid, yield* now)
      if (payload === undefined) return `no default resource for ${eventType}: give one`
      const started = yield* notifier.emit(eventType, payload, options)
      if (started === undefined) return `no notify URL for ${eventType}: set callbacks.notifyUrl, or give one`
      return started
    })

  const notify = (eventType: string, resource?: unknown, options: NotifyOptions = {}) =>
    Effect.gen(function*() {
      const started = yield* start(eventType, resource, options)
      if (typeof started === "string") return yield* Effect.dieMessage(`wechatpay sandbox: ${started}`)
      yield* started.fiber.await
      return started.delivery()
    })

  const controls = controlApp({
    payments,
    store,
    faults,
    platform: config.platform,
    notifier,
    requests: () => recorded,
    reset,
    pay,
    completeRefund,
    rotateCertificates,
    startSigningWith,
    startNotify: (eventType, resource, options) => Effect.map(start(eventType, resource, options), (s) => (typeof s === "string" ? s : { id: s.id }))
  }, Effect.flatMap(now, (at) => emit(payments.advance(at))))

  const app: HttpApp.Default = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    request.url.startsWith(`${CONTROL_PREFIX}/`) ? controls : wechat(request))

  return {
    app,
    store,
    payments,
    pay,
    completeRefund,
    faults,
    platform: config.platform,
    notifier,
    rotateCertificates,
    startSigningWith,
    notify,
    seed: (data) => store.seed(data),
    reset,
    requests: () => structuredClone(recorded)
  }
}
