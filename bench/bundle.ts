/**
 * What a bundler keeps: three user programs bundled with `esbuild --bundle --minify` (ESM, Node,
 * everything bundled but Node's own modules), from the sources and again from the JavaScript the
 * package ships (scripts/build.ts), which is what a user's bundler reads:
 *   - core: a client (`WechatPay.layerNode`) and the endpoint pipeline every endpoint shares, with a
 *     one-field endpoint declared in the program itself (`Endpoint.make`);
 *   - one endpoint: the same, calling JSAPI 下单 imported alone (`import { transactionsJsapiPost }`);
 *   - its family: the same through the family's chain (`pay.transactions.jsapi.post`);
 *   - whole v3: the same, through the `v3` tree.
 * Reports each bundle's bytes and what the endpoint and the tree add over the core.
 *
 *   npm run bench:bundle              (target: one generated endpoint adds ≤ 10 KB)
 */
import { build } from "esbuild"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { buildInstalled } from "../scripts/build.js"

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wechatpay-bundle-"))

/** The four programs over one layout: `src` with `.ts` files, or a built `dist` with `.js` ones. */
const programsOf = (src: string, ext: string): Record<string, string> => {
  const module = (...parts: Array<string>) => JSON.stringify(path.join(src, ...parts) + ext)
  const client = `
import { Effect, Schema } from "effect"
import { Endpoint, WechatPay } from ${module("index")}
import { commonErrors } from ${module("errors", "index")}
const client = WechatPay.layerNode({ mchid: process.env.MCHID, serialNo: process.env.SERIAL, privateKey: process.env.KEY, platformPublicKey: process.env.PUB, platformPublicKeyId: process.env.PUB_ID, apiV3Key: process.env.V3 })
const own = Endpoint.make({
  name: "own.get", method: "GET", path: "/v3/own/{id}",
  schemas: () => ({ params: Schema.Struct({ id: Schema.String }), success: Schema.Struct({ id: Schema.String }), errors: commonErrors })
})
const core = own({ id: process.argv[3] })
`

  return {
    core: `${client}
Effect.runPromise(Effect.provide(core, client)).then(console.log, console.error)
`,
    "one endpoint": `${client}
import { transactionsJsapiPost } from ${module("v3", "pay")}
Effect.runPromise(Effect.provide(Effect.zip(core, transactionsJsapiPost(JSON.parse(process.argv[2]))), client)).then(console.log, console.error)
`,
    "its family": `${client}
import { pay } from ${module("v3", "pay")}
Effect.runPromise(Effect.provide(Effect.zip(core, pay.transactions.jsapi.post(JSON.parse(process.argv[2]))), client)).then(console.log, console.error)
`,
    "whole v3": `${client}
import { v3 } from ${module("v3", "index")}
Effect.runPromise(Effect.provide(Effect.zip(core, v3.pay.transactions.jsapi.post(JSON.parse(process.argv[2]))), client)).then(console.log, console.error)
`
  }
}

const bytes = async (name: string, code: string): Promise<number> => {
  const entry = path.join(dir, `${name.replace(/\s+/g, "-")}.ts`)
  fs.writeFileSync(entry, code)
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    logLevel: "error",
    // resolve `effect` and the platform packages from this repository
    nodePaths: [path.join(repo, "node_modules")]
  })
  return out.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0)
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`
const report = async (label: string, programs: Record<string, string>) => {
  const sizes: Record<string, number> = {}
  for (const [name, code] of Object.entries(programs)) sizes[name] = await bytes(name, code)
  console.log(label)
  console.log(`  core (client + the endpoint pipeline)         ${kb(sizes["core"]!)}`)
  console.log(`  one endpoint (transactionsJsapiPost alone)   ${kb(sizes["one endpoint"]!)}  adds ${kb(sizes["one endpoint"]! - sizes["core"]!)} (target ≤ 10 KB)`)
  console.log(`  its family's tree (pay.transactions…)        ${kb(sizes["its family"]!)}  adds ${kb(sizes["its family"]! - sizes["core"]!)}`)
  console.log(`  whole v3 tree                                ${kb(sizes["whole v3"]!)}  adds ${kb(sizes["whole v3"]! - sizes["core"]!)}`)
}

await report("from the sources (src/)", programsOf(path.join(repo, "src"), ".ts"))
// as installed: beside the manifest, whose `sideEffects` lets a bundler leave out unused chunks
const installed = path.join(dir, "installed")
await buildInstalled(installed)
await report("from the shipped JavaScript (dist/, as npm run build writes it)", programsOf(path.join(installed, "dist"), ".js"))
fs.rmSync(dir, { recursive: true, force: true })
console.log("(esbuild --bundle --minify, ESM for Node 20, Node built-ins external)")
