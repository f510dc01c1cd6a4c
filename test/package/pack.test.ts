/**
 * The published tarball imports cleanly from a plain Node ESM script and from a CommonJS project
 * (`require()` and `import()`, and `tsc` agrees): `npm pack` (which builds),
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
          `import { busifavor } from "effect-wechatpay/v3/marketing/busifavor"`,
          `if (v3.pay !== pay || typeof pay.transactions.jsapi.post !== "function") throw new Error("v3")`,
          // a split family's product is an entry of its own, the same functions as in the whole tree
          `if (v3.marketing.busifavor !== busifavor || typeof busifavor.stocks.post !== "function") throw new Error("v3 product")`,
          `for (const closedEntry of ["effect-wechatpay/v3/prelude", "effect-wechatpay/v3/marketing/models"]) {`,
          `  let refused = false`,
          `  try { await import(closedEntry) } catch { refused = true }`,
          `  if (!refused) throw new Error(closedEntry + " is open")`,
          `}`,
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

      // the licences travel with the package: ours, and the catalogue's notice for the generated code
      expect(fs.readFileSync(path.join(pkgDir, "LICENSE"), "utf8")).toMatch(/^MIT License/)
      const notices = fs.readFileSync(path.join(pkgDir, "THIRD_PARTY_NOTICES.md"), "utf8")
      expect(notices).toContain("Copyright (c) 2020-present James ZHANG(TheNorthMemory)")
      expect(notices).toContain("4d6325b09af308025ba7677ead284feeea2680ba")

      // a CommonJS project as \`npm init -y\` makes it: require() and import() both load the package,
      // and tsc (nodenext, a .cts file) agrees with what runs
      const cjs = path.join(scratch, "cjs-project")
      fs.mkdirSync(cjs)
      fs.symlinkSync(path.join(scratch, "node_modules"), path.join(cjs, "node_modules"), "dir")
      fs.writeFileSync(path.join(cjs, "package.json"), JSON.stringify({ name: "cjs-project", version: "1.0.0", main: "index.js", type: "commonjs", license: "ISC" }, null, 2))
      const program = [
        `const { WechatPay, Signing } = require("effect-wechatpay")`,
        `const { pay } = require("effect-wechatpay/v3/pay")`,
        `const { Sandbox } = require("effect-wechatpay/sandbox")`,
        `if (typeof WechatPay.layerNode !== "function" || typeof Signing.requestMessage !== "function") throw new Error("require: root")`,
        `if (typeof pay.transactions.jsapi.post !== "function" || typeof Sandbox.layer !== "function") throw new Error("require: subpaths")`,
        `void import("effect-wechatpay").then((esm) => {`,
        `  if (esm.WechatPay !== WechatPay) throw new Error("import() and require() gave different modules")`,
        `  console.log("ok")`,
        `})`
      ].join("\n")
      fs.writeFileSync(path.join(cjs, "index.js"), program)
      expect(execFileSync("node", ["index.js"], { cwd: cjs, encoding: "utf8" }).trim()).toBe("ok")
      fs.writeFileSync(path.join(cjs, "main.cts"), program.replace(/^const \{ (.+) \} = require\((".+")\)$/gm, "import { $1 } from $2"))
      fs.writeFileSync(
        path.join(cjs, "tsconfig.json"),
        JSON.stringify({ compilerOptions: { module: "nodenext", moduleResolution: "nodenext", target: "es2022", strict: true, skipLibCheck: true, noEmit: true, types: [] }, files: ["main.cts"] })
      )
      execFileSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", cjs], { cwd: cjs, encoding: "utf8" })
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true })
    }
    // npm pack builds the whole src (the 6 MB generated v3 included): over 2 min on a busy 2-core machine
  }, 300_000)
})
