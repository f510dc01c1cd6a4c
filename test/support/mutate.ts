/** Small helpers to derive invalid inputs from valid ones. */

export type Path = ReadonlyArray<string | number>

/** A deep copy of `value` with the leaf at `path` replaced (or removed when `to` is `REMOVE`). */
export const REMOVE: unique symbol = Symbol("remove")

export const setAt = <T>(value: T, path: Path, to: unknown): T => {
  const copy = structuredClone(value) as unknown as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  if (to === REMOVE) delete parent[last]
  else parent[last] = to
  return copy as unknown as T
}

/** Every leaf of a JSON-like value with its path. */
export const leaves = (value: unknown, path: Path = []): Array<readonly [Path, unknown]> =>
  value !== null && typeof value === "object"
    ? Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, Array.isArray(value) ? Number(k) : k]))
    : [[path, value] as const]
