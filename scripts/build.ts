/**
 * Builds `dist/`, what the package ships:
 *   - the JavaScript with esbuild: one file for each public entry (package.json's `exports` and
 *     `bin`), the modules they share in chunks under `dist/internal/` (closed by `./internal/*`);
 *   - the declarations with tsc, one per source module.
 * Why chunks rather than one JavaScript file per source module: Node's ESM loader costs about
 * 0.5 ms per module, and the root entry alone was 47 of ours; now it is two chunks.
 * Chunks are shared between entries, so a class is the same class through every entry.
 *
 *   npm run build              (also run by `npm pack`)
 *   buildJavaScript(outdir)    (the benches measure the same layout)
 */
import { build, type Plugin } from "esbuild"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const src = path.join(root, "src")

interface Manifest {
  readonly type: string
  readonly sideEffects: boolean
  readonly exports: Record<string, null | string | { readonly import?: string; readonly default?: string }>
  readonly bin: Record<string, string>
}
const manifest = (): Manifest => JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))

/** The TypeScript modules under `dir` (not declarations, nothing under a dot-named folder). */
export const sourcesUnder = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.name.startsWith(".")
      ? []
      : entry.isDirectory()
      ? sourcesUnder(path.join(dir, entry.name))
      : entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path.join(dir, entry.name)] : []
  )

