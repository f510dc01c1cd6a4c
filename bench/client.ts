/**
 * One benchmark client in its own process (so CPU and RSS are its own):
 *   node bench/.build/bench/client.js <floor|effect|axios|bare-undici|effect-undici|bare-fetch|effect-fetch> <concurrency> <warmupMs> <measureMs>
 * with the server's credentials JSON in BENCH_CREDENTIALS. Every call is the same
 * `PATCH /v3/discount-card/orders/{out_order_no}` with the response signature verified; the
 * `*-jsapi` pair makes a JSAPI prepay (`POST /v3/pay/transactions/jsapi`, a larger body) instead.
 * Prints one JSON line of measurements.
 */
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as http from "node:http"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { pathToFileURL } from "node:url"

export interface Credentials {
  readonly url: string
  readonly mchid: string
  readonly merchantSerialNumber: string
  readonly merchantPrivateKey: string
  readonly platformPublicKeyId: string
  readonly platformPublicKey: string
}

export interface ClientResult {
  readonly client: string
  readonly concurrency: number
  readonly calls: number
  readonly errors: number
  readonly firstError?: string
  readonly cpuMicros: number
  readonly wallMicros: number
  /** Per-call latencies in µs (sorted), for percentiles across rounds. */
  readonly latencies: ReadonlyArray<number>
  readonly eventLoopDelayP99Micros: number
  readonly peakRssBytes: number
  /** The server's CPU over the window (Linux /proc), when BENCH_SERVER_PID is given. */
  readonly serverCpuMicros?: number
}

/** utime + stime of a process in µs, from /proc (Linux); undefined elsewhere. */
const processCpuMicros = (pid: string | undefined): number | undefined => {
  if (pid === undefined) return undefined
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100 // clock ticks, USER_HZ = 100
  } catch {
    return undefined
  }
}

export const OUT_ORDER_NO = "233bcbf407e87789b8e471f251774f95"
export const ORDER = {
  objectives: [
    {
      objective_serial_no: "123456789",
      objective_id: 123456,
      count: 1,
      performance_time: "2015-05-20T13:29:35+08:00",
      performance_description: "buy a coffee",
      performance_type: "INCREASE"
    }
  ]
} as const

type Call = () => Promise<unknown>

const check = (data: unknown) => {
  if ((data as { out_order_no?: unknown })?.out_order_no !== OUT_ORDER_NO) throw new Error(`unexpected answer: ${JSON.stringify(data)}`)
}

/** A JSAPI prepay body of realistic size: the generated `v3.pay.transactions.jsapi.post` (the sandbox emulates it). */
export const JSAPI = {
  appid: "wxd678efh567hg6787",
  mchid: "1230000109",
  description: "Image形象店-深圳腾大-QQ公仔",
  out_trade_no: "1217752501201407033233368018",
  time_expire: "2018-06-08T10:34:56+08:00",
  attach: "自定义数据说明",
  notify_url: "https://www.weixin.qq.com/wxpay/pay.php",
  goods_tag: "WXG",
  support_fapiao: false,
  amount: { total: 100, currency: "CNY" },
  payer: { openid: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o" },
  detail: {
    cost_price: 608800,
    invoice_id: "微信123",
    goods_detail: [{ merchant_goods_id: "1246464644", wechatpay_goods_id: "1001", goods_name: "iPhoneX 256G", quantity: 1, unit_price: 528800 }]
  },
  scene_info: { payer_client_ip: "14.23.150.211", device_id: "013467007045764", store_info: { id: "0001", name: "腾讯大厦分店", area_code: "440305", address: "广东省深圳市南山区科技中一道10000号" } },
  settle_info: { profit_sharing: false }
} as const

const checkPrepay = (data: unknown) => {
  if (typeof (data as { prepay_id?: unknown })?.prepay_id !== "string") throw new Error(`unexpected answer: ${JSON.stringify(data)}`)
}

/** The floor for one request: only the necessary work, by hand (sign, send, verify, parse). */
const floorCall = (c: Credentials, method: string, path: string, payload: unknown, accept: (data: unknown) => void): Call => {
  const key = crypto.createPrivateKey(c.merchantPrivateKey)
  const pub = crypto.createPublicKey(c.platformPublicKey)
  const agent = new http.Agent({ keepAlive: true })
  const target = new URL(c.url)
  return () => {
    const body = JSON.stringify(payload)
    const timestamp = Math.floor(Date.now() / 1000)
    const nonce = crypto.randomBytes(16).toString("hex")
    const signature = crypto.sign("sha256", Buffer.from(`${method}\n${path}\n${timestamp}\n${nonce}\n${body}\n`), key).toString("base64")
    return new Promise((resolve, reject) => {
      const req = http.request({
        agent,
        hostname: target.hostname,
        port: target.port,
        method,
        path,
        headers: {
          accept: "application/json",
          "content-type": "application/json",
          "user-agent": "floor/1.0",
          authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${c.mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${c.merchantSerialNumber}"`
        }
      }, (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (d: Buffer) => chunks.push(d))
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8")
          const h = res.headers
          const ok = res.statusCode === 200 &&
            h["wechatpay-serial"] === c.platformPublicKeyId &&
            Math.abs(Math.floor(Date.now() / 1000) - Number(h["wechatpay-timestamp"])) <= 300 &&
            crypto.verify(
              "sha256",
              Buffer.from(`${h["wechatpay-timestamp"]}\n${h["wechatpay-nonce"]}\n${text}\n`),
              pub,
              Buffer.from(String(h["wechatpay-signature"]), "base64")
            )
          if (!ok) return reject(new Error(`HTTP ${res.statusCode} or bad signature: ${text.slice(0, 200)}`))
          const data = JSON.parse(text)
          accept(data)
          resolve(data)
        })
        res.on("error", reject)
      })
      req.on("error", reject)
      req.end(body)
    })
  }
}

