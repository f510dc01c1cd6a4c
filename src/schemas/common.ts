import { Schema } from "effect"

/** True when `s` has a character outside the Basic Multilingual Plane (4 bytes in UTF-8, e.g. emoji). */
const hasFourByteCharacter = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdfff) return true
  }
  return false
}

/** Length in characters (code points), as the WeChat Pay docs count it. */
export const characterLength = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

/** WeChat Pay rejects 4-byte UTF-8 characters anywhere in a request. */
export const NoFourByteString = Schema.String.pipe(
  Schema.filter((s) => !hasFourByteCharacter(s) || "must not contain 4-byte UTF-8 characters (such as emoji)", {
    identifier: "NoFourByteString"
  })
)

/** A string of `min..max` characters without 4-byte characters. */
export const BoundedString = (min: number, max: number) =>
  NoFourByteString.pipe(
    Schema.filter((s) => {
      const n = characterLength(s)
      return (n >= min && n <= max) || `must be ${min}..${max} characters long, got ${n}`
    }, { title: `string(${min}..${max})` })
  )

/** A bounded string that must also match `pattern` (the pattern is built once, here). */
export const PatternString = (min: number, max: number, pattern: RegExp, description: string) =>
  BoundedString(min, max).pipe(
    Schema.filter((s) => pattern.test(s) || `must match ${description}`, {
      title: description,
      // for `Arbitrary.make` (tests, emulated answers): rejection sampling would rarely hit the pattern
      arbitrary: () => (fc) =>
        fc.stringMatching(pattern)
          .map((s) => [...s].slice(0, max).join(""))
          .filter((s) => characterLength(s) >= min && pattern.test(s) && !hasFourByteCharacter(s))
    })
  )

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|z|[+-](\d{2}):(\d{2}))$/

const isValidRfc3339 = (s: string): boolean => {
  const m = RFC3339.exec(s)
  if (m === null) return false
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  if (month < 1 || month > 12 || day < 1) return false
  // computed, not via Date.UTC, which maps years 0..99 to 1900..1999 (0000-02-29 is a valid date)
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31
  if (day > daysInMonth) return false
  if (hour > 23 || minute > 59 || second > 60) return false
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return false
  return true
}

/**
 * An RFC 3339 date-time with an offset, e.g. `2015-05-20T13:29:35.120+08:00`.
 * It stays the user's string: validated, never reformatted through `Date`, so the signed bytes are theirs.
 */
export const Rfc3339 = Schema.String.pipe(
  Schema.filter((s) => isValidRfc3339(s) || "must be an RFC 3339 date-time with offset, e.g. 2015-05-20T13:29:35+08:00", {
    identifier: "Rfc3339",
    // for `Arbitrary.make`: Beijing time with seconds, as WeChat Pay writes it
    arbitrary: () => (fc) =>
      fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }).map((ms) =>
        new Date(ms + 8 * 3600_000).toISOString().slice(0, 19) + "+08:00"
      )
  })
)

/** Milliseconds since the epoch of a valid `Rfc3339` string. */
export const rfc3339ToMillis = (s: string): number => Date.parse(s)

/** An integer > 0. */
export const PositiveInt = Schema.Int.pipe(Schema.positive(), Schema.annotations({ identifier: "PositiveInt" }))

/** Money in fen (1/100 CNY): a positive integer. */
export const Fen = Schema.Int.pipe(Schema.positive(), Schema.annotations({ identifier: "Fen" }))

/** An integer amount of any sign: used where the docs do not restrict it. */
export const Int = Schema.Int

/** `INCREASE` | `DECREASE`, as the discount-card records spell them. */
export type ChangeType = "INCREASE" | "DECREASE"
export const ChangeType: Schema.Schema<ChangeType> = Schema.Literal("INCREASE", "DECREASE")

/** An id that the docs show as a number and the community description as a numeric string: send what was given. */
export type NumericId = number | string
export const NumericId: Schema.Schema<NumericId> = Schema.Union(
  Schema.Int.pipe(Schema.nonNegative()),
  Schema.String.pipe(Schema.pattern(/^\d{1,32}$/))
)

/** The JSON error body of a non-2xx answer. `detail` is open data: its shape varies by code. */
export const ErrorBody = Schema.Struct({
  code: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.Unknown)
})
export type ErrorBody = typeof ErrorBody.Type
