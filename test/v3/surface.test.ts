/**
 * The whole generated v3 surface: every endpoint is reachable by the docs' chain, and an
 * arbitrary schema-valid input goes client → in-memory sandbox (checked with the same schemas,
 * answered with the documented example, signed) → verified → decoded. An invalid input is a
 * RequestValidationError, and nothing is sent.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import { Arbitrary, Effect, FastCheck, Schema } from "effect"
import { Endpoint } from "../../src/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { PAYMENT_OPERATIONS } from "../../codegen/paymentOperations.js"
import { global } from "../../src/v3/globalHost.js"
import { examples } from "../../src/v3/examples/index.js"
import { hk, v3 } from "../../src/v3/index.js"

/**
 * The chain of a URL template and method, by the rule the docs site (wechatpay.js.org) uses: a
 * segment per key, `{x}` as `_x_`, kebab-case as camelCase, the empty segment after a trailing
 * slash as `_empty_` (`/v3/applyment4sub/applyment/` POST is `v3.applyment4sub.applyment._empty_.post`).
 */
const chainOf = (path: string, method: string) =>
  [
    ...path.split("/").slice(1).map((s) =>
      s === "" ? "_empty_" : s.startsWith("{") ? `_${s.slice(1, -1)}_` : s.replace(/-([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase())
    ),
    method.toLowerCase()
  ].join(".")
/** Our own chain for a trailing-slash URL leaves the empty segment out; the docs site's is there too. */
const shortChainOf = (path: string, method: string) => chainOf(path.replace(/\/$/, ""), method)

const catalogueDocs = fileURLToPath(new URL("../../vendor/wechatpay-openapi/docs", import.meta.url))
const yamlFiles = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(path.join(dir, e.name)) : e.name.endsWith(".yaml") ? [path.join(dir, e.name)] : []))
/** Every operation of the vendored catalogue: `{empty}.yaml` is the URL's trailing slash; `v3/webhooks.yaml` is the notification envelope, no endpoint. */
const catalogueOperations = ["v3", "hk", "global"].flatMap((top) =>
  yamlFiles(path.join(catalogueDocs, top)).flatMap((file) => {
    const url = "/" + path.relative(catalogueDocs, file).split(path.sep).join("/").replace(/\.yaml$/, "").replace(/\{empty\}$/, "")
    if (url === "/v3/webhooks") return []
    const item = parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>
    return ["get", "post", "put", "patch", "delete"].filter((m) => item[m] !== undefined).map((m) => ({ method: m.toUpperCase(), url }))
  })
)

/** Every leaf with the keys that reach it. */
const leaves = (node: unknown, at: ReadonlyArray<string>, out: Array<readonly [ReadonlyArray<string>, Endpoint.Endpoint<any, any, any>]>) => {
  if (Endpoint.isEndpoint(node)) out.push([at, node])
  if (node !== null && typeof node === "object") for (const [k, v] of Object.entries(node)) leaves(v, [...at, k], out)
  return out
}

const all = [...leaves(v3, ["v3"], []), ...leaves(hk, ["hk"], []), ...leaves(global, ["global"], [])]
/** The curated endpoints have business rules (and their own tests): arbitrary inputs meet those rules. */
const curated = new Set(["DiscountCard.", "Busifavor.", "MembercardOpen."])
/** The payment flow's endpoints have business rules in the sandbox (src/sandbox/Payments.ts) and their own tests (test/flow); so has the bill file behind them. */
const paymentFlow = new Set([...PAYMENT_OPERATIONS, "GET /v3/billdownload/file"])
/** `/v3/certificates` is the protocol's own (public-key mode answers it 404, as WeChat Pay does): tested elsewhere. */
const generated = all.filter(([, e]) =>
  ![...curated].some((p) => e.spec.name.startsWith(p)) && e.spec.path !== "/v3/certificates" && !paymentFlow.has(`${e.spec.method} ${e.spec.path}`)
)

/** Files that start as their type says (the client and the sandbox check leading bytes). */
const SAMPLE_FILES: Readonly<Record<string, ReadonlyArray<number>>> = {
  jpg: [0xff, 0xd8, 0xff, 0xe0],
  png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  pdf: [0x25, 0x50, 0x44, 0x46, 0x2d]
}

