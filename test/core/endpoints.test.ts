/**
 * The endpoint shape, checked over every declared endpoint: each declaration is consistent (URL
 * placeholders = path fields, no field in two locations), every input field reaches the wire in
 * its location (nothing is validated and then dropped), schemas are built on the first call and
 * not at import, and a per-endpoint error union maps its extra codes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Effect, Exit, FastCheck, Layer, Schema } from "effect"
import { expectTypeOf } from "vitest"
import {
  Busifavor,
  type CommonError,
  commonErrors,
  DiscountCard,
  Endpoint,
  MembercardOpen,
  OrderNotExist,
  type PipelineError,
  UnknownApiError
} from "../../src/index.js"
import { checkDeclaration, fieldNames, LOCATIONS } from "../../src/internal/pipeline.js"
import { clientLayer } from "../support/client.js"
import { testKeys } from "../support/keys.js"
import { memoryHttp, type Sent } from "../support/memoryClient.js"
import { MCHID } from "../support/constants.js"

const keys = testKeys()

/** Every endpoint the package declares, found by walking the family modules' exports. */
const declared = [DiscountCard, Busifavor, MembercardOpen].flatMap((family) => Object.values(family).filter(Endpoint.isEndpoint))

const notFound = () => ({ status: 404, body: JSON.stringify({ code: "RESOURCE_NOT_EXISTS", message: "none" }) })

/** Where each declared field went, read back from what was sent. */
const onTheWire = (template: string, sent: Sent) => {
  const [path, search = ""] = sent.url.split("?") as [string, string?]
  const names: Array<string> = []
  const pattern = new RegExp("^" + template.replace(/\{([A-Za-z0-9_]+)\}/g, (_, name: string) => {
    names.push(name)
    return "([^/]+)"
  }) + "$")
  const match = pattern.exec(path)
  const params = Object.fromEntries(names.map((n, i) => [n, match === null ? undefined : decodeURIComponent(match[i + 1]!)]))
  return {
    matched: match !== null,
    params,
    query: Object.fromEntries(new URLSearchParams(search)),
    headers: sent.headers,
    body: sent.body === undefined ? undefined : JSON.parse(sent.body) as Record<string, unknown>
  }
}

describe("every declared endpoint", () => {
  it("is found (the four curated endpoints and the busifavor callback pair)", () => {
    expect(declared.map((e) => e.spec.name).sort()).toEqual([
      "Busifavor.getCallbacks",
      "Busifavor.sendConsumptionCard",
      "Busifavor.setCallbacks",
      "DiscountCard.addUserRecords",
      "DiscountCard.updateOrder",
      "MembercardOpen.prepareBonus"
    ])
  })

  for (const endpoint of declared) {
    const { method, name, path } = endpoint.spec
    it(`${name}: its URL placeholders are exactly its path fields, and no field is in two locations`, () => {
      const schemas = endpoint.spec.schemas()
      expect(() => checkDeclaration(name, path, schemas)).not.toThrow()
      const placeholders = [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1])
      expect(schemas.params === undefined ? [] : fieldNames(schemas.params)).toEqual(placeholders)
      if (method === "GET" || method === "DELETE") expect(schemas.body).toBeUndefined()
    })

    it.effect(`${name}: every input field reaches the wire in its location`, () =>
      Effect.gen(function*() {
        const schemas = endpoint.spec.schemas()
        const located = Object.fromEntries(
          LOCATIONS.map((l) => [l, schemas[l] === undefined ? [] : fieldNames(schemas[l]!)!] as const)
        )
        const inputs = FastCheck.sample(Arbitrary.make(Endpoint.inputSchema(endpoint)), { numRuns: 25, seed: 42 })
        for (const input of inputs as Array<Record<string, unknown>>) {
          const http = memoryHttp(notFound)
          yield* Effect.exit(endpoint(input as never).pipe(Effect.provide(clientLayer(keys, "https://wechat.invalid", http.layer))))
          expect(http.sent).toHaveLength(1)
          const sent = http.sent[0]!
          expect(sent.method).toBe(method)
          const wire = onTheWire(path, sent)
          expect(wire.matched).toBe(true)
          for (const field of Object.keys(input)) {
            const value = input[field]
            if (value === undefined) continue
            if (located.params!.includes(field)) expect(wire.params[field]).toBe(String(value))
            else if (located.query!.includes(field)) expect(wire.query[field]).toBe(String(value))
            else if (located.headers!.includes(field)) expect(wire.headers[field.toLowerCase()]).toBe(String(value))
            else if (located.body!.includes(field)) expect(wire.body?.[field]).toEqual(value)
            else throw new Error(`${name}: field ${field} has no location`)
          }
          // and nothing arrives that the input did not hold
          if (wire.body !== undefined) expect(Object.keys(wire.body).every((k) => input[k] !== undefined)).toBe(true)
          expect(Object.keys(wire.query).every((k) => input[k] !== undefined)).toBe(true)
          if (schemas.body === undefined) expect(sent.body).toBeUndefined()
        }
      }))
  }
})

// ---- declarations are read on the first call, not at import ----

interface Lookup {
  readonly out_order_no: string
  readonly mchid: string
}
interface Found {
  readonly out_order_no: string
  readonly trade_state: string
}
type LookupError = CommonError | OrderNotExist

