/**
 * The sandbox's WeChat Pay keys: a public key (public-key mode, `PUB_KEY_ID_…`), platform
 * certificates (certificate mode: an RSA key and a self-signed certificate each, rotating), or
 * both at once (a merchant migrating). Says which key signs answers and callbacks now, and builds
 * the `GET /v3/certificates` answer.
 */
import { ResourceNotExists } from "../errors/codes.js"
import * as crypto from "node:crypto"
import { aeadEncrypt, normalizeSerial, randomNonce } from "../signing/crypto.js"
import type { SigningKey } from "./Protocol.js"
import { selfSignedCertificate } from "./selfSignedCertificate.js"

/** Which verification modes the sandbox offers a merchant. */
export type PlatformMode = "publicKey" | "certificates" | "both"

/** One platform certificate as the sandbox holds it. */
export interface PlatformCertificate {
  /** Upper-case hex, as `Wechatpay-Serial` carries it. */
  readonly serialNo: string
  /** PEM: what a static certificate-mode client configures (`platform: { certificates: [pem] }`). */
  readonly certificate: string
  /** RFC 3339 (UTC+8), as `/v3/certificates` writes them. */
  readonly effectiveTime: string
  readonly expireTime: string
  /** Retired certificates are no longer served nor used. */
  readonly retired: boolean
  /** From when it signs (RFC 3339, UTC+8); before that it is only published. */
  readonly signsFrom: string
}

/** The key answers and callbacks are signed with, and the id that goes in `Wechatpay-Serial`. */
export type { SigningKey } from "./Protocol.js"

interface Held extends Omit<PlatformCertificate, "signsFrom"> {
  readonly privateKey: crypto.KeyObject
  retired: boolean
  /** Sandbox time (ms) from which it signs; until then it is only published in `/v3/certificates`. */
  signsFrom: number
}

/** RFC 3339 in UTC+8 (as WeChat Pay writes times), without fractions. */
export const beijingTime = (millis: number): string =>
  new Date(millis + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "+08:00")

const CERTIFICATE_DAYS = 5 * 365
const DAY_MS = 86_400_000

/** 20 random bytes, upper-case hex, first byte in 0x10..0x7f: no sign byte, no leading zero to normalize away. */
export const randomSerial = (): string => {
  const bytes = crypto.randomBytes(20)
  bytes[0] = 0x10 + (bytes[0]! % 0x70)
  return bytes.toString("hex").toUpperCase()
}

/** The answer real WeChat Pay gives merchants without platform certificates (onboarded from 2024-10). */
export const NO_CERTIFICATES = {
  status: ResourceNotExists.status,
  code: ResourceNotExists.code,
  message: "无可用的平台证书，请在商户平台-API安全申请使用微信支付公钥。可查看指引https://pay.weixin.qq.com/docs/merchant/products/platform-certificate/wxp-pub-key-guide.html"
} as const

export class PlatformKeys {
  private certs: Array<Held> = []
  private preferred: "publicKey" | "certificate"

  constructor(
    readonly mode: PlatformMode,
    readonly publicKey: { readonly id: string; readonly privateKey: crypto.KeyObject },
    private readonly apiV3Key: string
  ) {
    this.preferred = mode === "certificates" ? "certificate" : "publicKey"
  }

  get hasCertificates(): boolean {
    return this.mode !== "publicKey"
  }

  /**
   * Issues a certificate for `privateKey`, valid from an hour before `nowMillis` for five years,
   * published at once and signing from `signsFrom` (default: now).
   */
  addCertificate(privateKey: crypto.KeyObject, nowMillis: number, signsFrom: number = nowMillis): PlatformCertificate {
    const notBefore = nowMillis - 3600_000
    const notAfter = nowMillis + CERTIFICATE_DAYS * DAY_MS
    const serialNo = randomSerial()
    const certificate = selfSignedCertificate({
      serialHex: serialNo,
      commonName: "Tenpay.com Root CA (effect-wechatpay sandbox)",
      notBefore: new Date(notBefore),
      notAfter: new Date(notAfter),
      privateKey
    })
    const held: Held = {
      serialNo,
      certificate,
      effectiveTime: beijingTime(notBefore),
      expireTime: beijingTime(notAfter),
      retired: false,
      privateKey,
      signsFrom
    }
    this.certs.push(held)
    return view(held)
  }

