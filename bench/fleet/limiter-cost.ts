/**
 * `npx tsx bench/fleet/limiter-cost.ts`: what a `RequestLimiter` adds to a call. The same 3,000
 * sequential calls on the in-memory sandbox (cached answer signatures) without a limiter, with an
 * in-memory one that never refuses, and again without, alternating rounds; medians per call.
 */
import { Effect, Layer } from "effect"
import * as WechatPay from "../../src/api/WechatPay.js"
import * as RateLimit from "../../src/fleet/RateLimit.js"
import { Sandbox } from "../../src/sandbox/index.js"

const CALLS = 3_000
const ROUNDS = 5
const plain = Sandbox.layer({ bench: true })
const limited = plain.pipe(Layer.provide(RateLimit.layerMemory({ mchid: "1900000001", merchant: { limit: 1_000_000, window: "1 second" } })))

const round = (layer: typeof plain) =>
  Effect.gen(function*() {
    const call = WechatPay.request({ method: "GET", path: "/v3/fleet/cost" }).pipe(Effect.ignore)
    for (let i = 0; i < 300; i++) yield* call // warm up
    const started = performance.now()
    for (let i = 0; i < CALLS; i++) yield* call
    return ((performance.now() - started) * 1000) / CALLS
  }).pipe(Effect.provide(layer))

const median = (xs: Array<number>) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const results = { none: [] as Array<number>, limiter: [] as Array<number> }
for (let r = 0; r < ROUNDS; r++) {
  results.none.push(await Effect.runPromise(round(plain)))
  results.limiter.push(await Effect.runPromise(round(limited)))
}
console.log(`no limiter        ${median(results.none).toFixed(1)} µs/call (rounds: ${results.none.map((x) => x.toFixed(0)).join(", ")})`)
console.log(`memory limiter    ${median(results.limiter).toFixed(1)} µs/call (rounds: ${results.limiter.map((x) => x.toFixed(0)).join(", ")})`)