let built = 0
const withOrderNotExist = [...commonErrors, OrderNotExist] as const
/** An endpoint whose page documents one more code than the common set. */
const lookup: Endpoint.Endpoint<Lookup, Found, LookupError> = Endpoint.make({
  name: "Test.lookup",
  method: "GET",
  path: "/v3/test/orders/{out_order_no}",
  schemas: () => {
    built++
    return {
      params: Schema.Struct({ out_order_no: Schema.String }),
      query: Schema.Struct({ mchid: Schema.String }),
      success: Schema.Struct({ out_order_no: Schema.String, trade_state: Schema.String }),
      errors: withOrderNotExist
    }
  }
})

const orderNotExist = () => ({ status: 404, body: JSON.stringify({ code: "ORDER_NOT_EXIST", message: "订单不存在" }) })

describe("Endpoint.make", () => {
  it.effect("builds nothing at declaration; the schemas once, on the first call", () =>
    Effect.gen(function*() {
      expect(built).toBe(0)
      const http = memoryHttp(orderNotExist)
      const layer = clientLayer(keys, "https://wechat.invalid", http.layer)
      yield* Effect.exit(lookup({ out_order_no: "o/1", mchid: MCHID }).pipe(Effect.provide(layer)))
      yield* Effect.exit(lookup({ out_order_no: "o-2", mchid: MCHID }).pipe(Effect.provide(layer)))
      expect(built).toBe(1)
      expect(http.sent.map((s) => s.url)).toEqual([`/v3/test/orders/o%2F1?mchid=${MCHID}`, `/v3/test/orders/o-2?mchid=${MCHID}`])
    }))

  it.effect("a declaration whose placeholders and path fields differ, or with a field in two places, is a defect naming it", () =>
    Effect.gen(function*() {
      const http = memoryHttp(notFound)
      const layer = clientLayer(keys, "https://wechat.invalid", http.layer)
      const misnamed = Endpoint.make<{ id: string }, void, CommonError>({
        name: "Test.misnamed",
        method: "DELETE",
        path: "/v3/test/{order_id}",
        schemas: () => ({ params: Schema.Struct({ id: Schema.String }), success: Endpoint.NoContent, errors: commonErrors })
      })
      const twice = Endpoint.make<{ id: string }, void, CommonError>({
        name: "Test.twice",
        method: "POST",
        path: "/v3/test/{id}",
        schemas: () => ({
          params: Schema.Struct({ id: Schema.String }),
          body: Schema.Struct({ id: Schema.String }),
          success: Endpoint.NoContent,
          errors: commonErrors
        })
      })
      for (const [call, words] of [[misnamed({ id: "1" }), "{order_id}"], [twice({ id: "1" }), "field id is declared in both params and body"]] as const) {
        const exit = yield* Effect.exit(call.pipe(Effect.provide(layer)))
        expect(Exit.isFailure(exit) && exit.cause._tag === "Die").toBe(true)
        if (Exit.isFailure(exit) && exit.cause._tag === "Die") expect(String(exit.cause.defect)).toContain(words)
      }
      expect(http.sent).toHaveLength(0)
    }))
})

describe("a per-endpoint error union", () => {
  it("carries the endpoint's extra code in its type, and catchTags narrows it away", () => {
    expectTypeOf<Endpoint.ErrorOf<typeof lookup>>().toEqualTypeOf<CommonError | OrderNotExist | PipelineError>()
    const _handled = lookup({ out_order_no: "o", mchid: "m" }).pipe(Effect.catchTags({ OrderNotExist: () => Effect.succeed(null) }))
    expectTypeOf<Effect.Effect.Error<typeof _handled>>().toEqualTypeOf<CommonError | PipelineError>()
    // the common-only endpoints do not have it
    expectTypeOf<Extract<Endpoint.ErrorOf<typeof DiscountCard.updateOrder>, OrderNotExist>>().toEqualTypeOf<never>()
  })

  it.effect("the same answer is OrderNotExist where documented and UnknownApiError elsewhere", () =>
    Effect.gen(function*() {
      const http = memoryHttp(orderNotExist)
      const layer = Layer.fresh(clientLayer(keys, "https://wechat.invalid", http.layer))
      const documented = yield* Effect.flip(lookup({ out_order_no: "o", mchid: "m" }).pipe(Effect.provide(layer)))
      expect(documented).toBeInstanceOf(OrderNotExist)
      expect(documented).toMatchObject({ _tag: "OrderNotExist", status: 404, code: "ORDER_NOT_EXIST", message: "订单不存在" })
      const elsewhere = yield* Effect.flip(
        DiscountCard.updateOrder({ out_order_no: "o", rewards: [] , objectives: [{
          objective_serial_no: "s",
          objective_id: 1,
          count: 1,
          performance_time: "2026-01-01T00:00:00+08:00",
          performance_description: "d",
          performance_type: "INCREASE"
        }] }).pipe(Effect.provide(layer))
      )
      expect(elsewhere).toBeInstanceOf(UnknownApiError)
      expect(elsewhere).toMatchObject({ code: "ORDER_NOT_EXIST", status: 404 })
    }))
})
