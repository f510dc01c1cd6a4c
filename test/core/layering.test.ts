/**
 * The module layering and the public surface: errors at the bottom, `signing/` and `schemas/`
 * never importing upwards, helpers under `internal/` closed by `exports`, the root entry loading
 * neither the sandbox nor anything generated, and each WeChat Pay code declared once.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Errors from "../../src/errors/index.js"
import * as Codes from "../../src/errors/codes.js"
import { isRetryable } from "../../src/core/Retry.js"

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src")
const pkg = JSON.parse(fs.readFileSync(path.join(src, "../package.json"), "utf8")) as { exports: Record<string, unknown> }

const filesUnder = (dir: string): Array<string> =>
  fs.readdirSync(path.join(src, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []
  )

/** The relative imports of a source file (static `import … from` and `export … from`), as paths under src/. */
const importsOf = (file: string): Array<string> =>
  [...fs.readFileSync(path.join(src, file), "utf8").matchAll(/^(?:import|export)[^"']*?from\s+["'](\.[^"']+)["']/gm)].map((m) =>
    path.normalize(path.join(path.dirname(file), m[1]!.replace(/\.js$/, ".ts")))
  )

const layerOf = (file: string) => file.split(path.sep)[0]!

describe("layering", () => {
  const allowed: Record<string, ReadonlyArray<string>> = {
    errors: ["errors"],
    schemas: ["schemas"],
    signing: ["signing", "errors"]
  }
  for (const [layer, may] of Object.entries(allowed)) {
    it(`src/${layer} imports only from ${may.join(" and ")}`, () => {
      for (const file of filesUnder(layer)) {
        for (const target of importsOf(file)) expect([file, layerOf(target)]).toEqual([file, expect.toBeOneOf([...may])])
      }
    })
  }

  it("the root entry loads neither the sandbox nor the generated surface", () => {
    const seen = new Set<string>()
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      importsOf(file).forEach(visit)
    }
    visit("index.ts")
    expect([...seen].filter((f) => layerOf(f) === "sandbox" || layerOf(f) === "v3" || layerOf(f) === "cli")).toEqual([])
    // and the sandbox is its own entry
    expect(Object.keys(pkg.exports)).toContain("./sandbox")
  })

  it("package exports close ./internal/*", () => {
    expect(pkg.exports["./internal/*"]).toBeNull()
  })
})

describe("WeChat Pay codes, declared once", () => {
  const classes = Object.values(Codes)

  it("each class's _tag is its code in PascalCase, with its documented status", () => {
    for (const cls of classes) {
      const pascal = cls.code.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase())
      const e = new cls({ status: cls.status, code: cls.code, message: "m" })
      expect([e._tag, cls.name]).toEqual([pascal, pascal])
      expect(cls.status).toBeGreaterThanOrEqual(400)
    }
  })

  it("the code → class table is derived from the declarations", () => {
    for (const cls of classes) expect(Errors.classOfCode(cls.code)).toBe(cls)
    expect(Errors.classOfCode("NO_SUCH_CODE")).toBeUndefined()
  })

  it("retries are decided on classes, not on tag strings", () => {
    const fields = { status: 500, code: "SYSTEM_ERROR", message: "m" }
    expect(isRetryable(new Codes.SystemError(fields))).toBe(true)
    expect(isRetryable(new Codes.ServiceUnavailable(fields))).toBe(true)
    expect(isRetryable(new Codes.FrequencyLimited(fields))).toBe(true)
    expect(isRetryable(new Codes.ParamError(fields))).toBe(false)
    // an undocumented code is not retried, even with a 5xx and a familiar code
    expect(isRetryable(new Errors.UnknownApiError(fields))).toBe(false)
    // a look-alike object with the right tag is not a SystemError
    expect(isRetryable({ _tag: "SystemError", ...fields })).toBe(false)
    expect(isRetryable(new Errors.TransportError({ reason: "Reset", message: "m" }))).toBe(true)
    expect(isRetryable(new Errors.TransportError({ reason: "Deadline", message: "m" }))).toBe(false)
    expect(isRetryable(new Errors.UnexpectedResponse({ status: 202, message: "m" }))).toBe(true)
    // a signed success that does not decode has most likely happened: never repeated
    expect(isRetryable(new Errors.UnexpectedSuccess({ status: 200, message: "m", body: "{}" }))).toBe(false)
  })
})
