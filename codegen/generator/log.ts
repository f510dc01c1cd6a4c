/**
 * What a run tells the person who runs it. Notes: each catalogue special case the generator
 * handled, printed grouped at the end. Warnings: each decision that drops something the catalogue
 * says (a type, an enum, a pattern, a field); each prints one line and is counted in the summary,
 * and the overlay is where one is settled. One log per process: a run is one process.
 */

const notes = new Map<string, Array<string>>()
const warnings: Array<string> = []

export const note = (kind: string, detail: string): void => {
  const list = notes.get(kind) ?? []
  if (!list.includes(detail)) list.push(detail)
  notes.set(kind, list)
}

export const warn = (kind: string, detail: string): void => {
  const line = `${kind}: ${detail}`
  if (!warnings.includes(line)) warnings.push(line)
  note(kind, detail)
}

export const warningCount = (): number => warnings.length

/** The warnings, one line each, then the special cases by kind (`limit` details of each; `--verbose`: all). */
export const printWarningsAndNotes = (limit: number): void => {
  if (warnings.length > 0) {
    console.log(`warnings: ${warnings.length} decisions dropped something the catalogue says (settle them in the overlay):`)
    for (const w of warnings) console.log(`  warning: ${w}`)
  }
  if (notes.size > 0) {
    console.log("catalogue special cases:")
    for (const [kind, details] of [...notes].sort(([a], [b]) => (a < b ? -1 : 1))) {
      console.log(`  ${kind} (${details.length}): ${details.slice(0, limit).join("; ")}${details.length > limit ? "; …" : ""}`)
    }
  }
}
