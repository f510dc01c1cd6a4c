/**
 * The published tarball imports cleanly from a plain Node ESM script: `npm pack` (which builds),
 * unpack into a scratch project that has only the peer dependencies, and import every subpath
 * (the generated `v3` and a family included); `internal/*` stays closed.
 */
import { execFile, execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { describe, expect, it } from "vitest"

const root = path.resolve(import.meta.dirname, "../..")

describe("npm pack", () => {
  it("imports from a plain Node ESM script", async () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ewp-pack-"))
    try {
      // asynchronously: a build this long must not block the worker (vitest's RPC times out after 60 s)
      const { stdout: out } = await promisify(execFile)("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: root, encoding: "utf8" })
      const tarball = path.join(scratch, out.trim().split("\n").pop()!)
      const pkgDir = path.join(scratch, "node_modules", "effect-wechatpay")
      fs.mkdirSync(pkgDir, { recursive: true })
      execFileSync("tar", ["-xzf", tarball, "-C", pkgDir, "--strip-components=1"])
      // peers come from the user's program: link ours in, as a user's install would provide them
      for (const dep of ["effect", "@effect/platform"]) {
        const target = path.join(scratch, "node_modules", dep)
        fs.mkdirSync(path.dirname(target), { recursive: true })
        fs.symlinkSync(path.join(root, "node_modules", dep), target, "dir")
      }
      fs.writeFileSync(path.join(scratch, "package.json"), JSON.stringify({ type: "module" }))
      fs.writeFileSync(
        path.join(scratch, "main.mjs"),
        [
          `import * as ewp from "effect-wechatpay"`,
          `import * as signing from "effect-wechatpay/signing"`,
          `import * as schemas from "effect-wechatpay/schemas"`,
          `import * as api from "effect-wechatpay/api"`,
          `import * as notifications from "effect-wechatpay/notifications"`,
          `import * as sandbox from "effect-wechatpay/sandbox"`,
          `import * as errors from "effect-wechatpay/errors"`,
          `import { v3 } from "effect-wechatpay/v3"`,
          `import { pay } from "effect-wechatpay/v3/pay"`,
          `if (v3.pay !== pay || typeof pay.transactions.jsapi.post !== "function") throw new Error("v3")`,
          `if (typeof errors.OrderNotExist !== "function") throw new Error("errors")`,
          `let closed = false`,
          `try { await import("effect-wechatpay/internal/client.js") } catch { closed = true }`,
          `if (!closed) throw new Error("internal/* is open")`,
          `const names = ["WechatPay", "DiscountCard", "Busifavor", "MembercardOpen", "Signing", "SignError"]`,
          `for (const n of names) if (!(n in ewp)) throw new Error("missing export " + n)`,
          `if (typeof signing.Signing.requestMessage !== "function") throw new Error("signing")`,
          `if (!schemas.Rfc3339 || !api.DiscountCard.updateOrder) throw new Error("subpaths")`,
          `if (typeof notifications.Notifications.parse !== "function" || typeof sandbox.Sandbox.layer !== "function") throw new Error("subpaths")`,
          `console.log("ok")`
        ].join("\n")
      )
      const result = execFileSync("node", ["main.mjs"], { cwd: scratch, encoding: "utf8" })
      expect(result.trim()).toBe("ok")

      // the fleet entries need their optional peers, and only they do (the entries above ran without)
      fs.writeFileSync(path.join(scratch, "fleet.mjs"), `await import("effect-wechatpay/notifications/redis")`)
      expect(() => execFileSync("node", ["fleet.mjs"], { cwd: scratch, encoding: "utf8", stdio: "pipe" })).toThrow(/ioredis/)
      for (const dep of ["ioredis", "@effect/sql", "@effect/experimental"]) {
        const target = path.join(scratch, "node_modules", dep)
        fs.mkdirSync(path.dirname(target), { recursive: true })
        fs.symlinkSync(path.join(root, "node_modules", dep), target, "dir")
      }
      fs.writeFileSync(
        path.join(scratch, "fleet.mjs"),
        [
          `import * as RedisDedupStore from "effect-wechatpay/notifications/redis"`,
          `import * as SqlDedupStore from "effect-wechatpay/notifications/sql"`,
          `import * as RedisKeyValueStore from "effect-wechatpay/redis"`,
          `import * as RateLimit from "effect-wechatpay/rate-limit"`,
          `for (const m of [RedisDedupStore, SqlDedupStore, RedisKeyValueStore, RateLimit]) if (typeof m.layer !== "function") throw new Error("fleet")`,
          `console.log("ok")`
        ].join("\n")
      )
      expect(execFileSync("node", ["fleet.mjs"], { cwd: scratch, encoding: "utf8" }).trim()).toBe("ok")
      const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"))
      expect(pkg.peerDependencies.effect).toMatch(/^\^3\./)
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true })
    }
    // npm pack builds the whole src (the 6 MB generated v3 included): over 2 min on a busy 2-core machine
  }, 300_000)
})