/** (a) The floor: only the necessary work, by hand. */
const floor = (c: Credentials): Call => floorCall(c, "PATCH", `/v3/discount-card/orders/${OUT_ORDER_NO}`, ORDER, check)

/** effect-wechatpay over its default Node transport, as a runner of effects. */
const effectRunner = async (c: Credentials, signMode = process.env.BENCH_SIGN_MODE) => {
  const { ManagedRuntime, Redacted, Runtime } = await import("effect")
  const { DiscountCard, WechatPay } = await import("../src/index.js")
  const live = WechatPay.layerNode({
    mchid: c.mchid,
    merchantSerialNumber: c.merchantSerialNumber,
    merchantPrivateKey: Redacted.make(c.merchantPrivateKey),
    platform: { publicKeyId: c.platformPublicKeyId, publicKey: c.platformPublicKey },
    baseUrl: c.url,
    backupBaseUrl: null,
    ...(signMode === "sync" || signMode === "threadpool" ? { signMode } : {})
  })
  const runtime = await ManagedRuntime.make(live).runtime()
  return { run: Runtime.runPromise(runtime), DiscountCard }
}

/** (b) effect-wechatpay with its default Node transport (`effect-sync`: signing always inline, an A/B step). */
const effect = async (c: Credentials, signMode?: string): Promise<Call> => {
  const { DiscountCard, run } = await effectRunner(c, signMode)
  const input = { out_order_no: OUT_ORDER_NO, ...ORDER }
  return async () => {
    const data = await run(DiscountCard.updateOrder(input))
    check(data)
    return data
  }
}

/** The `HttpClient` layer a `WechatPay.layer` row or a bare-platform row runs over. */
const httpClientLayer = async (which: "undici" | "fetch") => {
  if (which === "undici") return (await import("@effect/platform-node")).NodeHttpClient.layerUndici
  return (await import("@effect/platform")).FetchHttpClient.layer
}

/** (d) effect-wechatpay over the user's own `HttpClient`: `WechatPay.layer` as the README shows it. */
const effectOver = (which: "undici" | "fetch") => async (c: Credentials): Promise<Call> => {
  const { Layer, ManagedRuntime, Redacted, Runtime } = await import("effect")
  const { DiscountCard, WechatPay } = await import("../src/index.js")
  const live = WechatPay.layer({
    mchid: c.mchid,
    merchantSerialNumber: c.merchantSerialNumber,
    merchantPrivateKey: Redacted.make(c.merchantPrivateKey),
    platform: { publicKeyId: c.platformPublicKeyId, publicKey: c.platformPublicKey },
    baseUrl: c.url,
    backupBaseUrl: null
  }).pipe(Layer.provide(await httpClientLayer(which)))
  const run = Runtime.runPromise(await ManagedRuntime.make(live).runtime())
  const input = { out_order_no: OUT_ORDER_NO, ...ORDER }
  return async () => {
    const data = await run(DiscountCard.updateOrder(input))
    check(data)
    return data
  }
}

