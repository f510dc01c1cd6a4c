/**
 * Transpiles `src/**` and `bench/**` (TypeScript → ESM JavaScript, one file per module, no
 * type-check) into `node_modules/.cache/`, so every runtime benchmark runs plain `node`: no loader
 * thread, no source-map hooks, no on-the-fly compilation in the measurements. Import times are
 * measured on the layout the package ships instead (`bench/surface.ts`, scripts/build.ts).
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { sourcesUnder } from "../scripts/build.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
// inside node_modules: ignored by git and eslint, and `effect` resolves from there
export const buildDir = path.join(root, "node_modules", ".cache", "effect-wechatpay-bench")

/** Writes the JavaScript; returns the build directory. Takes well under a second. */
export const build = (): string => {
  fs.rmSync(buildDir, { recursive: true, force: true })
  const files = [...sourcesUnder(path.join(root, "src")), ...sourcesUnder(path.join(root, "bench"))]
  for (const file of files) {
    const out = ts.transpileModule(fs.readFileSync(file, "utf8"), {
      fileName: file,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        verbatimModuleSyntax: true,
        sourceMap: false
      }
    })
    const target = path.join(buildDir, path.relative(root, file)).replace(/\.ts$/, ".js")
    fs.mkdirSync(path.dirname(target), { recursive: true })
    fs.writeFileSync(target, out.outputText)
  }
  fs.writeFileSync(path.join(buildDir, "package.json"), JSON.stringify({ type: "module" }))
  return buildDir
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(build())
}
