/**
 * The module layering of `src/` against the table at the top of docs/architecture.md ("## Layers"),
 * the public surface, and each WeChat Pay code declared once.
 *
 * A layer is a folder under src/ (`src/index.ts`, the root entry, is one of its own). `LAYERS` says,
 * once, which layers each may import besides its own; the doc's table must say the same (checked).
 * The checks, over every `.ts` file under src/ (the generated v3/ included):
 *   - every relative import — `import`, `import type`, `export … from`, `import("…")` (a dynamic
 *     import or an import type), `import x = require("…")` — names a file that exists and a layer
 *     its own layer may import; the table itself runs one way (no layer reaches itself through it),
 *     so an allowed arrow never runs back up;
 *   - there is no import cycle (type-only imports count), except those in `KNOWN_CYCLES`, each of
 *     which must still exist;
 *   - no public type comes from internal/: the declarations TypeScript emits (.d.ts) for every
 *     module outside internal/ name no module under internal/. That is what a user's compiler
 *     reads, so it catches a re-export (`export … from "../internal/…"`), an exported interface or
 *     alias built on an internal type, and a signature whose inferred type is one. It is stricter
 *     than "the modules package.json exports": a module they do not reach (the CLI) is held to it
 *     too. v3/ is left out of the emit for time (189k lines): its files may import only api/,
 *     schemas/ and errors/ (checked above), whose own declarations are checked here, so no
 *     internal type can reach a v3 declaration either.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import * as Errors from "../../src/errors/index.js"
import * as Codes from "../../src/errors/codes.js"
import { isRetryable } from "../../src/core/Retry.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..")
const src = path.join(root, "src")
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { exports: Record<string, unknown> }

/**
 * What each layer may import besides itself, top of the table first: the same arrows as the table
 * in docs/architecture.md. Every layer named on the right stands lower in this list.
 */
const LAYERS = {
  "index.ts": ["api", "notifications", "signing", "schemas", "errors"],
  cli: ["sandbox", "v3", "api"],
  sandbox: ["v3", "notifications", "api", "internal", "core", "signing", "schemas", "errors"],
  v3: ["api", "schemas", "errors"],
  fleet: ["core", "errors"],
  notifications: ["internal", "signing", "errors"],
  api: ["internal", "core", "signing", "schemas", "errors"],
  internal: ["core", "signing", "schemas", "errors"],
  core: ["signing", "errors"],
  signing: ["errors"],
  schemas: [],
  errors: []
} as const satisfies Record<string, ReadonlyArray<string>>
const allowed: Record<string, ReadonlyArray<string>> = LAYERS

/**
 * Import cycles that are known and not yet removed, each as its files in import order (the last
 * imports the first again). A cycle not listed here fails the test, and so does a listed one that
 * is gone: remove its entry then.
 */
/** Cycles allowed for now, each with the reason and what removes it; none today. */
const KNOWN_CYCLES: ReadonlyArray<ReadonlyArray<string>> = []

/** Every .ts file under src/, as a path relative to it with forward slashes. */
const files: ReadonlyArray<string> = (function walk(dir: string): Array<string> {
  return fs.readdirSync(path.join(src, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = dir === "" ? e.name : `${dir}/${e.name}`
    return e.isDirectory() ? (e.name.startsWith(".") ? [] : walk(rel)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [rel] : []
  })
})("")
const fileSet = new Set(files)

const layerOf = (file: string): string => (file.includes("/") ? file.slice(0, file.indexOf("/")) : file)

/** Every module specifier in a source text: imports and re-exports (type-only too), `import("…")` calls and import types, `import x = require("…")`. */
const specifiersOf = (fileName: string, text: string): Array<string> => {
  const out: Array<string> = []
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text)
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      out.push(node.moduleReference.expression.text)
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] !== undefined && ts.isStringLiteralLike(node.arguments[0])) {
      out.push(node.arguments[0].text)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      out.push(node.argument.literal.text)
    }
    ts.forEachChild(node, visit)
  }
  visit(ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS))
  return out
}

/** A relative specifier of `from` (a file under src/) as the file under src/ it names (`.js` → `.ts`, a folder → its index.ts), or undefined when there is none. */
const resolve = (from: string, specifier: string): string | undefined => {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier))
  const candidates = [base.replace(/\.js$/, ".ts"), `${base}.ts`, `${base}/index.ts`]
  return candidates.find((c) => fileSet.has(c))
}

