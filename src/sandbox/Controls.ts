/**
 * The sandbox's own routes, `/__sandbox/*`: plain JSON, unsigned and unauthenticated (they are not
 * part of WeChat Pay). One `HttpRouter` route per control; an unknown one is a JSON 404.
 */
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, type Either, ParseResult, Schema } from "effect"
import { ParamError } from "../errors/codes.js"
import { type CallbackTampering, callbackTamperingKinds, type Notifier, type NotifyOptions } from "./Callbacks.js"
import { type FaultRegistry, FaultSpec } from "./Faults.js"
import type { CompleteRefundOptions, Order, PaymentControlError, Payments, PayOptions, Refund } from "./Payments.js"
import type { PlatformCertificate, PlatformKeys } from "./Platform.js"
import { SeedData, type Store } from "./State.js"

export const CONTROL_PREFIX = "/__sandbox"

/** What the controls act on: the emulator's parts. */
export interface ControlTarget {
  readonly payments: Payments
  readonly store: Store
  readonly faults: FaultRegistry
  readonly platform: PlatformKeys
  readonly notifier: Notifier
  readonly requests: () => ReadonlyArray<unknown>
  readonly reset: () => void
  readonly pay: (outTradeNo: string, options?: PayOptions) => Effect.Effect<Order, PaymentControlError>
  readonly completeRefund: (outRefundNo: string, options?: CompleteRefundOptions) => Effect.Effect<Refund, PaymentControlError>
  readonly rotateCertificates: (options: { readonly retireOld: boolean; readonly signNow: boolean }) => Effect.Effect<PlatformCertificate>
  readonly startSigningWith: (serialNo: string) => Effect.Effect<boolean>
  /** Starts one callback: its id, or why it cannot be sent. */
  readonly startNotify: (eventType: string, resource: unknown, options: NotifyOptions) => Effect.Effect<{ readonly id: string } | string>
}

const json = (status: number, value: unknown) => HttpServerResponse.text(JSON.stringify(value), { status, contentType: "application/json" })
const noContent = HttpServerResponse.empty({ status: 204 })
const badControl = (message: string) => json(ParamError.status, { code: ParamError.code, message })
const notFound = (message: string) => json(404, { code: "NOT_FOUND", message })

/** The body as JSON (an empty body reads as `{}`), or `undefined` when it is not JSON. */
const readJson = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
  Effect.map(Effect.either(request.text), (t): { readonly value: unknown } | undefined => {
    if (t._tag === "Left") return undefined
    try {
      return { value: JSON.parse(t.right === "" ? "{}" : t.right) as unknown }
    } catch {
      return undefined
    }
  }))

/** A control's JSON object body; `undefined` for anything else, JSON `null` included. */
const readObject = Effect.map(readJson, (body) =>
  body !== undefined && body.value !== null && typeof body.value === "object" && !Array.isArray(body.value)
    ? body.value as Record<string, unknown>
    : undefined)

