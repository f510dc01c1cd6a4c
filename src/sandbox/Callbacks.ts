/**
 * Callbacks (notifications) as WeChat Pay sends them: the resource AEAD-encrypted with the APIv3
 * key, the envelope signed like an answer (`Wechatpay-*` headers, with the key that signs now),
 * POSTed with `fetch` to a notify URL; retried a few times on a non-2xx or no answer, in sandbox
 * time (the Effect `Clock`), and every attempt recorded. Deliveries run in their own fibers: they
 * never hold up the answer to the request that triggered them.
 */
import * as crypto from "node:crypto"
import { Duration, Effect, Fiber } from "effect"
import { eventTypeFacts, knownEventTypes } from "../notifications/events.js"
import { aeadEncrypt, randomNonce } from "../signing/crypto.js"
import { beijingTime } from "./Platform.js"
import { type ResponseSigner, signatureTamperings } from "./Protocol.js"
import type { SandboxState } from "./State.js"

/** How a callback is to be spoiled: a body changed after signing, or any of the signature tamperings. */
export const callbackTamperings = {
  "tampered-body": "the body changed after signing",
  ...signatureTamperings
} as const

export type CallbackTampering = keyof typeof callbackTamperings

export const callbackTamperingKinds = Object.keys(callbackTamperings) as ReadonlyArray<CallbackTampering>

export interface NotifyOptions {
  /** Where to POST. Default: the busifavor URL for `COUPON.SEND`, else `callbacks.notifyUrl`. */
  readonly url?: string | undefined
  /** The notification `id`. Default: a new one. Reusing one is WeChat Pay sending it again. */
  readonly id?: string | undefined
  readonly tampering?: CallbackTampering | undefined
  readonly summary?: string | undefined
}

export interface DeliveryAttempt {
  /** Sandbox clock, ms. */
  readonly at: number
  /** The merchant's status; `undefined` when no answer came (refused, reset, timeout). */
  readonly status: number | undefined
  readonly error?: string
}

export interface Delivery {
  readonly id: string
  readonly eventType: string
  readonly url: string
  readonly tampering: CallbackTampering | "replay" | undefined
  /** The decrypted resource. */
  readonly resource: unknown
  /** The body of the last attempt, exactly as sent. */
  readonly body: string
  /** The headers of the last attempt, exactly as sent. */
  readonly headers: Readonly<Record<string, string>>
  readonly attempts: ReadonlyArray<DeliveryAttempt>
  /** `delivered`: a 2xx came back; `failed`: every attempt was refused or unanswered. */
  readonly state: "pending" | "delivered" | "failed"
}

export interface NotifierConfig {
  readonly apiV3Key: string
  readonly signer: ResponseSigner
  /** The sandbox clock, ms. */
  readonly now: Effect.Effect<number>
  /** Waits before each retry. */
  readonly retryDelays: ReadonlyArray<Duration.DurationInput>
  /** Per attempt. */
  readonly timeout: Duration.DurationInput
  readonly notifyUrl: string | undefined
  readonly busifavorNotifyUrl: string | undefined
  readonly maxRecorded: number
}

/**
 * The envelope facts of an event type (src/notifications/events.ts declares them once); another
 * type of a known family (`REFUND.SOMETHING_NEW`) borrows its family's original_type.
 */
const envelopeOf = (eventType: string): { readonly summary: string; readonly originalType: string } => {
  const known = eventTypeFacts(eventType)
  if (known !== undefined) return known
  const family = eventType.split(".")[0] + "."
  const sibling = knownEventTypes.find((t) => t.startsWith(family))
  return { summary: "通知", originalType: sibling === undefined ? "transaction" : eventTypeFacts(sibling)!.originalType }
}

/** `EV-` and 19 digits, like the ids in WeChat Pay's examples. */
const notificationId = () => "EV-" + Array.from(crypto.randomBytes(19), (b) => String(b % 10)).join("")

/**
 * A plausible resource for a known event type, from the sandbox's entities (the first discount
 * card, the first member card code); `undefined` for other types (give the resource yourself).
 */