interface Import {
  readonly from: string
  readonly specifier: string
  /** undefined: the specifier names no file under src/ */
  readonly to: string | undefined
}

/** Every relative import of every file. */
const imports: ReadonlyArray<Import> = files.flatMap((from) =>
  specifiersOf(from, fs.readFileSync(path.join(src, from), "utf8"))
    .filter((s) => s.startsWith("."))
    .map((specifier) => ({ from, specifier, to: resolve(from, specifier) }))
)

const graph = new Map<string, Set<string>>(files.map((f) => [f, new Set<string>()]))
for (const i of imports) if (i.to !== undefined) graph.get(i.from)!.add(i.to)

/** The strongly connected components of the import graph (Tarjan), each with more than one file or a file importing itself. */
const cyclicComponents = (): Array<ReadonlyArray<string>> => {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const out: Array<ReadonlyArray<string>> = []
  const connect = (v: string): void => {
    index.set(v, next)
    low.set(v, next++)
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        connect(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const component: Array<string> = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1 || graph.get(v)!.has(v)) out.push(component.sort())
    }
  }
  for (const f of files) if (!index.has(f)) connect(f)
  return out
}

/** The shortest import path from `start` to `goal` inside `within` (breadth first), both ends included. */
const shortestPath = (start: string, goal: string, within: ReadonlySet<string>): Array<string> => {
  const cameFrom = new Map<string, string | undefined>([[start, undefined]])
  const queue = [start]
  while (queue.length > 0) {
    const v = queue.shift()!
    if (v === goal) break
    for (const w of graph.get(v)!) {
      if (within.has(w) && !cameFrom.has(w)) {
        cameFrom.set(w, v)
        queue.push(w)
      }
    }
  }
  const out: Array<string> = []
  for (let v: string | undefined = goal; v !== undefined; v = cameFrom.get(v)) out.unshift(v)
  return out
}

const edge = (a: string, b: string) => `${a} → ${b}`
const edgesOf = (cycle: ReadonlyArray<string>) => cycle.map((f, i) => edge(f, cycle[(i + 1) % cycle.length]!))
const showCycle = (cycle: ReadonlyArray<string>) => [...cycle, cycle[0]!].map((f) => `src/${f}`).join(" → ")

/**
 * Problems with the cycles of the import graph: each cycle not in `known` (`import cycle: a → b → a`,
 * a cycle through an import no known cycle accounts for) and each entry of `known` that is gone.
 */
const cycleProblems = (known: ReadonlyArray<ReadonlyArray<string>>): Array<string> => {
  const problems: Array<string> = []
  for (const cycle of known) {
    if (!edgesOf(cycle).every((e) => { const [a, b] = e.split(" → ") as [string, string]; return graph.get(a)?.has(b) === true })) {
      problems.push(`KNOWN_CYCLES lists a cycle that no longer exists (remove it): ${showCycle(cycle)}`)
    }
  }
  const knownEdges = new Set(known.flatMap(edgesOf))
  for (const component of cyclicComponents()) {
    const members = new Set(component)
    const inside = component.flatMap((a) => [...graph.get(a)!].filter((b) => members.has(b)).map((b) => [a, b] as const))
    // the component is one known cycle when each import inside it is an import of that cycle
    const explained = known.some((c) => c.length === component.length && c.every((f) => members.has(f)))
      && inside.every(([a, b]) => knownEdges.has(edge(a, b)))
    if (explained) continue
    const [a, b] = inside.find(([a, b]) => !knownEdges.has(edge(a, b))) ?? inside[0]!
    const back = a === b ? [] : shortestPath(b, a, members).slice(0, -1)
    problems.push(`import cycle: ${showCycle([a, ...back])}`)
  }
  return problems
}

