/**
 * In-process micro-benchmark of the pipeline's own overhead (no network): a transport that answers
 * at once with a pre-signed body. Prints CPU µs per call for the hand-written floor and the client.
 *   npx tsx bench/micro.ts [calls]
 */
import * as crypto from "node:crypto"
import { Effect, Layer, Redacted, Runtime } from "effect"
import { DiscountCard, Signer, Verifier, WechatPayClient } from "../src/index.js"
import * as Client from "../src/internal/client.js"
import type { Transport } from "../src/internal/Transport.js"

const calls = Number(process.argv[2] ?? 3000)
const merchant = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
const platform = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 })
const pem = (k: crypto.KeyObject, type: "pkcs8" | "spki") => k.export({ format: "pem", type }) as string

const body = JSON.stringify({ out_order_no: "order-1", order_id: "1234567890" })
const ts = String(Math.floor(Date.now() / 1000))
const nonce = "0123456789abcdef0123456789abcdef"
const signature = crypto.sign("sha256", Buffer.from(`${ts}\n${nonce}\n${body}\n`), platform.privateKey).toString("base64")
const headers = {
  "content-type": "application/json",
  "wechatpay-timestamp": ts,
  "wechatpay-nonce": nonce,
  "wechatpay-signature": signature,
  "wechatpay-serial": "PUB_KEY_ID_0001",
  "request-id": "req-1"
}
const bytes = Buffer.from(body)
const transport: Transport = { send: () => Effect.succeed({ status: 200, headers, body: bytes }), ...(process.env.UNTIMED ? {} : { enforcesTimeout: true }) } as Transport

const input = {
  out_order_no: "order-1",
  objectives: [{
    objective_serial_no: "s1",
    objective_id: 123456,
    count: 1,
    performance_time: "2024-05-20T13:29:35+08:00",
    performance_description: "bought",
    performance_type: "INCREASE" as const
  }]
}

const mode = (process.env.SIGN_MODE ?? "sync") as "sync" | "threadpool"
const options = {
  mchid: "1900000001",
  merchantSerialNumber: "SERIAL",
  merchantPrivateKey: Redacted.make(pem(merchant.privateKey, "pkcs8")),
  platform: { publicKeyId: "PUB_KEY_ID_0001", publicKey: pem(platform.publicKey, "spki") },
  signMode: mode,
  baseUrl: "http://127.0.0.1:1",
  backupBaseUrl: null
}
const live = Layer.effect(
  WechatPayClient.WechatPayClient,
  Effect.zipWith(
    Signer.make(options),
    Verifier.make(options.platform),
    (signer, verifier) => Client.make(signer, verifier, transport, options)
  )
)

const measure = async (label: string, f: () => Promise<unknown>) => {
  for (let i = 0; i < 300; i++) await f()
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  for (let i = 0; i < calls; i++) await f()
  const c = process.cpuUsage(c0)
  const wall = (performance.now() - t0) * 1000 / calls
  const cpu = (c.user + c.system) / calls
  console.log(`${label.padEnd(28)} cpu ${cpu.toFixed(1).padStart(7)} µs/call  wall ${wall.toFixed(1).padStart(7)} µs/call`)
  return cpu
}

const key = merchant.privateKey
const pub = platform.publicKey
const floor = async () => {
  const text = JSON.stringify({ objectives: input.objectives })
  const n = crypto.randomBytes(16).toString("hex")
  const sig = crypto.sign("sha256", Buffer.from(`PATCH\n/v3/discount-card/orders/order-1\n${ts}\n${n}\n${text}\n`), key).toString("base64")
  if (sig.length === 0) throw new Error()
  const ok = crypto.verify("sha256", Buffer.from(`${ts}\n${nonce}\n${body}\n`), pub, Buffer.from(signature, "base64"))
  if (!ok) throw new Error("verify")
  return JSON.parse(bytes.toString("utf8"))
}

const main = async () => {
  const runtime = await Effect.runPromise(Layer.toRuntime(live).pipe(Effect.scoped))
  const call = DiscountCard.updateOrder(input)
  const run = () => Runtime.runPromise(runtime)(call)
  const out = await run()
  if (out.order_id !== "1234567890") throw new Error("bad")
  if (process.env.ONLY === "attempt") {
    const client = Runtime.runSync(runtime)(WechatPayClient.WechatPayClient)
    const req = { method: "PATCH", url: "/v3/discount-card/orders/order-1", body: JSON.stringify({ objectives: input.objectives }) }
    const rp = Runtime.runPromise(runtime)
    await measure("attempt", () => rp(client.attempt(req)))
    return
  }
  if (process.env.ONLY === "call") {
    await measure("call", run)
    return
  }
  if (process.env.ONLY === "interleave") {
    const client = Runtime.runSync(runtime)(WechatPayClient.WechatPayClient)
    const req = { method: "PATCH", url: "/v3/discount-card/orders/order-1", body: JSON.stringify({ objectives: input.objectives }) }
    const rp = Runtime.runPromise(runtime)
    const fs: Record<string, () => Promise<unknown>> = { floor, attempt: () => rp(client.attempt(req)), execute: () => rp(client.execute(req, (r) => Effect.succeed(r))), call: run }
    const tot: Record<string, number> = {}
    for (let round = 0; round < 6; round++) {
      for (const [k, f] of Object.entries(fs)) {
        for (let i = 0; i < 50; i++) await f()
        const c0 = process.cpuUsage()
        for (let i = 0; i < calls; i++) await f()
        const c = process.cpuUsage(c0)
        tot[k] = (tot[k] ?? 0) + (c.user + c.system) / calls / 6
      }
    }
    for (const [k, v] of Object.entries(tot)) console.log(k.padEnd(10), v.toFixed(1), (v - tot.floor!).toFixed(1))
    return
  }
  const floorCpu = await measure("floor (sync sign)", floor)
  const client = Runtime.runSync(runtime)(WechatPayClient.WechatPayClient)
  const req = { method: "PATCH", url: "/v3/discount-card/orders/order-1", body: JSON.stringify({ objectives: input.objectives }) }
  const rp = Runtime.runPromise(runtime)
  await measure("runPromise(void)", () => rp(Effect.void))
  await measure("attempt", () => rp(client.attempt(req)))
  await measure("execute", () => rp(client.execute(req, (r) => Effect.succeed(r))))
  const c = await measure(`effect-wechatpay (${mode})`, run)
  console.log(`overhead ${(c - floorCpu).toFixed(1)} µs/call, ratio ${(c / floorCpu).toFixed(3)}`)
}
main()