/**
 * (e) The bare platform: what `@effect/platform` itself costs on the same layer. The floor's work
 * by hand (pre-parsed keys, no validation, verified by hand), sent through `HttpClient.execute`
 * with the body read by `arrayBuffer`, run as an effect. Our pipeline's cost is the ratio to it.
 */
const bareOver = (which: "undici" | "fetch") => async (c: Credentials): Promise<Call> => {
  const { Effect, ManagedRuntime, Runtime } = await import("effect")
  const { HttpClient, HttpClientRequest } = await import("@effect/platform")
  const runtime = await ManagedRuntime.make(await httpClientLayer(which)).runtime()
  const client = Runtime.runSync(runtime)(HttpClient.HttpClient)
  const run = Runtime.runPromise(runtime)
  const key = crypto.createPrivateKey(c.merchantPrivateKey)
  const pub = crypto.createPublicKey(c.platformPublicKey)
  const path = `/v3/discount-card/orders/${OUT_ORDER_NO}`
  const url = c.url + path
  return () => {
    const body = JSON.stringify(ORDER)
    const timestamp = Math.floor(Date.now() / 1000)
    const nonce = crypto.randomBytes(16).toString("hex")
    const signature = crypto.sign("sha256", Buffer.from(`PATCH\n${path}\n${timestamp}\n${nonce}\n${body}\n`), key).toString("base64")
    const request = HttpClientRequest.bodyText(
      HttpClientRequest.patch(url, {
        headers: {
          accept: "application/json",
          "user-agent": "bare/1.0",
          authorization: `WECHATPAY2-SHA256-RSA2048 mchid="${c.mchid}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${c.merchantSerialNumber}"`
        }
      }),
      body,
      "application/json"
    )
    return run(Effect.flatMap(client.execute(request), (res) =>
      Effect.map(res.arrayBuffer, (bytes) => {
        const text = Buffer.from(bytes).toString("utf8")
        const h = res.headers
        const ok = res.status === 200 &&
          h["wechatpay-serial"] === c.platformPublicKeyId &&
          Math.abs(Math.floor(Date.now() / 1000) - Number(h["wechatpay-timestamp"])) <= 300 &&
          crypto.verify("sha256", Buffer.from(`${h["wechatpay-timestamp"]}\n${h["wechatpay-nonce"]}\n${text}\n`), pub, Buffer.from(String(h["wechatpay-signature"]), "base64"))
        if (!ok) throw new Error(`HTTP ${res.status} or bad signature: ${text.slice(0, 200)}`)
        const data = JSON.parse(text)
        check(data)
        return data
      })))
  }
}

/** A/B step (not in `npm run bench`): the floor's call run as an effect (`Runtime.runPromise` of `Effect.promise`), the cost of the Effect runtime itself. */
const floorEffect = async (c: Credentials): Promise<Call> => {
  const { Effect, Runtime } = await import("effect")
  const call = floor(c)
  const run = Runtime.runPromise(Runtime.defaultRuntime)
  const effect = Effect.promise(call)
  return () => run(effect)
}

/**
 * A/B steps (not in `npm run bench`): `layerNode`'s client without the endpoint pipeline.
 * `effect-attempt`: one sign → send → verify (`WechatPayClient.attempt`); `effect-execute`: the
 * same under `execute` (call state, retry and deadline driver), answering the raw response.
 */
const effectStep = (step: "attempt" | "execute") => async (c: Credentials): Promise<Call> => {
  const { Effect } = await import("effect")
  const { WechatPayClient } = await import("../src/index.js")
  const { run } = await effectRunner(c)
  const client = await run(WechatPayClient.WechatPayClient)
  const request = { method: "PATCH", url: `/v3/discount-card/orders/${OUT_ORDER_NO}`, body: JSON.stringify(ORDER) }
  const effect = step === "attempt" ? client.attempt(request) : client.execute(request, (r) => Effect.succeed(r))
  return async () => {
    const r = await run(effect)
    if (r.status !== 200) throw new Error(`HTTP ${r.status}`)
    return r
  }
}

