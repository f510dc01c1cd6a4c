/**
 * One family module of src/v3 for Effect 3: per operation, named interfaces and one
 * `Endpoint.make` whose schemas are built inside its thunk (nothing is built at import), then
 * the family's chain tree (`discountCard.cards._out_card_code_.addUserRecords.post`), whose
 * leaves are those endpoints or the curated hand-written ones.
 */
import { LOCATIONS, type LocationName, METHODS, type Operation } from "../../model.js"
import { chainPrefix, IDENT, officialDoc, ROOT_HOSTS } from "../../operations.js"
import { example } from "../examples.js"
import { HEADER, jsdoc, key, literal, pascal, RESERVED } from "../typescript.js"
import { CURATED_MODULES } from "../../../curated.js"
import { COMMON_HELPERS, EndpointEmitter, type Family, interfaceText, type Model, type Placed, structCall, type StructModel, structText } from "./schemas.js"

const LOCATION_SUFFIX: Readonly<Record<LocationName, string>> = { params: "Params", query: "Query", headers: "Headers", body: "Body" }

/** An upload's spec: its file field, and the types and size limit its page gives (from the overlay). */
const uploadText = (op: Operation): string => {
  const limits = op.overlay?.upload
  const parts = [`file: ${JSON.stringify(op.upload!.file)}`]
  if (limits?.types !== undefined) parts.push(`types: [${limits.types.map((t) => JSON.stringify(t)).join(", ")}]`)
  if (limits?.maxBytes !== undefined) parts.push(`maxBytes: ${limits.maxBytes}`)
  return `{ ${parts.join(", ")} }`
}

interface Leaf {
  readonly op: Operation
  /** The const (or `Module.export`) the chain leaf points at. */
  readonly ref: string
  readonly doc: ReadonlyArray<string>
}

const endpointDoc = (op: Operation, curated: string | undefined): ReadonlyArray<string> => {
  const lines = [op.summary || op.key, ""]
  if (op.description !== "") lines.push(op.description, "")
  lines.push(`\`${op.key}\``)
  if (curated !== undefined) lines.push("", `Hand-written: \`${curated}\`.`)
  if (op.deprecated) lines.push("@deprecated The catalogue marks this operation deprecated.")
  return lines
}

/**
 * A family's modules by path under src/v3 without `.ts` (`marketing`, and where it is split
 * `marketing/busifavor`, …, `marketing/models`), and its answers' examples by endpoint name
 * (for the sandbox's module).
 */
export interface FamilyOutput {
  readonly modules: ReadonlyMap<string, string>
  readonly examples: ReadonlyArray<readonly [name: string, literal: string]>
}

/** A split family's product of an operation (its chain's first segment), or "" for one at the family's root. */
const productOf = (op: Operation): string => (op.chain.length >= 2 && IDENT.test(op.chain[0]!) && !RESERVED.has(op.chain[0]!) ? op.chain[0]! : "")

/** Whether a family split by product has at least two products. */
export const hasProducts = (ops: ReadonlyArray<Operation>): boolean => new Set(ops.map(productOf).filter((p) => p !== "")).size >= 2

/**
 * A family's modules. Split, each product is a module of its own (`v3/marketing/busifavor`) with
 * its endpoints, the models only it holds and its part of the tree; models that several products
 * hold are declared once, in the family's shared module (`v3/marketing/models`); the family's
 * module re-exports them all and puts the products' trees together (`marketing.busifavor.…`).
 */
