/**
 * Property: the sandbox's genuine answers, mutated on the way back (random bytes, flipped bits,
 * removed or duplicated headers, cut bodies, non-numeric timestamps). Nothing is accepted unless
 * its answer is validly signed (checked independently with node:crypto) and schema-valid, and
 * every failure is a typed error: no defect, no interruption.
 */
import { HttpClient, HttpClientResponse } from "@effect/platform"
import { expect, layer } from "@effect/vitest"
import { Context, Effect, Layer, Schedule, Schema } from "effect"
import * as crypto from "node:crypto"
import * as fc from "fast-check"
import { Busifavor, DiscountCard, MembercardOpen, WechatPay } from "../../src/api/index.js"
import type { WechatPayClient } from "../../src/api/WechatPayClient.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { SendConsumptionCardResponse } from "../../src/schemas/busifavor.js"
import { UpdateOrderResponse } from "../../src/schemas/discountCard.js"
import { platform } from "../sandbox/support.js"
import { property } from "../support/property.js"
import { docs, keyOptions, outcomeOf } from "./support.js"

const SIGNED = ["wechatpay-timestamp", "wechatpay-nonce", "wechatpay-signature", "wechatpay-serial"] as const
const HEADERS = [...SIGNED, "request-id", "content-type"] as const

type Mutation =
  | { readonly _tag: "RandomBody"; readonly bytes: Uint8Array }
  | { readonly _tag: "FlipBit"; readonly index: number; readonly bit: number }
  | { readonly _tag: "Cut"; readonly keep: number }
  | { readonly _tag: "Append"; readonly bytes: Uint8Array }
  | { readonly _tag: "RemoveHeader"; readonly name: string }
  | { readonly _tag: "DuplicateHeader"; readonly name: string; readonly value: string | undefined }
  | { readonly _tag: "SetHeader"; readonly name: string; readonly value: string }
  | { readonly _tag: "Many"; readonly mutations: ReadonlyArray<Mutation> }

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 })
const timestampLike = fc.oneof(
  fc.constantFrom("", " ", "abc", "1e9", "-1", "0x10", "99999999999999999999999", "1.5", " 1717214400", "1717214400 ", "NaN", "Infinity"),
  printable
)

const single: fc.Arbitrary<Mutation> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ _tag: "RandomBody" as const, bytes })),
  fc.record({ index: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }).map((r) => ({ _tag: "FlipBit" as const, ...r })),
  fc.nat().map((keep) => ({ _tag: "Cut" as const, keep })),
  fc.uint8Array({ minLength: 1, maxLength: 20 }).map((bytes) => ({ _tag: "Append" as const, bytes })),
  fc.constantFrom(...HEADERS).map((name) => ({ _tag: "RemoveHeader" as const, name })),
  fc.record({ name: fc.constantFrom(...HEADERS), value: fc.option(printable, { nil: undefined }) }).map((r) => ({ _tag: "DuplicateHeader" as const, ...r })),
  fc.record({ name: fc.constant("wechatpay-timestamp"), value: timestampLike }).map((r) => ({ _tag: "SetHeader" as const, ...r })),
  fc.record({ name: fc.constantFrom(...SIGNED), value: printable }).map((r) => ({ _tag: "SetHeader" as const, ...r }))
)
const mutation = fc.oneof(
  { weight: 4, arbitrary: single },
  { weight: 1, arbitrary: fc.array(single, { minLength: 2, maxLength: 4 }).map((mutations) => ({ _tag: "Many" as const, mutations })) }
)

interface Raw {
  status: number
  headers: Array<[string, string]>
  body: Uint8Array
}

const apply = (raw: Raw, m: Mutation): Raw => {
  switch (m._tag) {
    case "RandomBody":
      return { ...raw, body: m.bytes }
    case "FlipBit": {
      if (raw.body.length === 0) return raw
      const body = Uint8Array.from(raw.body)
      body[m.index % body.length]! ^= 1 << m.bit
      return { ...raw, body }
    }
    case "Cut":
      return { ...raw, body: raw.body.slice(0, raw.body.length === 0 ? 0 : m.keep % raw.body.length) }
    case "Append":
      return { ...raw, body: Buffer.concat([raw.body, m.bytes]) }
    case "RemoveHeader":
      return { ...raw, headers: raw.headers.filter(([n]) => n !== m.name) }
    case "DuplicateHeader": {
      const existing = raw.headers.find(([n]) => n === m.name)
      return { ...raw, headers: [...raw.headers, [m.name, m.value ?? existing?.[1] ?? ""]] }
    }
    case "SetHeader":
      return { ...raw, headers: [...raw.headers.filter(([n]) => n !== m.name), [m.name, m.value]] }
    case "Many":
      return m.mutations.reduce(apply, raw)
  }
}

/** What the last call's answer looked like after mutation, as the client received it. */
class Seen extends Context.Tag("test/Seen")<Seen, { current: Mutation; last: { status: number; headers: Headers; body: Uint8Array } | undefined }>() {}

