#!/usr/bin/env node
/**
 * `wechatpay-sandbox`: the emulator as a standalone server for clients in any language. Prints one
 * JSON line with the URL and credentials on stdout, logs each answered request on stderr (unless
 * `--quiet`), then serves until SIGINT/SIGTERM.
 */
import { NodeRuntime } from "@effect/platform-node"
import * as fs from "node:fs"
import { parseArgs } from "node:util"
import { Cause, Effect } from "effect"
import { callbackTamperings } from "./Callbacks.js"
import { faultKindDocs } from "./Faults.js"
import * as Sandbox from "./Sandbox.js"

const faultLines = faultKindDocs().map((k) => `  ${k.type.padEnd(26)} ${k.effect.padEnd(7)}${k.answer}`).join("\n")
const tamperingLines = Object.entries(callbackTamperings).map(([kind, what]) => `  ${kind.padEnd(26)} ${what}`).join("\n")

const USAGE = `usage: wechatpay-sandbox [options]

Runs the WeChat Pay API v3 emulator on a socket for clients in any language. It prints one JSON
line on stdout with what a client needs, then serves until SIGINT or SIGTERM:
  {"url","mchid","merchantSerialNumber","merchantPrivateKey","platformPublicKeyId","platformPublicKey","apiV3Key"}
  merchantPrivateKey is null when you bring your own merchant key or certificate; with
  --platform certificates or both the line also has "platformCertificates":[{"serialNo","certificate"}].
Each answered request is logged on stderr, one line: time, method, path, status, Request-ID.

Options:
  --port N                       port to listen on (default 0: any free port; the JSON line has it)
  --host ADDRESS                 address to listen on (default 127.0.0.1; 0.0.0.0 exposes the
                                 sandbox to your network)
  --mchid ID                     the merchant id the sandbox accepts (default 1230000109)
  --merchant-serial HEX          the merchant certificate serial it expects in Authorization
                                 (default: random, or the serial of --merchant-certificate)
  --merchant-public-key FILE     verify requests with your merchant public key (PEM) instead of a
                                 generated key pair; the sandbox then prints no private key
  --merchant-certificate FILE    the same with your merchant API certificate (apiclient_cert.pem):
                                 its public key, and its serial unless --merchant-serial
  --platform MODE                how clients verify the sandbox: publicKey (default; the WeChat Pay
                                 public key, /v3/certificates answers 404), certificates (platform
                                 certificates served at /v3/certificates), or both (migrating)
  --notify-url URL               where DISCOUNT_CARD.* and MEMBERCARD.* callbacks go
                                 (POST /__sandbox/notify sends one); payments and refunds notify
                                 their order's notify_url
  --refund-delay SECONDS         how long a refund stays PROCESSING before it succeeds (default 60)
  --no-seed                      start empty, without the example entities of the WeChat Pay docs
                                 (cards, orders, coupons the docs' examples refer to)
  --bench                        cache answer signatures per (status, body), so a load test
                                 measures your client rather than the sandbox's RSA signing
  --quiet                        no request log on stderr
  -h, --help                     this text

Controls (plain JSON, no signature; not part of WeChat Pay):
  POST /__sandbox/transactions/{out_trade_no}/pay    plays the payer ({"outcome"?: SUCCESS|PAYERROR, "openid"?})
  POST /__sandbox/refunds/{out_refund_no}/complete   ends a refund ({"status"?: SUCCESS|ABNORMAL|CLOSED})
  GET  /__sandbox/payments                           orders and refunds
  GET  /__sandbox/state, /__sandbox/requests         the whole state; the requests received
  POST /__sandbox/seed, /__sandbox/reset             add entities; back to the start
  POST /__sandbox/faults, DELETE /__sandbox/faults   inject errors, delays, bad signatures; clear them
  POST /__sandbox/notify, GET /__sandbox/deliveries  send a signed callback; what was delivered
  GET  /__sandbox/certificates, POST /__sandbox/certificates/{rotate,start-signing,retire},
  POST /__sandbox/signing-key                        platform certificate rotation

Faults (POST /__sandbox/faults {"fault": {"type", …}, "path"?, "method"?, "times"?}):
  type                       effect answer (effect: whether the request's business effect happens)
${faultLines}

Callback tamperings (POST /__sandbox/notify {"event_type", "tampering"?, …}):
${tamperingLines}

Exit codes: 0 stopped by a signal, 1 could not start (busy port, bad key), 2 bad usage.`

const fail = (message: string): never => {
  process.stderr.write(`wechatpay-sandbox: ${message}\n${USAGE}\n`)
  process.exit(2)
}

/** Caps what a client controls in a log line, so a hostile request cannot flood the log. */
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text)

const logAnswer = (answer: Sandbox.AnsweredRequest) =>
  process.stderr.write(
    `${new Date().toISOString()} ${clip(answer.method, 16)} ${clip(answer.target, 200)} ${answer.status} Request-ID ${answer.requestId ?? "-"}\n`
  )

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
        quiet: { type: "boolean" },
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
    refundDelay: `${refundDelay} seconds`,
    ...(values.quiet === true ? {} : { onAnswer: logAnswer })
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
