/**
 * Wire schemas: `Rfc3339` validates and the user's string is sent byte for byte; bounded strings
 * count characters (code points), not UTF-16 units or bytes; 4-byte characters are refused.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as fc from "fast-check"
import { Busifavor, DiscountCard, WechatPay } from "../../src/api/index.js"
import { BoundedString, characterLength, Fen, NoFourByteString, PositiveInt, Rfc3339 } from "../../src/schemas/common.js"
import * as A from "../support/arbitraries.js"
import { clientLayer } from "../support/client.js"
import { testKeys } from "../support/keys.js"
import { memoryHttp } from "../support/memoryClient.js"
import { property } from "../support/property.js"
import * as samples from "../support/samples.js"

const keys = testKeys()
const isRfc3339 = Schema.is(Rfc3339)

/** An independent reading of RFC 3339 date-time (uppercase T; 1..9 fraction digits; leap second 60 allowed). */
const reference = (s: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/.exec(s)
  if (m === null) return false
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
  if (days === undefined || d < 1 || d > days || h > 23 || mi > 59 || se > 60) return false
  return m[7] === undefined || (Number(m[7]) <= 23 && Number(m[8]) <= 59)
}

describe("Rfc3339", () => {
  it("accepts the docs' forms and calendar edge cases", () => {
    for (
      const s of [
        "2015-05-20T13:29:35.120+08:00", "2018-06-08T10:34:56+08:00", "2018-06-08T10:34:56Z", "2018-06-08T10:34:56z",
        "2018-06-08T10:34:56.123456789-05:30", "2016-02-29T00:00:00+08:00", "2000-02-29T00:00:00Z", "0000-02-29T00:00:00Z",
        "0004-02-29T00:00:00Z", "0400-02-29T00:00:00Z", "9999-12-31T23:59:59+23:59", "2016-12-31T23:59:60Z"
      ]
    ) expect([s, isRfc3339(s)]).toEqual([s, true])
  })

  it("rejects non-RFC 3339 strings", () => {
    for (
      const s of [
        "2015-05-20", "2015-05-20T13:29:35", "2015-05-20 13:29:35+08:00", "2015-05-20T13:29:35+0800", "2015-05-20T13:29+08:00",
        "2015-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "0100-02-29T00:00:00Z", "2015-04-31T00:00:00Z", "2015-00-10T00:00:00Z",
        "2015-05-00T00:00:00Z", "2015-05-20T24:00:00Z", "2015-05-20T23:60:00Z", "2015-05-20T23:59:61Z", "2015-05-20T13:29:35+24:00",
        "2015-05-20T13:29:35+08:60", "2015-05-20T13:29:35.Z", "2015-05-20T13:29:35.1234567890Z", "15-05-20T13:29:35Z",
        "2015-5-20T13:29:35Z", "２０１５-05-20T13:29:35Z", "2015-05-20T13:29:35Z ", "\n2015-05-20T13:29:35Z", "", "now"
      ]
    ) expect([s, isRfc3339(s)]).toEqual([s, false])
  })

  it("property: agrees with an independent reading on valid strings and on their one-character mutations", async () => {
    await fc.assert(fc.property(A.rfc3339, (s) => isRfc3339(s) && reference(s)), { numRuns: 2000 })
    const mutated = fc.tuple(A.rfc3339, fc.nat(), fc.constantFrom(..."0123456789TZz+-:. x")).map(([s, i, c]) => {
      const at = i % s.length
      return s.slice(0, at) + c + s.slice(at + 1)
    })
    await fc.assert(fc.property(mutated, (s) => isRfc3339(s) === reference(s)), { numRuns: 3000 })
  })

  it.effect("property: a valid time string is sent byte for byte (never reformatted through Date)", () => {
    const http = memoryHttp()
    return property(fc.tuple(A.rfc3339, A.rfc3339), ([a, b]) =>
      Effect.gen(function*() {
        http.sent.length = 0
        yield* Busifavor.sendConsumptionCard({ ...samples.sendConsumptionCard, send_time: a }).pipe(WechatPay.withoutRetry, Effect.ignore)
        yield* DiscountCard.updateOrder({
          ...samples.updateOrder,
          objectives: [{ ...samples.updateOrder.objectives![0]!, performance_time: a }],
          rewards: [{ ...samples.updateOrder.rewards![0]!, reward_time: b }]
        }).pipe(WechatPay.withoutRetry, Effect.ignore)
        expect(http.sent).toHaveLength(2)
        expect(http.sent[0]!.body).toContain(`"send_time":"${a}"`)
        expect(http.sent[1]!.body).toContain(`"performance_time":"${a}"`)
        expect(http.sent[1]!.body).toContain(`"reward_time":"${b}"`)
      }), { numRuns: 100 }).pipe(Effect.provide(clientLayer(keys, "https://api.mch.weixin.qq.com", http.layer)))
  })
})

describe("BoundedString and 4-byte characters", () => {
  const b = Schema.is(BoundedString(1, 3))

  it("counts characters, not bytes or UTF-16 units", () => {
    expect(b("中文字")).toBe(true) // 3 characters, 9 UTF-8 bytes
    expect(b("中文字符")).toBe(false)
    expect(b("abc")).toBe(true)
    expect(b("")).toBe(false)
    expect(b("e\u0301x")).toBe(true) // a combining mark is its own character
    expect(b("e\u0301xy")).toBe(false)
    expect(characterLength("a😀b")).toBe(3)
  })

  it("refuses 4-byte characters and lone surrogates, even within the length limit", () => {
    for (const s of ["😀", "a😀", "𠀀", "\uD83D", "\uDE00", "a\uD800b"]) {
      expect([s, b(s), Schema.is(NoFourByteString)(s)]).toEqual([s, false, false])
    }
  })

  it("property: any BMP string is valid iff its character count is within bounds", async () => {
    await fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), A.boundedString(0, 60), (min, span, s) => {
        const max = min + span
        return Schema.is(BoundedString(min, max))(s) === (s.length >= min && s.length <= max)
      }),
      { numRuns: 500 }
    )
  })

  it("property: NoFourByteString accepts exactly the strings whose characters all fit in 3 UTF-8 bytes", async () => {
    await fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 20 }), (s) => {
        const expected = [...s].every((c) => Buffer.byteLength(c, "utf8") <= 3 && !/[\uD800-\uDFFF]/.test(c))
        return Schema.is(NoFourByteString)(s) === expected
      }),
      { numRuns: 1000 }
    )
  })

  it("integers: PositiveInt and Fen refuse 0, negatives, fractions, NaN and infinities", () => {
    for (const schema of [PositiveInt, Fen]) {
      const is = Schema.is(schema)
      expect([1, 100, Number.MAX_SAFE_INTEGER].map(is)).toEqual([true, true, true])
      expect([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0].map(is)).toEqual([false, false, false, false, false, false])
    }
  })
})