const mutatingLayer = Layer.unwrapEffect(Effect.gen(function*() {
  const sandbox = yield* Sandbox.makeService({ ...keyOptions, seed: true })
  const seen: Context.Tag.Service<Seen> = { current: { _tag: "Many", mutations: [] }, last: undefined }
  const http = HttpClient.make((request) =>
    Effect.gen(function*() {
      const response = yield* sandbox.httpClient.execute(request)
      const original: Raw = {
        status: response.status,
        headers: Object.entries(response.headers).filter(([n]) => n !== "content-length"),
        body: new Uint8Array(yield* response.arrayBuffer)
      }
      const m = apply(original, seen.current)
      const headers = new Headers()
      for (const [n, v] of m.headers) headers.append(n, v)
      const bodyless = m.status === 204 || m.status === 205 || m.status === 304
      seen.last = { status: m.status, headers, body: bodyless ? new Uint8Array(0) : m.body }
      return HttpClientResponse.fromWeb(request, new Response(bodyless ? null : (m.body as BodyInit), { status: m.status, headers }))
    }).pipe(Effect.scoped)
  )
  const client = WechatPay.layer(sandbox.wechatPayOptions({ baseUrl: "http://sandbox.invalid", backupBaseUrl: null, retry: Schedule.stop })).pipe(
    Layer.orDie,
    Layer.provide(Layer.succeed(HttpClient.HttpClient, http))
  )
  return Layer.mergeAll(client, Layer.succeed(Seen, seen), Layer.succeed(Sandbox.Sandbox, sandbox))
}))

/** The answer's signature, checked with plain node:crypto over what the client received. */
const independentlySigned = (a: { status: number; headers: Headers; body: Uint8Array }, publicKeyId: string) => {
  const h = (n: string) => a.headers.get(n)
  const [ts, nonce, sig, serial] = [h("wechatpay-timestamp"), h("wechatpay-nonce"), h("wechatpay-signature"), h("wechatpay-serial")]
  if (ts === null || nonce === null || sig === null || serial !== publicKeyId) return false
  const message = Buffer.concat([Buffer.from(`${ts}\n${nonce}\n`), a.body, Buffer.from("\n")])
  return crypto.verify("RSA-SHA256", message, platform.publicKey, Buffer.from(sig, "base64"))
}

type Call = readonly [string, Effect.Effect<unknown, unknown, WechatPayClient>, Schema.Schema<any, any> | undefined]
const calls: ReadonlyArray<Call> = [
  ["updateOrder", DiscountCard.updateOrder(docs.updateOrder), UpdateOrderResponse],
  ["sendConsumptionCard", Busifavor.sendConsumptionCard({ ...docs.sendConsumptionCard, send_time: "2030-01-01T00:00:00+08:00" }), SendConsumptionCardResponse],
  ["addUserRecords", DiscountCard.addUserRecords(docs.addUserRecords), undefined],
  ["prepareBonus", MembercardOpen.prepareBonus(docs.prepareBonus), undefined]
]

layer(mutatingLayer, { excludeTestServices: true })("mutated answers", (it) => {
  it.effect("nothing is accepted unless validly signed and schema-valid; every failure is typed", () =>
    Effect.gen(function*() {
      const seen = yield* Seen
      const sandbox = yield* Sandbox.Sandbox
      const tally: Record<string, number> = {}
      yield* property(fc.tuple(mutation, fc.integer({ min: 0, max: calls.length - 1 })), ([m, which]) =>
        Effect.gen(function*() {
          const [name, call, schema] = calls[which]!
          seen.current = m
          seen.last = undefined
          const outcome = outcomeOf(yield* Effect.exit(call))
          const key = outcome._tag === "Typed" ? outcome.error._tag : outcome._tag
          tally[key] = (tally[key] ?? 0) + 1
          expect(outcome._tag, `${name}: ${outcome._tag === "Untyped" ? outcome.cause : ""}`).not.toBe("Untyped")
          if (outcome._tag === "Success") {
            const answer = seen.last!
            expect(answer.status >= 200 && answer.status < 300).toBe(true)
            expect(independentlySigned(answer, sandbox.platformPublicKeyId), `${name} accepted an answer that is not validly signed`).toBe(true)
            if (schema !== undefined) {
              const text = new TextDecoder("utf-8", { fatal: true }).decode(answer.body)
              expect(Schema.decodeUnknownSync(schema)(JSON.parse(text))).toEqual(outcome.value)
            } else {
              expect(answer.body.length).toBe(0)
            }
          }
        }), { numRuns: 300 })
      // the mutations did reach the verifier and the decoder
      expect(tally["ResponseVerificationError"]).toBeGreaterThan(50)
      expect(tally["Success"]).toBeGreaterThan(0)
    }))

  it.effect("named cases: duplicated or non-numeric signature headers are typed verification errors", () =>
    Effect.gen(function*() {
      const seen = yield* Seen
      const cases: ReadonlyArray<readonly [Mutation, string]> = [
        [{ _tag: "DuplicateHeader", name: "wechatpay-signature", value: undefined }, "ResponseVerificationError"],
        [{ _tag: "DuplicateHeader", name: "wechatpay-timestamp", value: undefined }, "ResponseVerificationError"],
        [{ _tag: "DuplicateHeader", name: "wechatpay-serial", value: "PUB_KEY_ID_0000" }, "ResponseVerificationError"],
        [{ _tag: "SetHeader", name: "wechatpay-timestamp", value: "1e9" }, "ResponseVerificationError"],
        [{ _tag: "SetHeader", name: "wechatpay-timestamp", value: "abc" }, "ResponseVerificationError"],
        [{ _tag: "Cut", keep: 10 }, "ResponseVerificationError"],
        [{ _tag: "Append", bytes: Uint8Array.of(0xff) }, "ResponseVerificationError"],
        [{ _tag: "RemoveHeader", name: "request-id" }, "Success"],
        [{ _tag: "DuplicateHeader", name: "request-id", value: "X" }, "Success"]
      ]
      for (const [m, expected] of cases) {
        seen.current = m
        const outcome = outcomeOf(yield* Effect.exit(DiscountCard.updateOrder(docs.updateOrder)))
        expect([m, outcome._tag === "Typed" ? outcome.error._tag : outcome._tag]).toEqual([m, expected])
      }
    }))
})