/**
 * An arbitrary upload input made acceptable: a file of the page's first type, named for it, and
 * no arbitrary digest (the client fills in the file's `sha256`; the sandbox checks it).
 */
const withValidFile = (upload: Endpoint.UploadSpec, input: any) => {
  const type = upload.types?.[0] ?? "csv"
  const bytes = new Uint8Array([...(SAMPLE_FILES[type] ?? [0x61]), 0x0a])
  const { sha256: _digest, ...meta } = input.meta ?? {}
  if ("file_name" in meta) meta.file_name = `sample.${type}`
  else if ("file_type" in meta) meta.file_type = type.toUpperCase()
  else if (!("transaction_id" in meta)) meta.filename = `sample.${type}` // an e-receipt's meta names no file: its bytes tell its type
  return { ...input, meta, [upload.file]: bytes }
}

describe("the v3 surface", () => {
  it("is large, and every endpoint sits at the chain the docs give it", () => {
    expect(all.length).toBeGreaterThan(1000)
    for (const [at, endpoint] of all) {
      expect([chainOf(endpoint.spec.path, endpoint.spec.method), shortChainOf(endpoint.spec.path, endpoint.spec.method)]).toContain(at.join("."))
      if (!endpoint.spec.name.includes(".") || endpoint.spec.name.startsWith("v3.")) expect(endpoint.spec.name).toBe(at.at(-2) === "_empty_" ? shortChainOf(endpoint.spec.path, endpoint.spec.method) : at.join("."))
    }
    // the curated endpoints are the chain's leaves there
    expect(v3.discountCard.orders._out_order_no_.patch.spec.name).toBe("DiscountCard.updateOrder")
  })

  it("every operation of the catalogue resolves at the docs site's chain", () => {
    const roots: Record<string, unknown> = { v3, hk, global }
    expect(catalogueOperations.length).toBeGreaterThan(1000)
    for (const { method, url } of catalogueOperations) {
      const chain = chainOf(url, method)
      const endpoint = chain.split(".").reduce<any>((node, k) => node?.[k], roots)
      expect(Endpoint.isEndpoint(endpoint), chain).toBe(true)
      expect(`${endpoint.spec.method} ${endpoint.spec.path}`, chain).toBe(`${method} ${url}`)
    }
    expect(v3.applyment4sub.applyment._empty_.post).toBe(v3.applyment4sub.applyment.post)
    expect(v3.ecommerce.applyments._empty_.post).toBe(v3.ecommerce.applyments.post)
  })

  it("every documented example (src/v3/examples, which only the sandbox loads) names an endpoint and decodes with its success schema", () => {
    const byName = new Map(all.map(([, endpoint]) => [endpoint.spec.name, endpoint] as const))
    expect(Object.keys(examples).length).toBeGreaterThan(700)
    for (const [name, example] of Object.entries(examples)) {
      const endpoint = byName.get(name)
      expect([name, endpoint !== undefined]).toEqual([name, true])
      expect(() => Schema.decodeUnknownSync(endpoint!.spec.schemas().success)(example), name).not.toThrow()
    }
  })

  it.effect("every generated endpoint: arbitrary valid input → sandbox → verified, decoded; invalid input → nothing sent", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const failures: Array<string> = []
      for (const [, endpoint] of generated) {
        const [sample] = FastCheck.sample(Arbitrary.make(Endpoint.inputSchema(endpoint)), { numRuns: 1, seed: 7 })
        const input = endpoint.spec.upload === undefined ? sample : withValidFile(endpoint.spec.upload, sample)
        const exit = yield* Effect.exit(endpoint(input))
        if (exit._tag === "Failure") failures.push(`${endpoint.spec.name}: ${String(exit.cause)}`.slice(0, 600))
      }
      expect(failures).toEqual([])
      const before = (yield* sandbox.requests).length
      let refused = 0
      for (const [, endpoint] of generated) {
        const { body, headers, params, query } = endpoint.spec.schemas()
        if (body === undefined && headers === undefined && params === undefined && query === undefined) continue
        const e = yield* Effect.flip(endpoint(42 as never))
        expect(e._tag, endpoint.spec.name).toBe("RequestValidationError")
        refused++
      }
      expect(refused).toBeGreaterThan(800)
      expect((yield* sandbox.requests).length).toBe(before)
    }).pipe(Effect.provide(Sandbox.layer({ maxRecordedRequests: 100_000 }))), 120_000)
})