export const defaultResource = (eventType: string, state: SandboxState, mchid: string, nowMillis: number): unknown => {
  const now = beijingTime(nowMillis)
  if (eventType.startsWith("DISCOUNT_CARD.")) {
    const card = Object.values(state.discountCards)[0]
    return {
      appid: "wxd678efh567hg6787",
      mchid,
      openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
      out_card_code: card?.out_card_code ?? "6e8369071cd942c0476613f9d1ce9ca3",
      card_template_id: card?.card_template_id ?? "87789b2f25177433bcbf407e8e471f95",
      card_id: "20190506123456789",
      create_time: now,
      state: eventType === "DISCOUNT_CARD.USER_ACCEPTED" ? "ONGOING" : eventType === "DISCOUNT_CARD.USER_PAID" ? "SETTLING" : "FINISHED",
      ...(eventType === "DISCOUNT_CARD.USER_PAID" ? { total_amount: 100 } : {}),
      time_range: { begin_time: now, end_time: beijingTime(nowMillis + 30 * 86_400_000) }
    }
  }
  if (eventType.startsWith("MEMBERCARD.")) {
    const card = Object.values(state.memberCards).find((c) => Object.keys(c.codes).length > 0)
    const code = card !== undefined ? Object.values(card.codes)[0] : undefined
    return {
      event_type: eventType === "MEMBERCARD.ACCEPT_CARD" ? "ACCEPT_CARD" : eventType === "MEMBERCARD.ACTIVATE_CARD" ? "ACTIVATE_CARD" : "USERCARD_MANAGE",
      card_id: card?.card_id ?? "pbLatjvWOibDc5-TBnbUk1pD12o0",
      code: code?.code ?? "478515832665",
      event_time: now,
      openid: code?.openid ?? "obLatjjwDolFjRRd3doGIdwNWRZo"
    }
  }
  if (eventType === "COUPON.SEND") {
    const card = Object.values(state.consumptionCards)[0]
    return {
      event_type: "EVENT_TYPE_BUSICOUPON_SEND",
      coupon_code: "123446565767",
      stock_id: card?.card_id ?? "1002323",
      send_time: now,
      openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
      send_channel: "BUSICOUPON_SEND_CHANNEL_API",
      send_merchant: mchid
    }
  }
  return undefined
}

interface MutableDelivery {
  id: string
  eventType: string
  url: string
  tampering: CallbackTampering | "replay" | undefined
  resource: unknown
  body: string
  headers: Record<string, string>
  attempts: Array<DeliveryAttempt>
  state: "pending" | "delivered" | "failed"
}

const copy = (r: MutableDelivery): Delivery => structuredClone(r)

/** A callback on its way: the fiber delivering it, and its own record (not another delivery of the same id). */
export interface Started {
  readonly id: string
  readonly fiber: Fiber.RuntimeFiber<void>
  readonly delivery: () => Delivery
}

export class Notifier {
  private recorded: Array<MutableDelivery> = []
  private inFlight = new Set<Fiber.RuntimeFiber<void>>()
  private spoiled: Array<CallbackTampering> = []
  busifavorNotifyUrl: string | undefined
  notifyUrl: string | undefined

  constructor(private readonly config: NotifierConfig) {
    this.busifavorNotifyUrl = config.busifavorNotifyUrl
    this.notifyUrl = config.notifyUrl
  }

  /** The URL an event type goes to unless the caller names one. */
  urlFor(eventType: string): string | undefined {
    return eventType.startsWith("COUPON.") ? this.busifavorNotifyUrl ?? this.notifyUrl : this.notifyUrl
  }

  /** The next `n` callbacks (whatever triggers them) are spoiled this way. */
  spoilNext(tampering: CallbackTampering, n = 1): void {
    for (let i = 0; i < n; i++) this.spoiled.push(tampering)
  }

  deliveries(): ReadonlyArray<Delivery> {
    return this.recorded.map(copy)
  }

  clear(): void {
    this.recorded = []
    this.spoiled = []
    this.busifavorNotifyUrl = this.config.busifavorNotifyUrl
    this.notifyUrl = this.config.notifyUrl
  }

  /** Waits until no delivery is in flight (those started meanwhile included). */
  readonly settled: Effect.Effect<void> = Effect.suspend(() =>
    this.inFlight.size === 0 ? Effect.void : Effect.zipRight(Fiber.awaitAll([...this.inFlight]), this.settled)
  )

  readonly interruptAll: Effect.Effect<void> = Effect.suspend(() => Fiber.interruptAll([...this.inFlight]))

