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
import { Cause, ConfigError, Effect, Either, Exit, Layer, ParseResult, Schema } from "effect"
import * as Endpoint from "../api/Endpoint.js"
import * as WechatPay from "../api/WechatPay.js"
import { global } from "../v3/globalHost.js"
import { hk, v3 } from "../v3/index.js"

/** The chains' roots: `v3`, and the other hosts' `hk` and `global`. */
const roots: Readonly<Record<string, unknown>> = { v3, hk, global }

const USAGE = `usage: wechatpay [--sandbox] <chain> ['<json input>']
       wechatpay --list [prefix | doc page URL | 'METHOD /path']
<chain> as the docs spell it, e.g. v3.pay.transactions.outTradeNo._out_trade_no_.get
--list v3.pay lists v3.pay.* (whole chain segments); a doc URL or 'POST /v3/pay/transactions/jsapi' finds its endpoint.
Credentials (environment): WECHATPAY_MCHID, WECHATPAY_MERCHANT_SERIAL_NUMBER, WECHATPAY_MERCHANT_PRIVATE_KEY,
WECHATPAY_PUBLIC_KEY_ID + WECHATPAY_PUBLIC_KEY or WECHATPAY_PLATFORM_CERTIFICATES, WECHATPAY_APIV3_KEY.
--sandbox runs against an in-process sandbox and needs none of them.
Exit codes: 0 success; 1 WeChat Pay or transport error; 2 usage, configuration or input error.`

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

/** A URL template as a pattern that also matches concrete paths (`{out_trade_no}` is any one segment). */
const templatePattern = (template: string) =>
  new RegExp("^" + template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("[^/]+") + "$")

/** `--list`: by whole chain segments, by doc page URL, or by `METHOD /path`. */
export const matches = (query: string) => {
  const byRoute = /^(GET|POST|PUT|PATCH|DELETE)\s+(\/\S*)$/i.exec(query.trim())
  if (byRoute !== null) {
    const [, method, route] = byRoute
    return (e: Endpoint.Endpoint<unknown, unknown, any>) => e.spec.method === method!.toUpperCase() && (e.spec.path === route || templatePattern(e.spec.path).test(route!))
  }
  if (/^https?:\/\//.test(query)) {
    const page = query.replace(/[?#].*$/, "").replace(/\/$/, "")
    return (e: Endpoint.Endpoint<unknown, unknown, any>) => e.spec.docs !== undefined && e.spec.docs.replace(/[?#].*$/, "").replace(/\/$/, "") === page
  }
  return (e: Endpoint.Endpoint<unknown, unknown, any>) => query === "" || e.spec.name === query || e.spec.name.startsWith(query + ".")
}

const list = (query: string) => {
  const wanted = matches(query)
  let found = 0
  for (const e of Endpoint.collect(roots)) {
    if (!wanted(e)) continue
    found++
    out(`${e.spec.name}\t${e.spec.method} ${e.spec.path}\t${e.spec.summary ?? ""}`)
  }
  if (found === 0) fail(`no endpoint matches ${query}`)
}

/** The environment variables a `ConfigError` names: missing, and invalid with the reason (never a value). */
export const configProblems = (error: ConfigError.ConfigError): Array<string> => {
  switch (error._op) {
    case "And":
    case "Or":
      return [...configProblems(error.left), ...configProblems(error.right)]
    case "MissingData":
      return [error.path.length > 0 ? `missing ${error.path.join("_")}` : error.message]
    case "InvalidData":
      return [`invalid ${error.path.join("_")}${error.message.includes("<redacted>") ? "" : `: ${error.message}`}`]
    case "SourceUnavailable":
    case "Unsupported":
      return [`${error.path.join("_")}: ${error.message}`]
  }
}

/** Every failing field of a flat input, one line each: its path and what was wrong (an encrypted field's value is never shown). */
export const inputProblems = (endpoint: Endpoint.Endpoint<unknown, unknown, any>, input: unknown): Array<string> => {
  const schemas = endpoint.spec.schemas()
  const secret = new Set((endpoint.spec.encrypt ?? []).map((f) => f.split(".").at(-1)!))
  const lines: Array<string> = []
  for (const location of [schemas.params, schemas.query, schemas.headers, schemas.body]) {
    if (location === undefined) continue
    const result = Schema.decodeUnknownEither(location as Schema.Schema<unknown, unknown, never>, { errors: "all" })(input)
    if (Either.isRight(result)) continue
    for (const issue of ParseResult.ArrayFormatter.formatErrorSync(result.left)) {
      const field = issue.path.map(String).join(".") || "(input)"
      const last = String(issue.path.at(-1) ?? "")
      const message = secret.has(last) ? "is not valid (value not shown: an encrypted field)" : issue.message.length > 200 ? issue.message.slice(0, 200) + "…" : issue.message
      lines.push(`  ${field}: ${message.replace(/\s+/g, " ")}`)
    }
  }
  return lines
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
  if (error._tag === "Some" && ConfigError.isConfigError(error.value)) {
    return fail(
      `no usable credentials:\n${configProblems(error.value).map((p) => `  ${p}`).join("\n")}\n` +
        "Set them in the environment (see --help), or add --sandbox to run against the local sandbox."
    )
  }
  if (error._tag === "Some" && (error.value as { _tag?: unknown })._tag === "RequestValidationError") {
    const lines = inputProblems(endpoint, input)
    return fail(`the input for ${chain} is not valid:\n${lines.length > 0 ? lines.join("\n") : `  ${(error.value as { message: string }).message}`}`)
  }
  process.stderr.write(error._tag === "Some" ? JSON.stringify(error.value, null, 2) + "\n" : Cause.pretty(exit.cause) + "\n")
  process.exit(1)
}

main()
