/** Shared by the certificate-mode and callback tests: keys generated once per file, and small helpers. */
import { Effect } from "effect"
import type { Sandbox } from "../../src/sandbox/index.js"
import { keyOptions } from "../sandbox/support.js"
import { generateKeyPair } from "../support/keys.js"

export { beijingTime, docs, keyOptions } from "../sandbox/support.js"

const pem = () => generateKeyPair().pkcs8Pem

/** Keys for the sandbox's first platform certificates (start and two rotations), so no test waits for key generation. */
export const certificateKeys = [pem(), pem(), pem()]

export const sandboxOptions = { ...keyOptions, certificateKeys } as const

/** How many `GET /v3/certificates` the sandbox has received. */
export const certificateDownloads = (sandbox: Sandbox.SandboxService) =>
  Effect.map(sandbox.requests, (rs) => rs.filter((r) => r.method === "GET" && r.url.split("?")[0] === "/v3/certificates").length)