/** The JSAPI prepay pair: the floor by hand, and the generated endpoint. */
const floorJsapi = (c: Credentials): Call => floorCall(c, "POST", "/v3/pay/transactions/jsapi", JSAPI, checkPrepay)

const effectJsapi = async (c: Credentials): Promise<Call> => {
  const { run } = await effectRunner(c)
  const { pay } = await import("../src/v3/pay.js")
  const prepay = pay.transactions.jsapi.post
  return async () => {
    const data = await run(prepay(JSAPI))
    checkPrepay(data)
    return data
  }
}

/** (c) wechatpay-axios-plugin, the reference Node SDK, in public-key mode. */
const axios = async (c: Credentials): Promise<Call> => {
  const { Wechatpay } = (await import("wechatpay-axios-plugin")).default as unknown as { Wechatpay: new(config: object) => any }
  const wxpay = new Wechatpay({
    mchid: c.mchid,
    serial: c.merchantSerialNumber,
    privateKey: c.merchantPrivateKey,
    certs: { [c.platformPublicKeyId]: c.platformPublicKey },
    baseURL: `${c.url}/`,
    httpAgent: new http.Agent({ keepAlive: true })
  })
  const endpoint = wxpay.v3.discountCard.orders["{out_order_no}"]
  return async () => {
    const { data } = await endpoint.patch(ORDER, { out_order_no: OUT_ORDER_NO })
    check(data)
    return data
  }
}

export const makers: Record<string, (c: Credentials) => Call | Promise<Call>> = {
  floor,
  effect,
  axios,
  "bare-undici": bareOver("undici"),
  "effect-undici": effectOver("undici"),
  "bare-fetch": bareOver("fetch"),
  "effect-fetch": effectOver("fetch"),
  "floor-effect": floorEffect,
  "effect-sync": (c) => effect(c, "sync"),
  "effect-attempt": effectStep("attempt"),
  "effect-execute": effectStep("execute"),
  "floor-jsapi": floorJsapi,
  "effect-jsapi": effectJsapi
}

const main = async () => {
  const [name = "floor", conc = "1", warm = "1500", measure = "5000"] = process.argv.slice(2)
  const credentials = JSON.parse(process.env.BENCH_CREDENTIALS ?? "") as Credentials
  const concurrency = Number(conc)
  const call = await makers[name]!(credentials)
  await call() // fail fast on a wiring error

  let phase: "warmup" | "measure" | "stop" = "warmup"
  let calls = 0
  let errors = 0
  let firstError: string | undefined
  const latencies: Array<number> = []
  const worker = async () => {
    while (phase !== "stop") {
      const t0 = performance.now()
      try {
        await call()
      } catch (e) {
        if (phase === "measure") errors++
        firstError ??= e instanceof Error ? e.message : String(e)
      }
      if (phase === "measure") {
        calls++
        latencies.push((performance.now() - t0) * 1000)
      }
    }
  }
  const workers = Array.from({ length: concurrency }, worker)
  await new Promise((r) => setTimeout(r, Number(warm)))

  const eld = monitorEventLoopDelay({ resolution: 2 })
  phase = "measure"
  eld.enable()
  const server0 = processCpuMicros(process.env.BENCH_SERVER_PID)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await new Promise((r) => setTimeout(r, Number(measure)))
  phase = "stop"
  const wall = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const server1 = processCpuMicros(process.env.BENCH_SERVER_PID)
  eld.disable()
  await Promise.all(workers)

  const result: ClientResult = {
    client: name,
    concurrency,
    calls,
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
    cpuMicros: cpu.user + cpu.system,
    wallMicros: wall * 1000,
    latencies: latencies.sort((a, b) => a - b).map((x) => Math.round(x)),
    eventLoopDelayP99Micros: eld.percentile(99) / 1000,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    ...(server0 !== undefined && server1 !== undefined ? { serverCpuMicros: server1 - server0 } : {})
  }
  process.stdout.write(JSON.stringify(result) + "\n")
  process.exit(0)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`)
    process.exit(1)
  })
}