/** A control taking a JSON object body. */
const withObject = <E, R>(f: (body: Record<string, unknown>) => Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.flatMap(readObject, (body) => (body === undefined ? Effect.succeed(badControl("the body is not a JSON object")) : f(body)))

/** A control taking a body its schema decodes. */
const withDecoded = <A, I>(schema: Schema.Schema<A, I>, f: (value: A) => HttpServerResponse.HttpServerResponse) => {
  const decode = Schema.decodeUnknownEither(schema)
  return Effect.map(readJson, (body) => {
    if (body === undefined) return badControl("the body is not JSON")
    const decoded = decode(body.value)
    return decoded._tag === "Left" ? badControl(ParseResult.TreeFormatter.formatErrorSync(decoded.left)) : f(decoded.right)
  })
}

const param = (name: string) => Effect.map(HttpRouter.params, (p) => p[name] ?? "")

const answered = (done: Either.Either<Order | Refund, PaymentControlError>) =>
  done._tag === "Right" ? json(200, done.right) : json(409, { code: "INVALID_STATE", message: done.left.message })

const serialControl = (f: (serial: string) => Effect.Effect<boolean>) =>
  withObject((body) => {
    const serial = body["serial_no"]
    if (typeof serial !== "string") return Effect.succeed(badControl("give {\"serial_no\": \"…\"}"))
    return Effect.map(f(serial), (ok) => (ok ? noContent : notFound(`no active certificate ${serial}`)))
  })

/** The control routes over `target`; `before` runs ahead of each (the emulator lets due refunds complete). */
export const controlApp = (target: ControlTarget, before: Effect.Effect<void>) => {
  const router = HttpRouter.empty.pipe(
    HttpRouter.post(
      "/transactions/:out_trade_no/pay",
      withObject((body) => {
        const outcome = body["outcome"]
        if (outcome !== undefined && outcome !== "SUCCESS" && outcome !== "PAYERROR") return Effect.succeed(badControl("outcome must be SUCCESS or PAYERROR"))
        const openid = typeof body["openid"] === "string" ? body["openid"] : undefined
        return Effect.flatMap(param("out_trade_no"), (outTradeNo) => Effect.map(Effect.either(target.pay(outTradeNo, { outcome, openid })), answered))
      })
    ),
    HttpRouter.post(
      "/refunds/:out_refund_no/complete",
      withObject((body) => {
        const status = body["status"]
        if (status !== undefined && status !== "SUCCESS" && status !== "ABNORMAL" && status !== "CLOSED") {
          return Effect.succeed(badControl("status must be SUCCESS, ABNORMAL or CLOSED"))
        }
        return Effect.flatMap(param("out_refund_no"), (outRefundNo) => Effect.map(Effect.either(target.completeRefund(outRefundNo, { status })), answered))
      })
    ),
    HttpRouter.get("/payments", Effect.sync(() => json(200, target.payments.snapshot()))),
    HttpRouter.get("/state", Effect.sync(() => json(200, target.store.snapshot()))),
    HttpRouter.get("/requests", Effect.sync(() => json(200, target.requests()))),
    HttpRouter.post("/seed", withDecoded(SeedData, (seed) => {
      target.store.seed(seed)
      return noContent
    })),
    HttpRouter.post("/faults", withDecoded(Schema.Union(FaultSpec, Schema.Array(FaultSpec)), (specs) => {
      for (const s of Array.isArray(specs) ? specs : [specs]) target.faults.add(s as FaultSpec)
      return noContent
    })),
    HttpRouter.del("/faults", Effect.sync(() => {
      target.faults.clear()
      return noContent
    })),
    HttpRouter.get("/certificates", Effect.sync(() => json(200, { mode: target.platform.mode, signingWith: target.platform.signingWith, certificates: target.platform.all() }))),
    HttpRouter.post(
      "/certificates/rotate",
      Effect.suspend(() =>
        target.platform.hasCertificates
          ? withObject((body) => Effect.map(target.rotateCertificates({ retireOld: body["retireOld"] === true, signNow: body["signNow"] === true }), (c) => json(200, c)))
          : Effect.succeed(badControl("the sandbox runs in public-key mode (platform: \"publicKey\"): no certificates to rotate"))
      )
    ),
    HttpRouter.post("/certificates/start-signing", serialControl(target.startSigningWith)),
    HttpRouter.post("/certificates/retire", serialControl((serial) => Effect.sync(() => target.platform.retire(serial)))),
    HttpRouter.post(
      "/signing-key",
      withObject((body) => {
        const use = body["use"]
        if (target.platform.mode !== "both") return Effect.succeed(badControl("only a sandbox in \"both\" mode can switch its signing key"))
        if (use !== "publicKey" && use !== "certificate") return Effect.succeed(badControl("give {\"use\": \"publicKey\" | \"certificate\"}"))
        target.platform.preferSigningWith(use)
        return Effect.succeed(noContent)
      })
    ),
    HttpRouter.get("/deliveries", Effect.sync(() => json(200, target.notifier.deliveries()))),
    HttpRouter.post(
      "/notify",
      withObject((body) => {
        const eventType = body["event_type"]
        if (typeof eventType !== "string") return Effect.succeed(badControl("give {\"event_type\": \"…\", \"resource\"?, \"url\"?, \"id\"?, \"tampering\"?}"))
        const tampering = body["tampering"]
        if (tampering !== undefined && !callbackTamperingKinds.includes(tampering as CallbackTampering)) {
          return Effect.succeed(badControl(`tampering must be one of ${callbackTamperingKinds.join(", ")}`))
        }
        return Effect.map(
          target.startNotify(eventType, body["resource"], {
            url: typeof body["url"] === "string" ? body["url"] : undefined,
            id: typeof body["id"] === "string" ? body["id"] : undefined,
            tampering: tampering as CallbackTampering | undefined
          }),
          (started) => (typeof started === "string" ? badControl(started) : json(202, { id: started.id }))
        )
      })
    ),
    HttpRouter.post("/reset", Effect.sync(() => {
      target.reset()
      return noContent
    })),
    HttpRouter.prefixAll(CONTROL_PREFIX)
  )
  return before.pipe(
    Effect.zipRight(router),
    Effect.catchTag("RouteNotFound", (e) => Effect.succeed(notFound(`no sandbox control route ${e.request.method} ${e.request.url}`)))
  )
}