  /** Stops serving and signing with it. Answers whether such an active certificate existed. */
  retire(serialNo: string): boolean {
    const held = this.certs.find((c) => c.serialNo === normalizeSerial(serialNo) && !c.retired)
    if (held === undefined) return false
    held.retired = true
    return true
  }

  /** Every certificate ever issued, oldest first (retired ones flagged). */
  all(): ReadonlyArray<PlatformCertificate> {
    return this.certs.map(view)
  }

  active(): ReadonlyArray<PlatformCertificate> {
    return this.certs.filter((c) => !c.retired).map(view)
  }

  /** In `"both"` mode: whether answers are signed with the public key or the newest certificate. */
  preferSigningWith(which: "publicKey" | "certificate"): void {
    this.preferred = which
  }

  get signingWith(): "publicKey" | "certificate" {
    return this.mode === "publicKey" ? "publicKey" : this.mode === "certificates" ? "certificate" : this.preferred
  }

  /** The certificate that signs at `nowMillis` (certificate mode), else the public key. */
  current(nowMillis: number): SigningKey {
    if (this.signingWith === "certificate") {
      const signing = this.signingCertificateKey(nowMillis)
      if (signing !== undefined) return signing
    }
    return { serial: this.publicKey.id, privateKey: this.publicKey.privateKey }
  }

  /**
   * In `"both"` mode (a merchant migrating), the key a request names in `Wechatpay-Serial`: the
   * public key by its id, or an active certificate by its serial. `undefined` (sign with the
   * default) for any other mode, no header, or a name the sandbox does not know.
   */
  keyNamed(serial: string | undefined): SigningKey | undefined {
    if (this.mode !== "both" || serial === undefined || serial === "") return undefined
    if (serial === this.publicKey.id) return { serial: this.publicKey.id, privateKey: this.publicKey.privateKey }
    const held = this.certs.find((c) => !c.retired && c.serialNo === normalizeSerial(serial))
    return held !== undefined ? { serial: held.serialNo, privateKey: held.privateKey } : undefined
  }

  /**
   * The certificate signing at `nowMillis`: of the active ones whose signing has started, the one
   * that started last (a published certificate waits for its turn; the old one keeps signing).
   * It also signs `/v3/certificates` whatever the mode's preference, so a client that checks each
   * download with the certificates it already knows can always read the next one.
   */
  signingCertificateKey(nowMillis: number): SigningKey | undefined {
    let chosen: Held | undefined
    // compared in whole seconds: answers are signed at second resolution
    const now = Math.floor(nowMillis / 1000)
    for (const c of this.certs) {
      if (c.retired || Math.floor(c.signsFrom / 1000) > now) continue
      if (chosen === undefined || c.signsFrom >= chosen.signsFrom) chosen = c
    }
    // none has started (the signing ones retired early): the newest active, rather than nothing
    chosen ??= this.certs.filter((c) => !c.retired).at(-1)
    return chosen !== undefined ? { serial: chosen.serialNo, privateKey: chosen.privateKey } : undefined
  }

  /** Starts signing with this active certificate now. Answers whether it exists. */
  startSigningWith(serialNo: string, nowMillis: number): boolean {
    const held = this.certs.find((c) => c.serialNo === normalizeSerial(serialNo) && !c.retired)
    if (held === undefined) return false
    held.signsFrom = nowMillis
    return true
  }

  /** The `GET /v3/certificates` body: each active certificate AEAD-encrypted with the APIv3 key. */
  downloadBody(): string {
    const data = this.certs.filter((c) => !c.retired).map((c) => {
      const nonce = randomNonce().slice(0, 12)
      return {
        serial_no: c.serialNo,
        effective_time: c.effectiveTime,
        expire_time: c.expireTime,
        encrypt_certificate: {
          algorithm: "AEAD_AES_256_GCM",
          associated_data: "certificate",
          nonce,
          ciphertext: aeadEncrypt({ key: this.apiV3Key, nonce, associatedData: "certificate", plaintext: c.certificate })
        }
      }
    })
    return JSON.stringify({ data })
  }
}

const view = (c: Held): PlatformCertificate => ({
  serialNo: c.serialNo,
  certificate: c.certificate,
  effectiveTime: c.effectiveTime,
  expireTime: c.expireTime,
  retired: c.retired,
  signsFrom: beijingTime(c.signsFrom)
})
