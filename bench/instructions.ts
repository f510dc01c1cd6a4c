/**
 * Instructions per call, counted by valgrind's callgrind: unlike CPU time, the count does not
 * move with the machine's load, so it can tell two builds apart on a shared machine. Only the
 * measured calls are counted (instrumentation is switched on after the warm-up); the server runs
 * outside valgrind. About a minute per arm; one core.
 *
 *   npx tsx bench/instructions.ts [--calls 200] ARM ARM …
 *
 * An ARM is a client name of `bench/client.ts`, or `label=DIR:client` as in `bench/ab.ts`.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { build } from "./build.js"

const args = process.argv.slice(2)
const at = args.indexOf("--calls")
const calls = at < 0 ? 200 : Number(args.splice(at, 2)[1])
const dir = build()
const arms = args.map((a) => {
  const m = /^([^=]+)=(.+):([^:]+)$/.exec(a)
  return m === null ? { label: a, dir, client: a } : { label: m[1]!, dir: m[2]!, client: m[3]! }
})

const main = async () => {
  const server = spawn(process.execPath, [path.join(dir, "src", "sandbox", "cli.js"), "--bench"], { stdio: ["ignore", "pipe", "inherit"] })
  process.on("exit", () => server.kill("SIGTERM"))
  const credentials = await new Promise<string>((resolve) => createInterface({ input: server.stdout! }).once("line", resolve))
  for (const arm of arms) {
    const sync = path.join(os.tmpdir(), `instructions-${process.pid}-${arm.label}`)
    const log = `${sync}.log`
    const child = spawn(
      "valgrind",
      ["--tool=callgrind", "--instr-atstart=no", "--smc-check=all-non-file", `--callgrind-out-file=${sync}.out`, `--log-file=${log}`, process.execPath, path.join(arm.dir, "bench", "countClient.js"), arm.client, "300", String(calls), sync],
      { env: { ...process.env, BENCH_CREDENTIALS: credentials }, stdio: ["ignore", "inherit", "inherit"] }
    )
    let exited = false
    child.once("exit", () => (exited = true))
    while (!fs.existsSync(sync) || fs.readFileSync(sync, "utf8") === "") {
      if (exited) throw new Error(`${arm.label}: the client exited before its warm-up ended (${log})`)
      await new Promise((r) => setTimeout(r, 200))
    }
    spawnSync("callgrind_control", ["-i", "on", String(child.pid)], { stdio: "ignore" })
    fs.rmSync(sync)
    await new Promise((r) => child.once("exit", r))
    const total = Number(/Collected : (\d+)/.exec(fs.readFileSync(log, "utf8"))?.[1])
    console.log(`${arm.label.padEnd(16)} ${(total / calls / 1e6).toFixed(3)} M instructions/call (${calls} calls)`)
    for (const f of fs.readdirSync(os.tmpdir())) if (f.startsWith(path.basename(sync))) fs.rmSync(path.join(os.tmpdir(), f))
  }
  process.exit(0)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