/** The layers and their arrows as the "## Layers" table of docs/architecture.md draws them. */
const documentedLayers = (): Record<string, ReadonlyArray<string>> => {
  const doc = fs.readFileSync(path.join(root, "docs", "architecture.md"), "utf8")
  const section = doc.slice(doc.indexOf("## Layers"))
  const block = section.slice(section.indexOf("```") + 3, section.indexOf("```", section.indexOf("```") + 3))
  const rows: Array<{ layer: string; text: string }> = []
  for (const line of block.split("\n")) {
    const start = /^src\/([^/\s]+)/.exec(line)
    if (start !== null) rows.push({ layer: start[1]!, text: line })
    else if (rows.length > 0) rows[rows.length - 1]!.text += "\n" + line
  }
  return Object.fromEntries(rows.map(({ layer, text }) => {
    const arrow = /→\s*(.*)$/m.exec(text)?.[1]?.trim() ?? ""
    return [layer, arrow === "(nothing)" ? [] : arrow.split(",").map((s) => s.trim())]
  }))
}

describe("layering", () => {
  it("the table in docs/architecture.md draws the arrows LAYERS allows", () => {
    expect(documentedLayers()).toEqual(LAYERS)
  })

  it("the table runs one way: every arrow points to a layer lower in it", () => {
    const order = Object.keys(LAYERS)
    for (const [layer, may] of Object.entries(allowed)) {
      for (const target of may) expect([layer, target, order.indexOf(target) > order.indexOf(layer)]).toEqual([layer, target, true])
    }
  })

  it("every file under src/ is in a layer of the table", () => {
    expect(files.map(layerOf).filter((l) => !(l in LAYERS))).toEqual([])
  })

  it("every relative import names a file under src/", () => {
    expect(imports.filter((i) => i.to === undefined).map((i) => `src/${i.from}: "${i.specifier}"`)).toEqual([])
  })

  it("every import goes to the file's own layer or one the table lets it import", () => {
    const wrong = imports.flatMap(({ from, to }) => {
      if (to === undefined) return []
      const [a, b] = [layerOf(from), layerOf(to)]
      return a === b || allowed[a]?.includes(b) === true ? [] : [`src/${from} → src/${to} (${a} may import ${allowed[a]?.join(", ") || "nothing"})`]
    })
    expect(wrong).toEqual([])
  })

  it("no import cycle but the known ones, and each known one still exists", () => {
    expect(cycleProblems(KNOWN_CYCLES)).toEqual([])
  })

  it("the cycle check sees a cycle, and a known one that is gone", () => {
    // graph edits undone below: a → b → a through an import the known cycles do not account for
    graph.get("core/version.ts")!.add("core/WechatPayClient.ts")
    try {
      expect(cycleProblems(KNOWN_CYCLES)).toEqual(["import cycle: src/core/WechatPayClient.ts → src/core/version.ts → src/core/WechatPayClient.ts"])
    } finally {
      graph.get("core/version.ts")!.delete("core/WechatPayClient.ts")
    }
    expect(cycleProblems([...KNOWN_CYCLES, ["errors/errors.ts", "errors/codes.ts"]])).toEqual([
      "KNOWN_CYCLES lists a cycle that no longer exists (remove it): src/errors/errors.ts → src/errors/codes.ts → src/errors/errors.ts"
    ])
  })

  it("no declaration of a module outside internal/ names a module under internal/", () => {
    const config = ts.getParsedCommandLineOfConfigFile(path.join(root, "tsconfig.json"), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"))
      }
    })!
    const checked = files.filter((f) => layerOf(f) !== "internal" && layerOf(f) !== "v3")
    const program = ts.createProgram(checked.map((f) => path.join(src, f)), {
      ...config.options,
      noEmit: false,
      declaration: true,
      emitDeclarationOnly: true,
      declarationMap: false,
      sourceMap: false
    })
    const reaches: Array<string> = []
    for (const file of checked) {
      const source = program.getSourceFile(path.join(src, file))!
      program.emit(source, (_name, text) => {
        for (const specifier of specifiersOf(`${file}.d.ts`, text)) {
          const to = specifier.startsWith(".") ? resolve(file, specifier) : undefined
          if (to !== undefined && layerOf(to) === "internal") reaches.push(`src/${file} declares with src/${to}`)
        }
      }, undefined, true)
    }
    expect(reaches).toEqual([])
  }, 300_000)

  it("the root entry loads neither the sandbox nor the generated surface", () => {
    const seen = new Set<string>()
    const visit = (file: string) => {
      if (seen.has(file)) return
      seen.add(file)
      graph.get(file)!.forEach(visit)
    }
    visit("index.ts")
    expect([...seen].filter((f) => ["sandbox", "v3", "cli"].includes(layerOf(f)))).toEqual([])
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