/** `./dist/v3/pay.js` (a manifest target) → `v3/pay` (its module, relative to `src/`). */
const moduleOf = (distPath: string): string => distPath.replace(/^\.\/dist\//, "").replace(/\.js$/, "")

/** `./dist/v3/*.js` → a matcher of modules (`*` spans folders, as in exports). */
const pattern = (distPath: string): RegExp =>
  new RegExp(`^${moduleOf(distPath).split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".+")}$`)

/**
 * The source of every public entry: each `exports` target (a `*` target expanded over `src/`, less
 * what a `null` export closes) and each `bin`.
 */
export const entryPoints = (): Array<string> => {
  const { exports, bin } = manifest()
  const modules = sourcesUnder(src).map((file) => path.relative(src, file).replace(/\.ts$/, "").split(path.sep).join("/"))
  const closed = Object.entries(exports)
    .filter(([, target]) => target === null)
    .map(([key]) => pattern(`./dist/${key.replace(/^\.\//, "")}.js`))
  const targets = Object.values(exports).flatMap((target) => {
    const file = typeof target === "string" ? target : target?.import ?? target?.default
    return file !== undefined && file.startsWith("./dist/") ? [file] : []
  })
  const open = new Set<string>()
  for (const target of [...targets, ...Object.values(bin)]) {
    const matcher = pattern(target)
    const matches = modules.filter((module) => matcher.test(module))
    if (matches.length === 0) throw new Error(`${target}: no source under src/`)
    for (const module of matches) if (!closed.some((c) => c.test(module))) open.add(module)
  }
  return [...open].sort().map((module) => path.join(src, `${module}.ts`))
}

/**
 * Each entry is built from a stub that re-exports its module after importing the root entry:
 * esbuild puts modules in one chunk when the same entries reach them, so with every entry
 * reaching the root's modules, those are one chunk rather than one per subset of entries that
 * uses them (24 for the root alone). Every entry loads the client's core then, which any program
 * that calls an endpoint loads anyway.
 */
const entryStub = (file: string, index: string, bins: ReadonlySet<string>): string =>
  [
    ...(bins.has(file) ? ["#!/usr/bin/env node"] : []),
    ...(file === index ? [] : [`import ${JSON.stringify(index)}`]),
    `export * from ${JSON.stringify(file)}`
  ].join("\n")

/**
 * The source with its comments blanked out (each character but a newline becomes a space, so
 * positions and the source map stay exact), but for the marks bundlers read (`#__PURE__`) and
 * legal comments. esbuild keeps the comments inside object literals, and the generated trees carry
 * a JSDoc block per endpoint: in the JavaScript they are only bytes to read, and their Chinese
 * made every such file a two-byte string for V8. The declarations keep them.
 */
export const blankComments = (text: string): string => {
  const file = ts.createSourceFile("module.ts", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const ranges = new Map<number, number>()
  const add = (found: ReadonlyArray<ts.CommentRange> | undefined) => {
    for (const range of found ?? []) ranges.set(range.pos, range.end)
  }
  const walk = (node: ts.Node) => {
    add(ts.getLeadingCommentRanges(text, node.getFullStart()))
    add(ts.getTrailingCommentRanges(text, node.getEnd()))
    for (const child of node.getChildren(file)) walk(child)
  }
  walk(file)
  let out = ""
  let done = 0
  for (const [pos, end] of [...ranges].sort(([a], [b]) => a - b)) {
    const comment = text.slice(pos, end)
    if (pos < done || /__PURE__|__NO_SIDE_EFFECTS__|^\/\*!|@license|@preserve/.test(comment)) continue
    out += text.slice(done, pos) + comment.replace(/[^\n]/g, " ")
    done = end
  }
  return out + text.slice(done)
}

const commentsBlanked: Plugin = {
  name: "comments-blanked",
  setup(build) {
    build.onLoad({ filter: /\.ts$/, namespace: "file" }, async (args) =>
      args.path.startsWith(src + path.sep)
        ? { contents: blankComments(await fs.promises.readFile(args.path, "utf8")), loader: "ts" }
        : undefined
    )
  }
}

/** The JavaScript of `dist/` into `outdir`; returns the entry files written, relative to it. */
export const buildJavaScript = async (outdir: string): Promise<Array<string>> => {
  const entries = entryPoints()
  const index = path.join(src, "index.ts")
  const bins = new Set(Object.values(manifest().bin).map((target) => path.join(src, `${moduleOf(target)}.ts`)))
  const outName = (file: string) => path.relative(src, file).replace(/\.ts$/, "")
  await build({
    entryPoints: Object.fromEntries(entries.map((file) => [outName(file), `entry:${file}`])),
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // peers and Node's own modules stay imports: the user's install provides them
    packages: "external",
    chunkNames: "internal/chunk-[hash]",
    // not minified: minifying drops the `/*#__PURE__*/` marks a user's bundler needs to leave
    // out the endpoints a program does not call (bundled from here, one endpoint adds 2.3 KB with them, 27 KB without)
    // ASCII output (the summaries' Chinese as \u escapes, comments blanked): Node decodes and V8
    // scans a one-byte source faster, and holds it in half the memory
    charset: "ascii",
    sourcemap: "linked",
    sourcesContent: false,
    logLevel: "warning",
    plugins: [commentsBlanked, {
      name: "entry-stubs",
      setup(build) {
        build.onResolve({ filter: /^entry:/ }, (args) => ({ path: args.path.slice("entry:".length), namespace: "entry" }))
        build.onLoad({ filter: /.*/, namespace: "entry" }, (args) => ({
          contents: entryStub(args.path, index, bins),
          resolveDir: path.dirname(args.path),
          loader: "ts"
        }))
        // what a stub imports is kept although the package says it has no side effects: the root
        // entry's import is there for the chunks, and a CLI's module runs its program on import
        build.onResolve({ filter: /.*/, namespace: "entry" }, (args) => ({ path: path.resolve(args.resolveDir, args.path), sideEffects: true }))
      }
    }]
  })
  return entries.map((file) => `${outName(file)}.js`)
}

/**
 * The JavaScript as a user's install holds it: built into `dir/dist`, beside a manifest with the
 * package's `type` and `sideEffects` (what Node and bundlers read). For the benches, which put
 * `dir` where `effect` resolves. Returns the entry files, relative to `dir/dist`.
 */
export const buildInstalled = async (dir: string): Promise<Array<string>> => {
  fs.rmSync(dir, { recursive: true, force: true })
  const entries = await buildJavaScript(path.join(dir, "dist"))
  const { type, sideEffects } = manifest()
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ type, sideEffects }))
  return entries
}

const main = async () => {
  const dist = path.join(root, "dist")
  fs.rmSync(dist, { recursive: true, force: true })
  await buildJavaScript(dist)
  execFileSync(process.execPath, [path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json", "--emitDeclarationOnly"], {
    cwd: root,
    stdio: "inherit"
  })
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main()
}
