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

/** The annotation on an `OpenEnum`: its documented values (tools read them: the cross-check, docs). */
export const DocumentedValues: unique symbol = Symbol.for("effect-wechatpay/DocumentedValues")

/**
 * An answer's enum: the documented values typed, any other string still accepted (WeChat Pay adds
 * values). `(string & {})` keeps an editor completing the documented ones, and a `switch` over
 * them narrows.
 */
export const OpenEnum = <const Values extends ReadonlyArray<string>>(...values: Values): Schema.Schema<Values[number] | (string & {}), string> =>
  Schema.String.annotations({
    title: values.join(" | "),
    [DocumentedValues]: values,
    // for `Arbitrary.make` (the sandbox's answers, tests): the documented values
    arbitrary: () => (fc) => fc.constantFrom(...values)
  }) as Schema.Schema<Values[number] | (string & {}), string>

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** A calendar date as the bill pages write it, `yyyy-MM-DD` (e.g. `2025-01-31`). */
export const IsoDate = Schema.String.pipe(
  Schema.filter((s) => {
    const m = ISO_DATE.exec(s)
    if (m === null) return "must be a date yyyy-MM-DD, e.g. 2025-01-31"
    const [year, month, day] = m.slice(1).map(Number) as [number, number, number]
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
    const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31
    return (month >= 1 && month <= 12 && day >= 1 && day <= days) || "must be a date yyyy-MM-DD that exists"
  }, {
    identifier: "IsoDate",
    arbitrary: () => (fc) => fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) }).map((ms) => new Date(ms).toISOString().slice(0, 10))
  })
)

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

const isIpv6 = (s: string): boolean => {
  if (!/^[0-9A-Fa-f:.]+$/.test(s) || !s.includes(":")) return false
  try {
    // the URL parser knows IPv6's shapes (::, embedded IPv4); any runtime has it
    return new URL(`http://[${s}]/`).hostname.length > 2
  } catch {
    return false
  }
}

/** An IPv4 or IPv6 address, as the payer_client_ip rows ask. */
export const IpAddress = Schema.String.pipe(
  Schema.filter((s) => IPV4.test(s) || isIpv6(s) || "must be an IPv4 or IPv6 address", {
    identifier: "IpAddress",
    arbitrary: () => (fc) => fc.oneof(fc.ipV4(), fc.ipV6())
  })
)

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "[::1]"])

/**
 * A URL of `min..max` characters: `https` as notify URLs must be (no query string, which the pages
 * forbid, nor a fragment; plain http only on a loopback host, for the sandbox), or `any` http(s) URL.
 */

export const UrlString = (min: number, max: number, scheme: "https" | "any") =>
  BoundedString(min, max).pipe(
    Schema.filter((s) => {
      let url: URL
      try {
        url = new URL(s)
      } catch {
        return "must be a URL"
      }
      if (scheme === "https") {
        // http on a loopback host: only the sandbox can call it back, and WeChat Pay could never reach it anyway
        if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) return "must be an https:// URL"
        if (url.search !== "" || url.hash !== "" || s.includes("?")) return "must not carry a query string"
        return true
      }
      return url.protocol === "https:" || url.protocol === "http:" || "must be an http(s):// URL"
    }, {
      title: scheme === "https" ? "https URL" : "URL",
      arbitrary: () => (fc) =>
        fc.tuple(fc.domain(), fc.array(fc.stringMatching(/^[a-z0-9_-]{1,8}$/), { maxLength: 3 })).map(([host, segments]) =>
          `${scheme === "https" ? "https" : "http"}://${host}/${segments.join("/")}`
        ).filter((s) => characterLength(s) >= min && characterLength(s) <= max)
    })
  )

/** The "one of" rules the pages' prose states (the overlay's `rules`, codegen/overlay/<family>.ts). */
export type FieldRuleKind = "exactlyOne" | "atMostOne" | "atLeastOne" | "together"

/**
 * A rule between fields of one object that a page's prose states ("transaction_id和out_trade_no
 *必须二选一"): `exactlyOne`, `atMostOne`, `atLeastOne` of them, or all or none (`together`).
 * Each field it blames is its own issue, so a `RequestValidationError` names them.
 */
export const FieldRule = (rule: FieldRuleKind, fields: ReadonlyArray<string>) =>
<S extends Schema.Schema.Any>(self: S) => {
  const list = fields.join(", ")
  const message = {
    exactlyOne: `exactly one of ${list} must be given`,
    atMostOne: `at most one of ${list} may be given`,
    atLeastOne: `at least one of ${list} must be given`,
    together: `${list} go together: all or none`
  }[rule]
  return self.pipe(Schema.filter((value) => {
    const given = fields.filter((f) => (value as Record<string, unknown>)[f] !== undefined)
    const ok = rule === "exactlyOne"
      ? given.length === 1
      : rule === "atMostOne"
      ? given.length <= 1
      : rule === "atLeastOne"
      ? given.length >= 1
      : given.length === 0 || given.length === fields.length
    if (ok) return true
    // blame what is there when too many are, else what is missing
    const blamed = (rule === "atMostOne" || (rule === "exactlyOne" && given.length > 1)) ? given : fields.filter((f) => !given.includes(f))
    return blamed.map((f) => ({ path: [f], message }))
  }, { title: message }))
}

/**
 * A value built on its first use and kept: the generated modules' shared object schemas, so
 * that importing a family builds none of them and endpoints that share one build it once.
 */
export const once = <A>(build: () => A): (() => A) => {
  let built = false
  let value: A
  return () => {
    if (!built) {
      value = build()
      built = true
    }
    return value
  }
}
