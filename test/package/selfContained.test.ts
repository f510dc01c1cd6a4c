/**
 * The repository builds and tests from its own files: nothing it runs reads the shared folder
 * beside the clone, which only the project's own machines have. The catalogue is vendored under
 * vendor/wechatpay-openapi with its licence.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

const root = path.resolve(import.meta.dirname, "../..")

describe("a self-contained clone", () => {
  it("no tracked file outside vendor/ points at the folder beside the clone", () => {
    const files = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n").filter((f) => f !== "" && !f.startsWith("vendor/"))
    const pointing = files.filter((f) => {
      const file = path.join(root, f)
      return fs.existsSync(file) && fs.statSync(file).isFile() && fs.readFileSync(file, "utf8").includes("../" + "shared")
    })
    expect(pointing).toEqual([])
  })

  it("the catalogue is in the repository, with its licence and upstream commit", () => {
    const catalogue = path.join(root, "vendor", "wechatpay-openapi")
    expect(fs.readFileSync(path.join(catalogue, "LICENSE"), "utf8")).toContain("James ZHANG(TheNorthMemory)")
    expect(fs.readFileSync(path.join(catalogue, "README.md"), "utf8")).toMatch(/commit `[0-9a-f]{40}`/)
    expect(fs.existsSync(path.join(catalogue, "docs", "swagger.yaml"))).toBe(true)
  })
})
