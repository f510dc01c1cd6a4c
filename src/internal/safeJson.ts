/**
 * JSON from a party that may be hostile (a notification's body, or its decrypted resource when a
 * key leaked or WeChat Pay has a bug): bounded nesting, no key that could reach an object's
 * prototype, no number that JavaScript cannot hold exactly. A problem is described without quoting
 * the text, since the text may be decrypted plaintext.
 */

export type SafeJson =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: string }

/** Keys that, assigned rather than defined, would change an object's prototype downstream. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"])

/** Default bound on `[`/`{` nesting: WeChat Pay's deepest resources nest 4 or 5 levels. */
export const DEFAULT_MAX_DEPTH = 32

/**
 * The deepest `[`/`{` nesting of a JSON text, counted without parsing (strings skipped), so a
 * reviver's recursion is only run on text known to be shallow.
 */
const nestingDepth = (text: string): number => {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) deepest = depth
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return deepest
}

class Refused {
  constructor(readonly problem: string) {}
}

const reviver = function(this: unknown, key: string, value: unknown) {
  if (FORBIDDEN_KEYS.has(key) && this !== null && typeof this === "object" && !Array.isArray(this)) {
    throw new Refused(`it has a "${key}" key`)
  }
  if (typeof value === "number" && (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value)))) {
    throw new Refused("it has a number beyond what JavaScript holds exactly (2^53)")
  }
  return value
}

export const parseJsonSafely = (text: string, maxDepth: number = DEFAULT_MAX_DEPTH): SafeJson => {
  if (nestingDepth(text) > maxDepth) return { ok: false, problem: `it nests deeper than ${maxDepth} levels` }
  try {
    return { ok: true, value: JSON.parse(text, reviver) }
  } catch (e) {
    return { ok: false, problem: e instanceof Refused ? e.problem : "it is not JSON" }
  }
}
