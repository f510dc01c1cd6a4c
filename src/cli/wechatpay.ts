#!/usr/bin/env node
/**
 * `wechatpay`: any v3 endpoint from the command line, by its docs chain.
 *   wechatpay v3.pay.transactions.outTradeNo._out_trade_no_.get '{"out_trade_no":"…","mchid":"…"}'
 *   wechatpay --sandbox v3.discountCard.orders._out_order_no_.patch '{…}'   # against an in-process sandbox
 *   wechatpay --list [prefix]                                                 # endpoints with their summaries
 * Signs, sends, verifies and prints the decoded answer as JSON. Credentials come from the same
 * environment variables as `WechatPay.layerConfig()` (WECHATPAY_MCHID, …).
 */
import { FetchHttpClient } from "@effect/platform"
import { parseArgs } from "node:util"
import { Cause, Effect, Exit, Layer } from "effect"
import * as Endpoint from "../api/Endpoint.js"
import * as WechatPay from "../api/WechatPay.js"
import { global } from "../v3/globalHost.js"
import { hk, v3 } from "../v3/index.js"

/** The chains' roots: `v3`, and the other hosts' `hk` and `global`. */
const roots: Readonly<Record<string, unknown>> = { v3, hk, global }

const USAGE = `usage: wechatpay [--sandbox] <chain> ['<json input>']
       wechatpay --list [prefix]
<chain> as the docs spell it, e.g. v3.pay.transactions.outTradeNo._out_trade_no_.get
Credentials: WECHATPAY_MCHID, WECHATPAY_MERCHANT_SERIAL_NUMBER, WECHATPAY_MERCHANT_PRIVATE_KEY,
WECHATPAY_PUBLIC_KEY_ID + WECHATPAY_PUBLIC_KEY or WECHATPAY_PLATFORM_CERTIFICATES, WECHATPAY_APIV3_KEY.`

const out = (text: string) => process.stdout.write(text + "\n")
const fail = (message: string, code = 2): never => {
  process.stderr.write(`wechatpay: ${message}\n`)
  process.exit(code)
}

/** The endpoint at `chain`, walking the tree from its root. */
export const lookup = (chain: string): Endpoint.Endpoint<unknown, unknown, any> | undefined => {
  const [root, ...rest] = chain.split(".")
  if (root === undefined || !Object.prototype.hasOwnProperty.call(roots, root)) return undefined
  let node: unknown = roots[root]
  for (const key of rest) {
    if (node === null || (typeof node !== "object" && typeof node !== "function")) return undefined
    node = Object.prototype.hasOwnProperty.call(node, key) ? (node as Record<string, unknown>)[key] : undefined
  }
  return Endpoint.isEndpoint(node) ? node : undefined
}

const list = (prefix: string) => {
  for (const e of Endpoint.collect(roots)) {
    if (!e.spec.name.startsWith(prefix)) continue
    out(`${e.spec.name}\t${e.spec.method} ${e.spec.path}\t${e.spec.summary ?? ""}`)
  }
}

const main = async () => {
  const { positionals, values } = parseArgs({
    args: process.argv.slice(2),
    options: { sandbox: { type: "boolean" }, list: { type: "boolean" }, help: { type: "boolean", short: "h" } },
    allowPositionals: true
  })
  if (values.help === true) return out(USAGE)
  if (values.list === true) return list(positionals[0] ?? "")
  const [chain, json] = positionals
  if (chain === undefined) return fail(USAGE)
  const endpoint = lookup(chain)
  if (endpoint === undefined) return fail(`no endpoint ${chain} (try --list)`)
  let input: unknown = {}
  if (json !== undefined) {
    try {
      input = JSON.parse(json)
    } catch {
      return fail("the input is not JSON")
    }
  }
  const client = values.sandbox === true
    ? Layer.unwrapEffect(Effect.map(Effect.promise(() => import("../sandbox/Sandbox.js")), (S) => S.layer()))
    : WechatPay.layerConfig().pipe(Layer.provide(FetchHttpClient.layer))
  const exit = await Effect.runPromiseExit(endpoint(input).pipe(Effect.provide(client)) as Effect.Effect<unknown, unknown>)
  if (Exit.isSuccess(exit)) return out(JSON.stringify(exit.value ?? null, null, 2))
  const error = Cause.failureOption(exit.cause)
  process.stderr.write(error._tag === "Some" ? JSON.stringify(error.value, null, 2) + "\n" : Cause.pretty(exit.cause) + "\n")
  process.exit(1)
}

main()
