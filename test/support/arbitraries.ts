/**
 * Hand-written fast-check arbitraries for schema-valid inputs of the four endpoints.
 * (`Arbitrary.make` cannot reach `Rfc3339` or pattern filters by rejection sampling.)
 * Strings mix ASCII, CJK, JSON-special and control characters; every value must satisfy its
 * schema, which the property tests also assert.
 */
import * as fc from "fast-check"

const fromCode = (c: number) => String.fromCharCode(c)

/** One BMP character (never a surrogate): 1 code point = 1 UTF-16 unit = 1..3 UTF-8 bytes. */
export const bmpChar: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map(fromCode), weight: 6 },
  { arbitrary: fc.integer({ min: 0x4e00, max: 0x9fff }).map(fromCode), weight: 3 },
  { arbitrary: fc.constantFrom("\"", "\\", "/", "\n", "\r", "\t", "\u0000", "\u2028", "\u00e9", "\uFEFF", "\uFFFD", "%", "?", "#", "&"), weight: 2 },
  { arbitrary: fc.integer({ min: 0x80, max: 0xd7ff }).map(fromCode), weight: 1 },
  { arbitrary: fc.integer({ min: 0xe000, max: 0xffff }).map(fromCode), weight: 1 }
)

export const boundedString = (min: number, max: number, char: fc.Arbitrary<string> = bmpChar): fc.Arbitrary<string> =>
  fc.array(char, { minLength: min, maxLength: max }).map((cs) => cs.join(""))

const ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
export const alnum = (min: number, max: number) => boundedString(min, max, fc.constantFrom(...ALNUM))
export const outCardCode = boundedString(1, 32, fc.constantFrom(...ALNUM, "_", "-", "|", "*"))

/** A path parameter: any bounded string but the dot segments the client refuses. */
export const pathParam = (min: number, max: number) => boundedString(min, max).filter((s) => s !== "." && s !== "..")

const pad = (n: number, w: number) => String(n).padStart(w, "0")
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
const daysIn = (y: number, m: number) => [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!

/** Any RFC 3339 date-time with offset (`Z`, `z` or `±hh:mm`) and 0..9 fraction digits. */
export const rfc3339: fc.Arbitrary<string> = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.option(fc.stringMatching(/^[0-9]{1,9}$/), { nil: undefined }),
    offset: fc.oneof(
      fc.constantFrom("Z", "z", "+08:00", "-00:00"),
      fc.record({ sign: fc.constantFrom("+", "-"), h: fc.integer({ min: 0, max: 23 }), m: fc.integer({ min: 0, max: 59 }) }).map(
        ({ h, m, sign }) => `${sign}${pad(h, 2)}:${pad(m, 2)}`
      )
    )
  })
  .map((t) =>
    `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(Math.min(t.day, daysIn(t.year, t.month)), 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${
      pad(t.second, 2)
    }${t.fraction === undefined ? "" : `.${t.fraction}`}${t.offset}`
  )

const changeType = fc.constantFrom("INCREASE" as const, "DECREASE" as const)
const positiveInt = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER })
const anyInt = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER })
const numericId = fc.oneof(fc.nat(), fc.stringMatching(/^[0-9]{1,32}$/))
const opt = <A>(a: fc.Arbitrary<A>) => fc.option(a, { nil: undefined })

/** Drops keys whose value is `undefined` (exactOptionalPropertyTypes: absent, not undefined). */
export const compact = <A extends Record<string, unknown>>(a: A): A =>
  Object.fromEntries(Object.entries(a).filter(([, v]) => v !== undefined)) as A

const rec = <A extends Record<string, fc.Arbitrary<unknown>>>(fields: A) =>
  fc.record(fields).map((r) => compact(r as Record<string, unknown>)) as fc.Arbitrary<{ [K in keyof A]: A[K] extends fc.Arbitrary<infer T> ? T : never }>

export const objectiveCompletionRecord = rec({
  objective_completion_serial_no: boundedString(1, 32),
  objective_id: boundedString(1, 32),
  completion_time: rfc3339,
  completion_type: changeType,
  description: boundedString(1, 20),
  completion_count: positiveInt,
  remark: opt(boundedString(1, 50))
})

export const rewardUsageRecord = rec({
  reward_usage_serial_no: boundedString(1, 32),
  reward_id: boundedString(1, 32),
  usage_time: rfc3339,
  usage_type: changeType,
  description: boundedString(1, 20),
  usage_count: positiveInt,
  amount: positiveInt,
  remark: opt(boundedString(1, 50))
})

export const addUserRecordsInput = rec({
  out_card_code: outCardCode,
  card_template_id: boundedString(1, 64),
  objective_completion_records: opt(fc.array(objectiveCompletionRecord, { maxLength: 1 })),
  reward_usage_records: opt(fc.array(rewardUsageRecord, { maxLength: 3 }))
})

export const orderObjective = rec({
  objective_serial_no: boundedString(1, 32),
  objective_id: numericId,
  count: anyInt,
  performance_time: rfc3339,
  performance_description: boundedString(1, 40),
  performance_type: changeType,
  remark: opt(boundedString(0, 40))
})

export const orderReward = rec({
  reward_serial_no: boundedString(1, 32),
  reward_id: numericId,
  count: anyInt,
  amount: fc.nat(),
  reward_time: rfc3339,
  description: boundedString(1, 40),
  reward_type: changeType,
  remark: opt(boundedString(0, 40))
})

export const updateOrderInput = rec({
  out_order_no: pathParam(1, 64),
  objectives: opt(fc.array(orderObjective, { maxLength: 5 })),
  rewards: opt(fc.array(orderReward, { maxLength: 5 }))
}).filter((r) => (r.objectives?.length ?? 0) + (r.rewards?.length ?? 0) > 0)

export const sendConsumptionCardInput = rec({
  card_id: pathParam(1, 28),
  appid: boundedString(1, 18),
  openid: boundedString(1, 28),
  out_request_no: alnum(1, 32),
  send_time: rfc3339
})

export const prepareBonusInput = rec({
  card_id: pathParam(1, 32),
  code: pathParam(1, 32),
  out_trade_no: boundedString(1, 32),
  mchid: boundedString(1, 32),
  sub_mchid: opt(boundedString(1, 32)),
  bonus_value: positiveInt
})
