/**
 * The `wechatpay-sandbox` CLI: starts, prints the one JSON line, serves a signed request, and
 * exits cleanly on SIGTERM. Also with a merchant certificate brought by the user.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer, Redacted } from "effect"
import { DiscountCard, WechatPay } from "../../src/api/index.js"
import { selfSignedCertificate } from "../../src/sandbox/selfSignedCertificate.js"
import { docs, merchant } from "./support.js"
import { OTHER_MCHID } from "../support/constants.js"
import { generateKeyPair } from "../support/keys.js"

interface Started {
  readonly child: ChildProcess
  readonly line: Record<string, string | null>
  /** What the CLI has written on stderr so far (its request log). */
  readonly stderr: () => string
}

const start = (args: ReadonlyArray<string>) =>
  Effect.acquireRelease(
    Effect.async<Started, Error>((resume) => {
      // `node --import tsx` rather than `npx tsx`: one process, so SIGTERM reaches the CLI itself
      // (npm exec does not forward it and would leave the server orphaned).
      const child = spawn(process.execPath, ["--import", "tsx", "src/sandbox/cli.ts", ...args], { stdio: ["ignore", "pipe", "pipe"] })
      let out = ""
      let err = ""
      child.stderr!.on("data", (c: Buffer) => (err += c.toString()))
      child.stdout!.on("data", (c: Buffer) => {
        out += c.toString()
        const nl = out.indexOf("\n")
        if (nl >= 0) resume(Effect.succeed({ child, line: JSON.parse(out.slice(0, nl)), stderr: () => err }))
      })
      child.on("exit", (code) => resume(Effect.fail(new Error(`the CLI exited (${code}) before printing: ${err}`))))
    }),
    ({ child }) => Effect.sync(() => child.exitCode === null && child.kill("SIGKILL"))
  )

const stop = (child: ChildProcess) =>
  Effect.async<{ code: number | null; signal: NodeJS.Signals | null }>((resume) => {
    child.once("exit", (code, signal) => resume(Effect.succeed({ code, signal })))
    child.kill("SIGTERM")
  })

const updateThrough = (line: Record<string, string | null>, key: string) =>
  DiscountCard.updateOrder(docs.updateOrder).pipe(
    Effect.provide(
      WechatPay.layer({
        mchid: line.mchid!,
        merchantSerialNumber: line.merchantSerialNumber!,
        merchantPrivateKey: Redacted.make(key),
        platform: { publicKeyId: line.platformPublicKeyId!, publicKey: line.platformPublicKey! },
        baseUrl: line.url!,
        backupBaseUrl: null
      }).pipe(Layer.provide(NodeHttpClient.layerUndici))
    )
  )

describe("wechatpay-sandbox CLI", () => {
  it.scopedLive("prints the JSON line, serves a signed request and logs it on stderr, exits 0 on SIGTERM", () =>
    Effect.gen(function*() {
      const { child, line, stderr } = yield* start(["--port", "0"])
      expect(Object.keys(line)).toEqual(["url", "mchid", "merchantSerialNumber", "merchantPrivateKey", "platformPublicKeyId", "platformPublicKey", "apiV3Key"])
      expect(line.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect(line.apiV3Key).toHaveLength(32)
      const updated = yield* updateThrough(line, line.merchantPrivateKey!)
      expect(updated.order_id).toBe("15646546545165651651")
      // The log line is written when the answer finishes: wait for it rather than race it.
      const logged = /^\S+Z PATCH \/v3\/discount-card\/orders\/\S+ 200 Request-ID (\S+)$/m
      for (let i = 0; i < 50 && !logged.test(stderr()); i++) yield* Effect.sleep("20 millis")
      expect(stderr()).toMatch(logged)
      expect(stderr().match(logged)![1]).not.toBe("-")
      expect(yield* stop(child)).toEqual({ code: 0, signal: null })
    }), 20_000)

  it.scopedLive("--quiet: no request log", () =>
    Effect.gen(function*() {
      const { child, line, stderr } = yield* start(["--port", "0", "--quiet"])
      yield* updateThrough(line, line.merchantPrivateKey!)
      yield* Effect.sleep("100 millis")
      expect(stderr()).toBe("")
      expect((yield* stop(child)).code).toBe(0)
    }), 20_000)

  it.scopedLive("accepts the merchant's own certificate and mchid", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wechatpay-sandbox-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      const certificate = path.join(dir, "apiclient_cert.pem")
      fs.writeFileSync(certificate, selfSignedCertificate({
        serialHex: "3775B6A45ACD588826D15E583A95F5DD12345678",
        commonName: OTHER_MCHID,
        notBefore: new Date(Date.now() - 86_400_000),
        notAfter: new Date(Date.now() + 86_400_000),
        privateKey: crypto.createPrivateKey(merchant.privateKey)
      }))
      const { child, line } = yield* start(["--port", "0", "--mchid", OTHER_MCHID, "--merchant-certificate", certificate])
      expect(line).toMatchObject({ mchid: OTHER_MCHID, merchantSerialNumber: "3775B6A45ACD588826D15E583A95F5DD12345678", merchantPrivateKey: null })
      const updated = yield* updateThrough(line, merchant.privateKey)
      expect(updated.out_order_no).toBe(docs.updateOrder.out_order_no)
      // Another key under the same serial is refused.
      const other = generateKeyPair().pkcs8Pem
      expect((yield* Effect.flip(updateThrough(line, other)))._tag).toBe("SignError")
      expect((yield* stop(child)).code).toBe(0)
    }), 20_000)
})
