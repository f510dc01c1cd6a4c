/**
 * The generator's layout (codegen/generator/): it imports nothing from src/sandbox, and only the
 * emitters know Effect's API, so that another output target can be added beside them.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const generator = path.join(root, "codegen", "generator")

const filesUnder = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []))

/** Every module the generator's code (and codegen/'s inputs) imports, resolved to repository paths. */
const importsOf = (file: string): Array<string> =>
  [...fs.readFileSync(file, "utf8").matchAll(/^(?:import|export)[^"']*?from\s+["']([^"']+)["']/gm)].map((m) =>
    m[1]!.startsWith(".") ? path.relative(root, path.join(path.dirname(file), m[1]!.replace(/\.js$/, ".ts"))) : m[1]!
  )

const codegenFiles = filesUnder(path.join(root, "codegen"))
const rel = (f: string) => path.relative(root, f)

describe("codegen/generator", () => {
  it("imports nothing from src/sandbox", () => {
    for (const f of codegenFiles) for (const i of importsOf(f)) expect([rel(f), i]).not.toEqual([rel(f), expect.stringMatching(/^src\/sandbox\//)])
  })

  it("knows Effect's API in its emitters only", () => {
    const outside = filesUnder(generator).filter((f) => !rel(f).startsWith("codegen/generator/emit/"))
    expect(outside.length).toBeGreaterThan(5)
    for (const f of outside) {
      const text = fs.readFileSync(f, "utf8")
      expect([rel(f), /\bSchema\.[A-Z]|Endpoint\.make|from "effect"/.test(text)]).toEqual([rel(f), false])
      // main.ts, the command line, picks the emitters; the steps before them do not know them
      const forbidden = rel(f) === "codegen/generator/main.ts" ? /^(effect|@effect\/)/ : /^(effect|@effect\/|codegen\/generator\/emit\/)/
      for (const i of importsOf(f)) expect([rel(f), i]).not.toEqual([rel(f), expect.stringMatching(forbidden)])
    }
  })
})
