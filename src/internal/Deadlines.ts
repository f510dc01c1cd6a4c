/**
 * One timer for many deadlines. A `setTimeout` + `clearTimeout` per request costs tens of µs in
 * a real call (a timer list is made and dropped each time); here a request only adds itself to a
 * set, and a single unref'd timer, armed for the earliest deadline, expires whatever is due.
 * With a constant timeout each new deadline is later than the armed one, so the timer is touched
 * only when it fires.
 */

export interface Deadline {
  readonly at: number
  readonly expire: () => void
}

export interface Deadlines {
  /** Calls `expire` at `Date.now() + millis` unless cancelled first; answers the cancel function. */
  readonly add: (millis: number, expire: () => void) => () => void
  /** How many deadlines are pending (for tests). */
  readonly size: () => number
}

export const make = (): Deadlines => {
  const pending = new Set<Deadline>()
  let timer: ReturnType<typeof setTimeout> | undefined
  let armedAt = Infinity

  const arm = (at: number) => {
    if (timer !== undefined) clearTimeout(timer)
    armedAt = at
    timer = setTimeout(fire, Math.max(0, at - Date.now()))
    timer.unref()
  }

  function fire() {
    timer = undefined
    armedAt = Infinity
    const now = Date.now()
    let next = Infinity
    const due: Array<Deadline> = []
    for (const d of pending) {
      if (d.at <= now) due.push(d)
      else if (d.at < next) next = d.at
    }
    for (const d of due) pending.delete(d)
    if (next !== Infinity) arm(next)
    for (const d of due) d.expire()
  }

  return {
    add: (millis, expire) => {
      const d: Deadline = { at: Date.now() + Math.max(0, millis), expire }
      pending.add(d)
      if (d.at < armedAt) arm(d.at)
      return () => void pending.delete(d)
    },
    size: () => pending.size
  }
}