  /**
   * Builds, signs and starts delivering one callback in a fiber of its own; answers the record at
   * once (state `pending`) and the fiber that completes it. `undefined` when there is no URL.
   */
  emit(eventType: string, resource: unknown, options: NotifyOptions = {}): Effect.Effect<Started | undefined> {
    return Effect.gen(this, function*() {
      const url = options.url ?? this.urlFor(eventType)
      if (url === undefined) return undefined
      const nowMillis = yield* this.config.now
      const { originalType, summary } = envelopeOf(eventType)
      const nonce = randomNonce().slice(0, 12)
      const envelope = {
        id: options.id ?? notificationId(),
        create_time: beijingTime(nowMillis),
        resource_type: "encrypt-resource",
        event_type: eventType,
        summary: options.summary ?? summary,
        resource: {
          original_type: originalType,
          algorithm: "AEAD_AES_256_GCM",
          ciphertext: aeadEncrypt({ key: this.config.apiV3Key, nonce, associatedData: originalType, plaintext: JSON.stringify(resource) }),
          associated_data: originalType,
          nonce
        }
      }
      const record: MutableDelivery = {
        id: envelope.id,
        eventType,
        url,
        tampering: options.tampering ?? this.spoiled.shift(),
        resource,
        body: JSON.stringify(envelope),
        headers: {},
        attempts: [],
        state: "pending"
      }
      this.push(record)
      const fiber = yield* this.deliver(record, record.body, undefined)
      return { id: record.id, fiber, delivery: () => copy(record) }
    })
  }

  /**
   * Posts the last attempt of `id` again, byte for byte (same timestamp, nonce and signature):
   * a replayed callback, as an attacker who captured one would send it.
   */
  replay(id: string): Effect.Effect<Started | undefined> {
    const original = [...this.recorded].reverse().find((r) => r.id === id && r.attempts.length > 0)
    if (original === undefined) return Effect.succeed(undefined)
    const record: MutableDelivery = { ...original, tampering: "replay", attempts: [], state: "pending", headers: { ...original.headers } }
    this.push(record)
    return Effect.map(this.deliver(record, original.body, original.headers), (fiber) => ({ id, fiber, delivery: () => copy(record) }))
  }

  private push(record: MutableDelivery): void {
    this.recorded.push(record)
    if (this.recorded.length > this.config.maxRecorded) this.recorded.splice(0, this.recorded.length - this.config.maxRecorded)
  }

  /** Signs each attempt afresh (unless `fixed` headers are given) and retries on non-2xx. */
  private deliver(record: MutableDelivery, body: string, fixed: Record<string, string> | undefined): Effect.Effect<Fiber.RuntimeFiber<void>> {
    const { config } = this
    const delays = fixed !== undefined ? [] : config.retryDelays
    const attempt = Effect.gen(function*() {
      const nowMillis = yield* config.now
      let headers: Record<string, string>
      let sent = body
      if (fixed !== undefined) {
        headers = fixed
      } else {
        const tampering = record.tampering === "tampered-body" ? undefined : record.tampering === "replay" ? undefined : record.tampering
        headers = {
          "content-type": "application/json",
          "user-agent": "Mozilla/4.0 (effect-wechatpay sandbox)",
          ...config.signer.freshHeaders(body, Math.floor(nowMillis / 1000), tampering)
        }
        // Signed over the real body, then changed in transit.
        if (record.tampering === "tampered-body") sent = body.replace(/"summary":"/, `"summary":"(tampered) `)
      }
      record.body = sent
      record.headers = headers
      const outcome = yield* Effect.tryPromise({
        try: (signal) =>
          fetch(record.url, { method: "POST", headers, body: sent, signal }).then(async (r) => {
            await r.arrayBuffer().catch(() => undefined)
            return r.status
          }),
        catch: (e) => (e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e))
      }).pipe(
        Effect.timeoutFail({ duration: config.timeout, onTimeout: () => `no answer within ${Duration.format(Duration.decode(config.timeout))}` }),
        Effect.either
      )
      const at = yield* config.now
      if (outcome._tag === "Right") {
        record.attempts.push({ at, status: outcome.right })
        return outcome.right >= 200 && outcome.right < 300
      }
      record.attempts.push({ at, status: undefined, error: outcome.left })
      return false
    })
    const run = Effect.gen(function*() {
      for (let i = 0; ; i++) {
        if (yield* attempt) {
          record.state = "delivered"
          return
        }
        if (i >= delays.length) {
          record.state = "failed"
          return
        }
        yield* Effect.sleep(delays[i]!)
      }
    })
    const inFlight = this.inFlight
    return Effect.gen(function*() {
      const fiber = yield* Effect.forkDaemon(run)
      inFlight.add(fiber)
      fiber.addObserver(() => inFlight.delete(fiber))
      return fiber
    })
  }
}
