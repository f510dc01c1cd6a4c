#!/usr/bin/env node
/**
 * `wechatpay-sandbox`: the emulator as a standalone server for clients in any language. Prints one
 * JSON line with the URL and credentials, then serves until SIGINT/SIGTERM.
 */
import { NodeRuntime } from "@effect/platform-node"
import * as fs from "node:fs"
import { parseArgs } from "node:util"
import { Cause, Effect } from "effect"
import * as Sandbox from "./Sandbox.js"

const USAGE = `usage: wechatpay-sandbox [--port 0] [--host 127.0.0.1] [--mchid 1230000109]
       [--merchant-serial HEX] [--merchant-public-key FILE | --merchant-certificate FILE]
       [--no-seed] [--bench] [--platform publicKey|certificates|both] [--notify-url URL]
       [--refund-delay SECONDS]
Prints {"url","mchid","merchantSerialNumber","merchantPrivateKey","platformPublicKeyId","platformPublicKey","apiV3Key"}
(merchantPrivateKey is null when you bring your own merchant key or certificate), plus
"platformCertificates":[{"serialNo","certificate"}] with --platform certificates or both.
--notify-url: where DISCOUNT_CARD.* and MEMBERCARD.* callbacks go (POST /__sandbox/notify sends one).
--refund-delay: how long a refund stays PROCESSING (default 60). Payments and refunds notify the
order's notify_url; POST /__sandbox/transactions/{out_trade_no}/pay plays the payer,
POST /__sandbox/refunds/{out_refund_no}/complete ends a refund, GET /__sandbox/payments lists both.`

const fail = (message: string): never => {
  process.stderr.write(`wechatpay-sandbox: ${message}\n${USAGE}\n`)
  process.exit(2)
}

const options = (): Sandbox.ServerOptions => {
  let values
  try {
    values = parseArgs({
      args: process.argv.slice(2),
      options: {
        port: { type: "string" },
        host: { type: "string" },
        mchid: { type: "string" },
        "merchant-serial": { type: "string" },
        "merchant-public-key": { type: "string" },
        "merchant-certificate": { type: "string" },
        "no-seed": { type: "boolean" },
        bench: { type: "boolean" },
        platform: { type: "string" },
        "notify-url": { type: "string" },
        "refund-delay": { type: "string" },
        help: { type: "boolean", short: "h" }
      },
      strict: true
    }).values
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e))
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got ${values.port}`)
  const platform = values.platform ?? "publicKey"
  if (platform !== "publicKey" && platform !== "certificates" && platform !== "both") {
    fail(`--platform must be publicKey, certificates or both, got ${platform}`)
  }
  if (values["merchant-public-key"] !== undefined && values["merchant-certificate"] !== undefined) {
    fail("give --merchant-public-key or --merchant-certificate, not both")
  }
  const refundDelay = values["refund-delay"] === undefined ? 60 : Number(values["refund-delay"])
  if (!Number.isFinite(refundDelay) || refundDelay < 0) fail(`--refund-delay must be a number of seconds, got ${values["refund-delay"]}`)
  const read = (flag: string, path: string | undefined) => {
    if (path === undefined) return undefined
    try {
      return fs.readFileSync(path, "utf8")
    } catch (e) {
      return fail(`${flag}: cannot read ${path} (${(e as { code?: string }).code ?? "error"})`)
    }
  }
  return {
    port,
    host: values.host ?? "127.0.0.1",
    mchid: values.mchid,
    merchantSerialNumber: values["merchant-serial"],
    merchantPublicKey: read("--merchant-public-key", values["merchant-public-key"]),
    merchantCertificate: read("--merchant-certificate", values["merchant-certificate"]),
    seed: values["no-seed"] !== true,
    bench: values.bench === true,
    platform: platform as "publicKey" | "certificates" | "both",
    callbacks: { notifyUrl: values["notify-url"] },
    refundDelay: `${refundDelay} seconds`
  }
}

const program = Effect.gen(function*() {
  const server = yield* Sandbox.make(options())
  const certificates = yield* server.certificates
  yield* Effect.sync(() => process.stdout.write(`${Sandbox.credentialsJson(server, certificates)}\n`))
  return yield* Effect.never
}).pipe(
  Effect.scoped,
  // A bad key or a busy port: one readable line, not a stack trace.
  Effect.catchAllDefect((defect) =>
    Effect.sync(() => {
      const cause = (defect as { cause?: unknown }).cause
      const message = defect instanceof Error ? defect.message : String(defect)
      process.stderr.write(`wechatpay-sandbox: ${message}${cause instanceof Error ? `: ${cause.message}` : ""}\n`)
      process.exitCode = 1
    })),
  Effect.tapErrorCause((cause) => Effect.sync(() => process.stderr.write(`${Cause.pretty(cause)}\n`)))
)

NodeRuntime.runMain(program, { disableErrorReporting: true })
