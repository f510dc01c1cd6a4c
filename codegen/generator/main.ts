/**
 * `npm run generate`: the WeChat Pay v3 surface, `src/v3/<family>.ts` + `src/v3/index.ts` (with
 * docs/endpoints.md and src/fleet/documentedLimits.ts), from the wechatpay-openapi catalogue
 * (vendor/wechatpay-openapi/docs, Swagger 2.0 path items) and the corrections under codegen/.
 *
 *   npm run generate                       write src/v3/ (and delete files there it would not write)
 *   npm run generate -- --check            regenerate in memory; exit 1 listing files that differ
 *   npm run generate -- --catalogue DIR    another catalogue docs/ directory
 *   npm run generate -- --verbose          list every catalogue special case (else three of each kind)
 *   tsx codegen/generator/main.ts --raw --out src/<dir>   the catalogue as it reads (see RAW)
 *
 * The pipeline: catalogue.ts reads the YAML; operations.ts makes the model (model.ts) of each
 * operation; officialSdks.ts settles it with the official SDKs' facts; overlay.ts checks and
 * applies codegen/overlay*; the emitters (emit/) write the target's files; docs.ts writes
 * docs/endpoints.md; log.ts prints what the catalogue made it special-case.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { curatedLeaves } from "../curated.js"
import { documentedLimits } from "../documentedLimits.js"
import { overlaySources } from "../overlay.js"
import { openCatalogue } from "./catalogue.js"
import { checkCuratedDeclarations } from "./curatedCheck.js"
import { endpointReference } from "./docs.js"
import { emitModules } from "./emit/effect3/modules.js"
import { note, printWarningsAndNotes, warningCount } from "./log.js"
import { fromOfficialSdks } from "./officialSdks.js"
import { collectOperations, NO_CORRECTIONS } from "./operations.js"
import { applyOverlay, checkOverlay, mergeOverlay } from "./overlay.js"

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..")

// ---------------------------------------------------------------------------------------------
// Options

const argv = process.argv.slice(2)
const CHECK = argv.includes("--check")
/** `--verbose`: every catalogue special case, not the first three of each kind. */
const LIMIT = argv.includes("--verbose") ? Infinity : 3
/**
 * `--raw --out src/<dir>`: the catalogue as it reads, with no overlay, no official SDKs, no
 * supplement and its own answer `required` lists, into another folder of src/ (so its relative
 * imports resolve); the baseline scripts/official/crosscheck.ts counts fixed differences against.
 */
const RAW = argv.includes("--raw")
const outArg = argv.indexOf("--out")
if (outArg !== -1 && (argv[outArg + 1] === undefined || path.dirname(path.resolve(argv[outArg + 1]!)) !== path.resolve(repoRoot, "src"))) {
  throw new Error("--out wants a folder directly under src/")
}
if (RAW && (outArg === -1 || CHECK)) throw new Error("--raw writes a baseline: give it --out, not --check")
const outDir = outArg === -1 ? path.join(repoRoot, "src", "v3") : path.resolve(argv[outArg + 1]!)
const catalogueArg = argv.indexOf("--catalogue")
if (catalogueArg !== -1 && argv[catalogueArg + 1] === undefined) throw new Error("--catalogue wants a directory")
/** Operations the catalogue lacks, from the official SDKs, in the catalogue's own form. */
const supplement = path.join(repoRoot, "codegen", "supplement")
const catalogueDir = catalogueArg === -1 ? path.resolve(repoRoot, "vendor/wechatpay-openapi/docs") : path.resolve(argv[catalogueArg + 1]!)
if (!fs.existsSync(path.join(catalogueDir, "v3"))) throw new Error(`no v3/ under the catalogue ${catalogueDir}`)

const referencePath = path.join(repoRoot, "docs", "endpoints.md")

const walkAll = (dir: string): Array<string> =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walkAll(path.join(dir, e.name)) : [path.join(dir, e.name)]))

