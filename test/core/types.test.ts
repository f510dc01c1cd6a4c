/**
 * Type-level contract (checked by `tsc`, part of `npm test`): each endpoint's error channel is
 * exactly its documented WeChat Pay codes plus the pipeline's errors, and `Effect.catchTags` on it
 * type-checks and removes the _handled tags. A few runtime checks pin the tags to the class names.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { expectTypeOf } from "vitest"
import {
  Busifavor,
  commonErrors,
  DiscountCard,
  FrequencyLimited,
  InvalidRequest,
  MembercardOpen,
  NoAuth,
  ParamError,
  RequestValidationError,
  ResourceNotExists,
  ResponseVerificationError,
  ServiceUnavailable,
  SignError,
  SystemError,
  TransportError,
  UnexpectedResponse,
  UnexpectedSuccess,
  UnknownApiError,
  WechatPay
} from "../../src/index.js"
import type { WechatPayClient } from "../../src/api/WechatPayClient.js"
import * as samples from "../support/samples.js"

type Common = ParamError | InvalidRequest | SignError | NoAuth | ResourceNotExists | FrequencyLimited | SystemError | ServiceUnavailable
type Pipeline = RequestValidationError | TransportError | ResponseVerificationError | UnexpectedResponse | UnexpectedSuccess | UnknownApiError

type Call<F> = F extends (input: never) => Effect.Effect<infer A, infer E, infer R> ? Effect.Effect<A, E, R> : never
type ErrorOf<F> = Effect.Effect.Error<Call<F>>

describe("error unions", () => {
  it("each endpoint's error type is exactly its documented codes | the pipeline errors", () => {
    expectTypeOf<ErrorOf<typeof DiscountCard.addUserRecords>>().toEqualTypeOf<Common | Pipeline>()
    expectTypeOf<ErrorOf<typeof DiscountCard.updateOrder>>().toEqualTypeOf<Common | Pipeline>()
    expectTypeOf<ErrorOf<typeof Busifavor.sendConsumptionCard>>().toEqualTypeOf<Common | Pipeline>()
    expectTypeOf<ErrorOf<typeof MembercardOpen.prepareBonus>>().toEqualTypeOf<Common | Pipeline>()
    expectTypeOf<Effect.Effect.Error<ReturnType<typeof WechatPay.request>>>().toEqualTypeOf<Common | Pipeline>()
    expect(commonErrors.map((c) => c._tag)).toEqual([
      "ParamError", "InvalidRequest", "SignError", "NoAuth", "ResourceNotExists", "FrequencyLimited", "SystemError", "ServiceUnavailable"
    ])
  })

  it("success and requirement types", () => {
    expectTypeOf<Effect.Effect.Success<Call<typeof DiscountCard.addUserRecords>>>().toEqualTypeOf<void>()
    expectTypeOf<Effect.Effect.Success<Call<typeof DiscountCard.updateOrder>>>().toEqualTypeOf<{ readonly out_order_no: string; readonly order_id: string }>()
    expectTypeOf<Effect.Effect.Success<Call<typeof Busifavor.sendConsumptionCard>>>().toEqualTypeOf<{ readonly card_code: string }>()
    expectTypeOf<Effect.Effect.Success<Call<typeof MembercardOpen.prepareBonus>>>().toEqualTypeOf<void>()
    expectTypeOf<Effect.Effect.Context<Call<typeof DiscountCard.updateOrder>>>().toEqualTypeOf<WechatPayClient>()
  })

  it("Effect.catchTags type-checks on the union and removes exactly the _handled tags", () => {
    const _handled = DiscountCard.updateOrder(samples.updateOrder).pipe(
      Effect.catchTags({
        SignError: (e) => Effect.succeed(`sign: ${e.code}` as const),
        NoAuth: (e) => Effect.succeed(e.status),
        FrequencyLimited: () => Effect.succeed(null)
      })
    )
    expectTypeOf<Effect.Effect.Error<typeof _handled>>().toEqualTypeOf<Exclude<Common | Pipeline, SignError | NoAuth | FrequencyLimited>>()
    expectTypeOf<Effect.Effect.Success<typeof _handled>>().toEqualTypeOf<
      { readonly out_order_no: string; readonly order_id: string } | `sign: ${string}` | number | null
    >()

    const _all = MembercardOpen.prepareBonus(samples.prepareBonus).pipe(
      Effect.catchTags({
        ParamError: () => Effect.void,
        InvalidRequest: () => Effect.void,
        SignError: () => Effect.void,
        NoAuth: () => Effect.void,
        ResourceNotExists: () => Effect.void,
        FrequencyLimited: () => Effect.void,
        SystemError: () => Effect.void,
        ServiceUnavailable: () => Effect.void,
        RequestValidationError: () => Effect.void,
        TransportError: () => Effect.void,
        ResponseVerificationError: (e) => Effect.succeed(e.reason),
        UnexpectedResponse: () => Effect.void,
        UnexpectedSuccess: (e) => Effect.succeed(e.body),
        UnknownApiError: () => Effect.void
      })
    )
    expectTypeOf<Effect.Effect.Error<typeof _all>>().toEqualTypeOf<never>()

    // a tag the endpoint cannot produce is refused
    Busifavor.sendConsumptionCard(samples.sendConsumptionCard).pipe(
      // @ts-expect-error OrderNotExist is not in this endpoint's error union
      Effect.catchTags({ OrderNotExist: () => Effect.void })
    )
    // the reasons of a verification failure are a closed set
    expectTypeOf<ResponseVerificationError["reason"]>().toEqualTypeOf<
      "MissingHeaders" | "MalformedHeaders" | "StaleTimestamp" | "UnknownSerial" | "BadSignature" | "SignatureProbe"
    >()
  })

  it("every error's _tag is its class name, and the API errors carry status/code/message/detail/requestId", () => {
    const fields = { status: 401, code: "SIGN_ERROR", message: "m", detail: { a: 1 }, requestId: "r" }
    for (const cls of [...commonErrors, UnknownApiError]) {
      const e = new cls(fields)
      expect(e._tag).toBe(cls.name)
      expect(e).toBeInstanceOf(Error)
      expect([e.status, e.code, e.message, e.detail, e.requestId]).toEqual([401, "SIGN_ERROR", "m", { a: 1 }, "r"])
    }
    expectTypeOf<SignError["detail"]>().toEqualTypeOf<unknown>()
    expectTypeOf<SignError["requestId"]>().toEqualTypeOf<string | undefined>()
    expect(new RequestValidationError({ endpoint: "e", message: "m" })._tag).toBe("RequestValidationError")
    expect(new TransportError({ reason: "Connect", message: "m" })._tag).toBe("TransportError")
    expect(new ResponseVerificationError({ reason: "BadSignature", message: "m" })._tag).toBe("ResponseVerificationError")
    expect(new UnexpectedResponse({ status: 200, message: "m" })._tag).toBe("UnexpectedResponse")
  })
})
