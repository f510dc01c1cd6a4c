/** The shared deadline timer behind `NodeTransport`'s per-attempt timeouts. */
import { describe, expect, it } from "vitest"
import * as Deadlines from "../../src/internal/Deadlines.js"

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe("Deadlines", () => {
  it("expires what is due, in any order of adding; a cancelled one never fires", async () => {
    const d = Deadlines.make()
    const fired: Array<string> = []
    const start = Date.now()
    d.add(120, () => fired.push("120"))
    const cancel = d.add(40, () => fired.push("cancelled"))
    d.add(20, () => fired.push("20"))
    d.add(80, () => fired.push("80"))
    cancel()
    expect(d.size()).toBe(3)
    await sleep(60)
    expect(fired).toEqual(["20"])
    await sleep(100)
    expect(fired).toEqual(["20", "80", "120"])
    expect(Date.now() - start).toBeGreaterThanOrEqual(120)
    expect(d.size()).toBe(0)
  })

  it("cancelling after expiry, or twice, is harmless; an expiry that adds another deadline works", async () => {
    const d = Deadlines.make()
    const fired: Array<number> = []
    const cancel = d.add(5, () => {
      fired.push(1)
      d.add(5, () => fired.push(2))
    })
    await sleep(40)
    cancel()
    cancel()
    expect(fired).toEqual([1, 2])
    expect(d.size()).toBe(0)
  })

  it("holds no deadline after many requests that finished in time", () => {
    const d = Deadlines.make()
    for (let i = 0; i < 10_000; i++) d.add(10_000, () => expect.unreachable())()
    expect(d.size()).toBe(0)
  })
})
