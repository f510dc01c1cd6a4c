/** Self-signed X.509 certificates for platform-certificate mode, made with the `openssl` CLI. */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { TestKeyPair } from "./keys.js"

/** A self-signed certificate over `key`, with the given hex serial, valid from now for `days`. */
export const selfSignedCertificate = (key: TestKeyPair, serialHex: string, days = 30): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wxp-cert-"))
  try {
    const keyFile = path.join(dir, "key.pem")
    const certFile = path.join(dir, "cert.pem")
    fs.writeFileSync(keyFile, key.pkcs8Pem, { mode: 0o600 })
    execFileSync("openssl", [
      "req", "-x509", "-new", "-key", keyFile, "-out", certFile, "-days", String(days),
      "-subj", "/C=CN/O=Tenpay.com/CN=Tenpay.com Root CA test", "-set_serial", `0x${serialHex}`, "-sha256"
    ], { stdio: "pipe" })
    return fs.readFileSync(certFile, "utf8")
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
