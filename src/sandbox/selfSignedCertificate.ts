/**
 * Minimal self-signed X.509 v3 certificates for the sandbox's certificate mode. Node can parse
 * certificates (`crypto.X509Certificate`) but not make them, and the sandbox must run anywhere
 * without an `openssl` binary, so this writes the few DER structures a platform certificate needs:
 * serial, validity, a CN, the RSA public key, signed SHA256withRSA.
 */
import * as crypto from "node:crypto"

const tlv = (tag: number, content: Buffer): Buffer => {
  const n = content.length
  const length = n < 0x80
    ? Buffer.from([n])
    : n < 0x100
    ? Buffer.from([0x81, n])
    : n < 0x10000
    ? Buffer.from([0x82, n >> 8, n & 0xff])
    : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff])
  return Buffer.concat([Buffer.from([tag]), length, content])
}
const sequence = (...items: Array<Buffer>) => tlv(0x30, Buffer.concat(items))
const set = (...items: Array<Buffer>) => tlv(0x31, Buffer.concat(items))
const integer = (bytes: Buffer) => tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes)
const oid = (dotted: string): Buffer => {
  const parts = dotted.split(".").map(Number)
  const out = [parts[0]! * 40 + parts[1]!]
  for (const p of parts.slice(2)) {
    const stack = [p & 0x7f]
    for (let v = p >> 7; v > 0; v >>= 7) stack.unshift((v & 0x7f) | 0x80)
    out.push(...stack)
  }
  return tlv(0x06, Buffer.from(out))
}
const utf8String = (s: string) => tlv(0x0c, Buffer.from(s, "utf8"))
const time = (d: Date): Buffer => {
  const iso = d.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z" // YYYYMMDDHHMMSSZ
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), "ascii")) : tlv(0x18, Buffer.from(iso, "ascii"))
}

const SHA256_WITH_RSA = sequence(oid("1.2.840.113549.1.1.11"), Buffer.from([0x05, 0x00]))
const name = (commonName: string) => sequence(set(sequence(oid("2.5.4.3"), utf8String(commonName))))

export interface SelfSignedOptions {
  readonly serialHex: string
  readonly commonName: string
  readonly notBefore: Date
  readonly notAfter: Date
  readonly privateKey: crypto.KeyObject
}

/** A PEM certificate whose public key is the one of `privateKey`, signed by itself. */
export const selfSignedCertificate = (o: SelfSignedOptions): string => {
  const publicKey = crypto.createPublicKey(o.privateKey).export({ type: "spki", format: "der" })
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // v3
    integer(Buffer.from(o.serialHex.length % 2 ? "0" + o.serialHex : o.serialHex, "hex")),
    SHA256_WITH_RSA,
    name(o.commonName),
    sequence(time(o.notBefore), time(o.notAfter)),
    name(o.commonName),
    publicKey
  )
  const signature = crypto.sign("sha256", tbs, o.privateKey)
  const der = sequence(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])))
  const b64 = der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`
}