const main = async () => {
  const catalogue = openCatalogue(catalogueDir)
  if (RAW) {
    // the baseline: only the family modules and their index, into outDir
    const { operations } = collectOperations(catalogue, undefined, NO_CORRECTIONS)
    fs.rmSync(outDir, { recursive: true, force: true })
    fs.mkdirSync(outDir, { recursive: true })
    for (const [f, text] of emitModules(operations).files) {
      fs.mkdirSync(path.dirname(path.join(outDir, f)), { recursive: true })
      fs.writeFileSync(path.join(outDir, f), text)
    }
    console.log(`raw catalogue: ${operations.length} endpoints in ${outDir}`)
    return
  }

  const overlay = mergeOverlay(overlaySources)
  const { operations, skipped } = collectOperations(catalogue, supplement, { overlay: (key) => overlay.get(key), curated: (key) => curatedLeaves.get(key) })
  const codes = (await import(pathToFileURL(path.join(repoRoot, "src", "errors", "codes.ts")).href)) as Record<string, unknown>
  const codeClasses = new Set(Object.keys(codes).filter((k) => typeof codes[k] === "function"))
  const official = fromOfficialSdks(repoRoot, operations)
  const problems = checkOverlay({ sources: overlaySources, operations, skipped, codeClasses, curated: curatedLeaves })
  if (problems.length > 0) {
    console.error(`the overlay does not match the catalogue (${problems.length}):\n  ${problems.join("\n  ")}`)
    process.exitCode = 1
    return
  }
  applyOverlay(operations)
  await checkCuratedDeclarations(repoRoot, operations)

  const { files, families } = emitModules(operations)
  const reference = endpointReference(operations, skipped)
  const limits = documentedLimits(path.join(catalogueDir, "v3"))
  /** Generated files outside src/v3: the endpoint reference and the documented rate limits. */
  const others: ReadonlyArray<readonly [string, string]> = [
    [referencePath, reference],
    [path.join(repoRoot, "src", "fleet", "documentedLimits.ts"), limits.text]
  ]

  const endpoints = operations.length
  const onDisk = fs.existsSync(outDir) ? walkAll(outDir).map((f) => path.relative(outDir, f).split(path.sep).join("/")) : []
  if (CHECK) {
    const differ = [
      ...[...files].filter(([f, text]) => !fs.existsSync(path.join(outDir, f)) || fs.readFileSync(path.join(outDir, f), "utf8") !== text).map(([f]) => f),
      ...onDisk.filter((f) => !files.has(f)).map((f) => `${f} (should not exist)`)
    ].sort()
    for (const [target, text] of others) if (!fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text) differ.push(path.relative(outDir, target).split(path.sep).join("/"))
    if (differ.length > 0) {
      console.error(`generated code is out of date (npm run generate):\n${differ.map((f) => `  ${path.posix.join("src/v3", f)}`).join("\n")}`)
      process.exitCode = 1
      return
    }
    console.log(`generated code is up to date (${endpoints} endpoints)`)
    return
  }
  fs.mkdirSync(outDir, { recursive: true })
  for (const f of onDisk) if (!files.has(f)) fs.rmSync(path.join(outDir, f))
  for (const [f, text] of files) {
    const target = path.join(outDir, f)
    fs.mkdirSync(path.dirname(target), { recursive: true })
    if (!fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text) fs.writeFileSync(target, text)
  }
  for (const [target, text] of others) if (!fs.existsSync(target) || fs.readFileSync(target, "utf8") !== text) fs.writeFileSync(target, text)

  console.log(`generated ${endpoints} endpoints in ${families.length} families and ${limits.count} documented rate limits; ${warningCount()} warnings; skipped ${skipped.length}:`)
  for (const s of skipped) console.log(`  ${s.key}: ${s.reason}`)
  console.log(
    `official SDKs (vendor/official-sdks): ${official.operations} operations; ${official.requiredSet} request fields' optionality, ` +
      `${official.fields} fields, ${official.types} types and ${official.enums} enums' documented values taken from them`
  )
  for (const line of limits.notUnderstood) note("rate limit in a form not read", line)
  printWarningsAndNotes(LIMIT)
}

await main()