export const emitFamily = (family: Family, ops: ReadonlyArray<Operation>, split = false): FamilyOutput => {
  const blocks: Array<string> = []
  /** Each block's module: its product, or "" (the family's module). */
  const blockModule: Array<string> = []
  const leaves: Array<Leaf> = []
  const examples: Array<readonly [string, string]> = []
  for (const op of ops) {
    const chainName = `${chainPrefix(op)}${op.chain.map((c) => (IDENT.test(c) ? c : `[${JSON.stringify(c)}]`)).join(".")}`
    const curated = op.curated
    if (curated !== undefined) {
      const ref = `${curated.module}.${curated.export}`
      leaves.push({ op, ref, doc: endpointDoc(op, ref) })
      continue
    }
    const prefix = pascal(op.chain.length === 1 ? `${family.name} ${op.chain[0]}` : op.chain.map((c) => c.replace(/^_|_$/g, "")).join(" ").replace(/([a-z0-9])([A-Z])/g, "$1 $2"))
    family.block = blocks.length
    const product = split ? productOf(op) : ""
    blockModule.push(product)
    const e = new EndpointEmitter(family, op.key)
    const locs: Array<[LocationName, string, Placed]> = []
    for (const l of LOCATIONS) {
      const fields = op.locations[l]
      if (fields === undefined) continue
      const name = family.typeName(prefix + LOCATION_SUFFIX[l])
      const model = e.fields(fields, "request", [prefix, LOCATION_SUFFIX[l]], new Set(l === "body" ? op.bodySensitive : []), `${op.key} ${l}`, l === "body" ? op.bodyRules : [], undefined, name)
      locs.push([l, name, model])
    }
    const own: Array<string> = []
    let req = "void"
    if (locs.length === 1) req = locs[0]![1]
    else if (locs.length > 1) {
      req = family.typeName(`${prefix}Request`)
      own.push(`/** The input of \`${chainName}\`: ${locs.map(([l]) => l).join(", ")} fields together. */\nexport interface ${req} extends ${locs.map(([, n]) => n).join(", ")} {}`)
    }
    let res: string
    let success: string
    let exampleText: string | undefined
    if (op.success === "none") {
      res = "void"
      success = "Endpoint.NoContent"
    } else if (op.success === "accepted") {
      res = "void"
      success = "Endpoint.Accepted"
    } else if (op.success === "download") {
      res = "Uint8Array"
      success = "Endpoint.Download"
    } else if (op.success === undefined) {
      res = "unknown"
      success = "Schema.Unknown"
    } else if (op.success.kind === "object") {
      // the answer's own name, even when another endpoint's answer has the same shape
      res = family.typeName(`${prefix}Response`)
      const placed = e.fields(op.success.fields ?? [], "response", [prefix, "Response"], new Set(op.success.sensitive ?? []), `${op.key} response`, op.success.rules ?? [], op.success.definition, res)
      success = op.success.nullable === true ? `Schema.NullOr(${structCall(placed.struct)})` : structCall(placed.struct)
      if (op.success.nullable === true) res = `${res} | null`
      exampleText = literal(example(op.success, undefined), "  ")
    } else {
      res = e.typeText(op.success, "response", [prefix, "Response"])
      success = e.schemaText(op.success, "response", [prefix, "Response"], `${op.key} response`)
      exampleText = literal(example(op.success, undefined), "  ")
    }
    // errors: the common ones, and the page's (checked against src/errors/codes.ts with the overlay)
    const extra = [...(op.overlay?.errors ?? [])].sort()
    let errors = "commonErrors"
    const errorType = ["CommonError", ...extra].join(" | ")
    if (extra.length > 0) {
      const setKey = extra.join(",")
      let name = family.errorSets.get(setKey)
      if (name === undefined) {
        name = family.valueName(`${extra.map((c) => c.charAt(0).toLowerCase() + c.slice(1)).join("And")}Errors`)
        family.errorSets.set(setKey, name)
        for (const c of extra) family.codes.add(c)
      }
      errors = name
    }
    const constName = family.valueName(prefix.charAt(0).toLowerCase() + prefix.slice(1))
    const parts = [...locs.map(([l, , m]) => `${l}: ${structCall(m.struct)}`), `success: ${success}`, `errors: ${errors}`]
    // the example goes to src/v3/examples/ (only the sandbox and the docs read it)
    if (exampleText !== undefined) examples.push([chainName, exampleText])
    const thunk = `() => ({ ${parts.join(", ")} })`
    const docsUrl = officialDoc(op.description)
    const spec = [
      `  name: ${JSON.stringify(chainName)}`,
      `  method: ${JSON.stringify(op.method.toUpperCase())}`,
      `  path: ${JSON.stringify(op.url)}`,
      ...(op.encrypt !== undefined ? [`  encrypt: [${op.encrypt.map((s) => JSON.stringify(s)).join(", ")}]`] : []),
      ...(op.upload !== undefined ? [`  upload: ${uploadText(op)}`] : []),
      ...(op.root !== "v3" ? [`  host: ${JSON.stringify(ROOT_HOSTS[op.root].host)}`] : []),
      ...(op.summary !== "" ? [`  summary: ${JSON.stringify(op.summary)}`] : []),
      ...(docsUrl !== undefined ? [`  docs: ${JSON.stringify(docsUrl)}`] : []),
      `  schemas: ${thunk}`
    ]
    blocks.push(
      [
        `// ---- ${op.key} ----`,
        ...own,
        `${jsdoc(endpointDoc(op, undefined), "")}export const ${constName}: Endpoint.Endpoint<${req}, ${res}, ${errorType}> = /*#__PURE__*/ Endpoint.make({\n${spec.join(",\n")}\n})`
      ].join("\n\n")
    )
    const modulePath = product === "" ? op.module : `${op.module}/${product}`
    leaves.push({ op, ref: constName, doc: [...endpointDoc(op, undefined), "", `Alone: \`import { ${constName} } from "effect-wechatpay/v3/${modulePath}"\`.`] })
  }

  // the models, named once every place of theirs is known, declared where they are first met,
  // or, in a split family, in its shared module when more than one product holds them
  family.nameModels()
  const products = [...new Set(blockModule.filter((m) => m !== ""))].sort()
  const SHARED = products.includes("models") ? "sharedModels" : "models"
  const placed = new Map<Model | StructModel, string>()
  const placeOf = (x: Model | StructModel): string => {
    let place = placed.get(x)
    if (place === undefined) {
      const held = new Set([...x.blocks].map((b) => blockModule[b]!))
      placed.set(x, (place = held.size === 1 ? [...held][0]! : SHARED))
    }
    return place
  }
  const elsewhere = (x: Model | StructModel) => placeOf(x) !== blockModule[x.home]
  const bodies = new Map<string, Array<string>>([["", []], ...products.map((p): [string, Array<string>] => [p, []])])
  blocks.forEach((block, i) => {
    const [title, ...rest] = block.split("\n\n")
    bodies.get(blockModule[i]!)!.push(family.resolve([title, ...family.declarations(i, elsewhere), ...rest].join("\n\n")))
  })
  const shared: Array<string> = []
  for (const m of family.models) {
    if (!split || placeOf(m) !== SHARED) continue
    shared.push(family.resolve(interfaceText(m)))
    for (const st of family.structs) if (st.model === m && placeOf(st) === SHARED) shared.push(family.resolve(structText(st, "export ")))
  }

  // the tree
  interface Node {
    readonly leaves: Map<string, Leaf>
    readonly children: Map<string, Node>
  }
  const root: Node = { leaves: new Map(), children: new Map() }
  // A URL that ends with a slash (`/v3/applyment4sub/applyment/`) sits at two chains: ours
  // (`….applyment.post`) and the docs site's, which names the empty last segment (`….applyment._empty_.post`).
  const placements = leaves.flatMap((leaf) =>
    leaf.op.url.endsWith("/") ? [{ leaf, chain: leaf.op.chain }, { leaf, chain: [...leaf.op.chain.slice(0, -1), "_empty_", leaf.op.chain.at(-1)!] }] : [{ leaf, chain: leaf.op.chain }]
  )
  for (const { leaf, chain } of placements) {
    let node = root
    for (const c of chain.slice(0, -1)) {
      if (node.leaves.has(c)) throw new Error(`${leaf.op.key}: chain key ${c} is both a method and a path segment`)
      let next = node.children.get(c)
      if (next === undefined) node.children.set(c, (next = { leaves: new Map(), children: new Map() }))
      node = next
    }
    const m = chain[chain.length - 1]!
    if (node.leaves.has(m) || node.children.has(m)) throw new Error(`${leaf.op.key}: chain ${chainPrefix(leaf.op)}${chain.join(".")} is taken (by ${node.leaves.get(m)?.op.key ?? "a path segment"})`)
    node.leaves.set(m, leaf)
  }
  /** A node's tree text; a split family's products stand at the root by their names, their trees in their modules. */
  const tree = (node: Node, indent: string, atRoot = false): string => {
    const inner = indent + "  "
    const items: Array<string> = []
    for (const m of METHODS) {
      const leaf = node.leaves.get(m)
      if (leaf !== undefined) items.push(`${jsdoc(leaf.doc, inner)}${inner}${m}: ${leaf.ref}`)
    }
    for (const c of [...node.children.keys()].sort()) {
      items.push(atRoot && products.includes(c) ? `${inner}${c}` : `${inner}${key(c)}: ${tree(node.children.get(c)!, inner)}`)
    }
    return `{\n${items.join(",\n")}\n${indent}}`
  }
  for (const p of products) {
    if (family.valueName(p) !== p) throw new Error(`family ${family.name}: product ${p}'s name is taken in its module`)
    bodies.get(p)!.push(`/** \`${chainPrefix(ops[0]!)}${p}.…\` */\nexport const ${p} = ${tree(root.children.get(p)!, "")} as const`)
  }
  const tags = [...new Set(ops.flatMap((o) => o.tags))].sort()
  const familyConst = family.valueName(family.name)
  if (familyConst !== family.name) throw new Error(`family ${family.name}: its name is taken in its module`)
  const curatedCount = ops.filter((o) => o.curated !== undefined).length
  const treeBlock = (
    jsdoc([
      `\`${ops[0]!.root === "v3" ? `/v3/${ops[0]!.url.split("/")[2]}` : `/${ops[0]!.root}/v3`}/…\`: ${ops.length} endpoint${ops.length === 1 ? "" : "s"}${curatedCount > 0 ? ` (${curatedCount} hand-written)` : ""}.`,
      ...(tags.length > 0 ? ["", `Catalogue tags: ${tags.join(", ")}.`] : [])
    ], "") + `export const ${family.name} = ${tree(root, "", true)} as const`
  )

  const base = ops[0]!.module
  const errorSets = [...family.errorSets].map(([set, name]) => ({ name, codes: set.split(","), text: `const ${name} = [...commonErrors, ${set.split(",").join(", ")}] as const` }))
  const sharedNames = split ? family.models.filter((m) => placeOf(m) === SHARED).map((m) => m.name!) : []
  const sharedStructs = split ? family.structs.filter((st) => placeOf(st) === SHARED).map((st) => st.name!) : []
  /** A module: the imports and error sets its body uses, then the body. */
  const moduleText = (body: ReadonlyArray<string>, depth: number, sharedFrom: string | undefined, before: ReadonlyArray<string> = []): string => {
    const up = "../".repeat(depth)
    const used = identifiers(body.join("\n"))
    const some = (names: Iterable<string>) => [...names].filter((n) => used.has(n)).sort()
    const named = (names: ReadonlyArray<string>, from: string) => (names.length > 0 ? [`import { ${names.join(", ")} } from "${from}"`] : [])
    const sets = errorSets.filter((e) => used.has(e.name))
    // one import of the prelude for what every module uses: Node's loader pays for each import statement
    const fromPrelude = [
      ...some(["Schema", "Endpoint", "commonErrors", ...family.codes, ...COMMON_HELPERS]),
      ...(sets.length > 0 ? ["commonErrors", ...sets.flatMap((e) => e.codes)] : []),
      ...(used.has("CommonError") ? ["type CommonError"] : [])
    ]
    const imports = [
      ...named([...new Set(fromPrelude)].sort(byName), `${depth === 1 ? "./" : "../".repeat(depth - 1)}prelude.js`),
      ...some(CURATED_MODULES).map((m) => `import * as ${m} from "${up}api/${m}.js"`),
      ...(sharedFrom === undefined ? [] : named([...some(sharedNames).map((n) => `type ${n}`), ...some(sharedStructs)], sharedFrom)),
      ...before
    ]
    return [HEADER, ...(imports.length > 0 ? [imports.join("\n")] : []), ...(sets.length > 0 ? [sets.map((e) => e.text).join("\n")] : []), ...body].join("\n\n") + "\n"
  }
  const modules = new Map<string, string>()
  for (const p of products) modules.set(`${base}/${p}`, moduleText(bodies.get(p)!, 2, `./${SHARED}.js`))
  if (shared.length > 0) modules.set(`${base}/${SHARED}`, moduleText(shared, 2, undefined))
  const reexports = [
    ...products.map((p) => `import { ${p} } from "./${base}/${p}.js"`),
    ...products.map((p) => `export * from "./${base}/${p}.js"`),
    ...(shared.length > 0 ? [`export type * from "./${base}/${SHARED}.js"`] : [])
  ]
  modules.set(base, moduleText([...bodies.get("")!, treeBlock], 1, `./${base}/${SHARED}.js`, reexports))
  return { modules, examples }
}

/** Import names in order, `type ` set aside. */
const byName = (a: string, b: string): number => {
  const [x, y] = [a.replace(/^type /, ""), b.replace(/^type /, "")]
  return x < y ? -1 : x > y ? 1 : 0
}

/** The identifiers a module's code names, its comments and strings left out: what it must import. */
const identifiers = (code: string): Set<string> =>
  new Set(
    code
      .replace(/\/\*[\s\S]*?\*\//g, " ")
      .replace(/"(?:[^"\\\n]|\\.)*"/g, "\"\"")
      .replace(/\/\/[^\n]*/g, " ")
      .match(/[A-Za-z_$][\w$]*/g) ?? []
  )
