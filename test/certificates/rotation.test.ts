/**
 * Certificate mode against the sandbox, through the real client: the automatic mode follows the
 * sandbox's rotations with exactly one refresh per new certificate; an unknown serial costs one
 * refresh however many answers carry it; public-key mode never downloads; static certificates
 * from the sandbox's PEMs; both modes at once.
 */
import { HttpClient, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as crypto from "node:crypto"
import { Effect, Layer, Redacted, TestClock } from "effect"
import { DiscountCard, MembercardOpen, WechatPay } from "../../src/api/index.js"
import * as WechatPayClient from "../../src/api/WechatPayClient.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { aeadDecrypt } from "../../src/signing/crypto.js"
import { certificateDownloads, docs, sandboxOptions } from "./support.js"

const update = DiscountCard.updateOrder(docs.updateOrder)
const prepare = MembercardOpen.prepareBonus(docs.prepareBonus)

/** A sandbox in memory (and its client) on a TestClock set to now: certificates look real, time moves only when told. */
const withSandbox = <A, E>(options: Sandbox.Options, body: Effect.Effect<A, E, Sandbox.Sandbox | WechatPayClient.WechatPayClient>) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(Date.now())
    return yield* Effect.provide(body, Sandbox.layer({ ...sandboxOptions, ...options }))
  })

/** A client from explicit options over the sandbox's in-memory HttpClient (for setups `layer` does not build). */
const clientOver = (sandbox: Sandbox.SandboxService, platform: WechatPay.PlatformOptions) =>
  WechatPay.layer({ ...sandbox.wechatPayOptions({ backupBaseUrl: null }), platform }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, sandbox.httpClient))
  )

const serialOf = (pem: string) => new crypto.X509Certificate(pem).serialNumber.toUpperCase()

describe("sandbox certificate mode", () => {
  it.effect("serves /v3/certificates: each certificate AEAD-encrypted with the APIv3 key, serial and validity as issued", () =>
    withSandbox(
      { platform: "certificates" },
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const [cert] = yield* sandbox.certificates
        expect(cert!.serialNo).toMatch(/^[0-9A-F]{40}$/)
        expect(serialOf(cert!.certificate)).toBe(cert!.serialNo)
        const body = yield* WechatPay.request<{ data: ReadonlyArray<Record<string, any>> }>({ method: "GET", path: "/v3/certificates" })
        expect(body.data).toHaveLength(1)
        const entry = body.data[0]!
        expect(entry).toMatchObject({ serial_no: cert!.serialNo, effective_time: cert!.effectiveTime, expire_time: cert!.expireTime })
        expect(entry.encrypt_certificate).toMatchObject({ algorithm: "AEAD_AES_256_GCM", associated_data: "certificate" })
        const plain = aeadDecrypt({ key: Redacted.value(sandbox.apiV3Key), nonce: entry.encrypt_certificate.nonce, associatedData: "certificate", ciphertext: entry.encrypt_certificate.ciphertext })
        expect(plain).toBe(cert!.certificate)
        // the client downloaded once when built, and once more for this call
        expect(yield* certificateDownloads(sandbox)).toBe(2)
      })
    ))

  it.effect("calls keep succeeding while the sandbox rotates: one refresh per new certificate", () =>
    withSandbox(
      { platform: "certificates" },
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const [first] = yield* sandbox.certificates
        yield* update
        expect(yield* certificateDownloads(sandbox)).toBe(1) // when the client was built

        // Phase one: the next certificate is published; the old one keeps signing, nothing to download.
        const second = yield* sandbox.rotateCertificates()
        yield* Effect.all(Array.from({ length: 6 }, () => prepare), { concurrency: 3 })
        expect((yield* sandbox.certificates).map((c) => c.serialNo)).toEqual([first!.serialNo, second.serialNo]) // overlapping
        expect(yield* certificateDownloads(sandbox)).toBe(1)

        // Phase two, while calls are in flight: it starts signing; one refresh learns it.
        const during = yield* Effect.fork(Effect.all(Array.from({ length: 12 }, () => update), { concurrency: 4 }))
        expect(yield* sandbox.startSigningWith(second.serialNo)).toBe(true)
        yield* Effect.all(Array.from({ length: 6 }, () => prepare), { concurrency: 3 })
        expect((yield* during.await)._tag).toBe("Success")
        expect(yield* certificateDownloads(sandbox)).toBe(2)

        // Past the client's on-demand gap (60 s), the next one retires the others at once.
        yield* TestClock.adjust("2 minutes")
        const third = yield* sandbox.rotateCertificates({ retireOld: true })
        yield* Effect.all(Array.from({ length: 6 }, () => update), { concurrency: 3 })
        expect((yield* sandbox.certificates).map((c) => c.serialNo)).toEqual([third.serialNo])
        expect(yield* certificateDownloads(sandbox)).toBe(3)
        // every answer was accepted
        expect((yield* sandbox.requests).every((r) => r.status === 200 || r.status === 204)).toBe(true)
      })
    ))

  it.effect("an unknown serial triggers exactly one refresh, however many answers carry it", () =>
    withSandbox(
      { platform: "certificates" },
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        yield* update
        expect(yield* certificateDownloads(sandbox)).toBe(1)
        yield* sandbox.inject({ path: "/v3/discount-card/orders/*", fault: { type: "unknown-serial" }, times: 5 })
        for (let i = 0; i < 5; i++) {
          const e = yield* Effect.flip(update)
          expect(e._tag === "ResponseVerificationError" && e.reason).toBe("UnknownSerial")
        }
        expect(yield* certificateDownloads(sandbox)).toBe(2)
        yield* update // the real certificate still verifies
        expect(yield* certificateDownloads(sandbox)).toBe(2)
      })
    ))

  it.effect("a public-key setup makes zero certificate calls; /v3/certificates answers 404 there, so \"auto\" refuses to start", () =>
    withSandbox(
      {},
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        expect(sandbox.platformMode).toBe("publicKey")
        yield* update
        yield* prepare
        expect(yield* certificateDownloads(sandbox)).toBe(0)
        expect(yield* sandbox.certificates).toEqual([])
        const e = yield* Effect.flip(WechatPay.request({ method: "GET", path: "/v3/certificates" }))
        expect(e).toMatchObject({ status: 404, code: "RESOURCE_NOT_EXISTS" })
        expect(e.message).toContain("无可用的平台证书")
        const auto = yield* Effect.flip(Layer.build(clientOver(sandbox, { certificates: "auto" })).pipe(Effect.scoped))
        expect(auto._tag).toBe("CertificateError")
      })
    ))

  it.effect("static certificate mode from the sandbox's PEMs: no downloads; a rotation needs the new PEM", () =>
    withSandbox(
      { platform: "certificates" },
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const before = yield* certificateDownloads(sandbox)
        const pems = (yield* sandbox.certificates).map((c) => c.certificate)
        yield* Effect.provide(Effect.zipRight(update, prepare), clientOver(sandbox, { certificates: pems }))
        expect(yield* certificateDownloads(sandbox)).toBe(before)

        // phased: the known PEMs keep working until the new certificate signs
        const next = yield* sandbox.rotateCertificates()
        yield* Effect.provide(update, clientOver(sandbox, { certificates: pems }))
        yield* sandbox.startSigningWith(next.serialNo)
        const e = yield* Effect.flip(Effect.provide(update, clientOver(sandbox, { certificates: pems })))
        expect(e._tag === "ResponseVerificationError" && e.reason).toBe("UnknownSerial")
        yield* Effect.provide(update, clientOver(sandbox, { certificates: [...pems, next.certificate] }))
        expect(yield* certificateDownloads(sandbox)).toBe(before)
      })
    ))

  it.effect("the lead: a published certificate starts signing by itself once the lead has passed in sandbox time", () =>
    withSandbox(
      { platform: "certificates", certificateLead: "2 days" },
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const client = yield* WechatPayClient.WechatPayClient
        const serial = Effect.map(
          client.attempt({ method: "GET", url: `/v3/marketing/busifavor/callbacks?mchid=${sandbox.mchid}`, body: undefined }),
          (r) => r.headers["wechatpay-serial"]
        )
        const [first] = yield* sandbox.certificates
        const next = yield* sandbox.rotateCertificates()
        expect(next.signsFrom > first!.signsFrom).toBe(true)
        yield* TestClock.adjust("47 hours")
        expect(yield* serial).toBe(first!.serialNo)
        yield* TestClock.adjust("2 hours")
        expect(yield* serial).toBe(next.serialNo)
        // and an abrupt change, for tests of one: signs at once
        const third = yield* sandbox.rotateCertificates({ signNow: true })
        expect(yield* serial).toBe(third.serialNo)
      })
    ))

  it.effect("both modes at once: answers signed with the public key or a certificate both verify", () =>
    withSandbox(
      { platform: "both" },
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        yield* update
        expect((yield* sandbox.requests).at(-1)!.status).toBe(200)
        yield* sandbox.useSigningKey("certificate")
        yield* update
        yield* sandbox.useSigningKey("publicKey")
        yield* prepare
        expect(yield* certificateDownloads(sandbox)).toBe(1) // at start only: every serial was known

        // a public-key-only client cannot follow the certificate, a certificate-only one can
        yield* sandbox.useSigningKey("certificate")
        const e = yield* Effect.flip(Effect.provide(update, clientOver(sandbox, { publicKeyId: sandbox.platformPublicKeyId, publicKey: sandbox.platformPublicKey })))
        expect(e._tag === "ResponseVerificationError" && e.reason).toBe("UnknownSerial")
        yield* Effect.provide(update, clientOver(sandbox, { certificates: "auto" }))
      })
    ))

  it.effect("migration (\"both\"): an answer is signed by the key the request's Wechatpay-Serial names, else by the default", () =>
    withSandbox(
      { platform: "both" },
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const [certificate] = yield* sandbox.certificates
        const client = yield* WechatPayClient.WechatPayClient
        const answeredBy = (headers: Record<string, string> | undefined) =>
          Effect.map(
            client.attempt({ method: "GET", url: `/v3/marketing/busifavor/callbacks?mchid=${sandbox.mchid}`, body: undefined, headers }),
            (r) => r.headers["wechatpay-serial"]
          )
        // a client in certificate mode (as the official SDKs send it on every request) gets a certificate's signature
        expect(yield* answeredBy({ "wechatpay-serial": certificate!.serialNo })).toBe(certificate!.serialNo)
        expect(yield* answeredBy({ "wechatpay-serial": certificate!.serialNo.toLowerCase() })).toBe(certificate!.serialNo)
        // a public-key client, no header, or an unknown serial: the configured default (the public key)
        expect(yield* answeredBy({ "wechatpay-serial": sandbox.platformPublicKeyId })).toBe(sandbox.platformPublicKeyId)
        expect(yield* answeredBy(undefined)).toBe(sandbox.platformPublicKeyId)
        expect(yield* answeredBy({ "wechatpay-serial": "5EED00000000000000000000000000000000DEAD" })).toBe(sandbox.platformPublicKeyId)
        // with the certificate as the default, a public-key client still gets the public key
        yield* sandbox.useSigningKey("certificate")
        expect(yield* answeredBy({ "wechatpay-serial": sandbox.platformPublicKeyId })).toBe(sandbox.platformPublicKeyId)
        expect(yield* answeredBy(undefined)).toBe(certificate!.serialNo)
        // and a certificate-only client that names its certificate verifies every answer
        yield* Effect.provide(update, clientOver(sandbox, { certificates: [certificate!.certificate] }).pipe(Layer.fresh))
        yield* sandbox.useSigningKey("publicKey")
        const named = WechatPay.request({ method: "PATCH", path: `/v3/discount-card/orders/${docs.updateOrder.out_order_no}`, body: { objectives: docs.updateOrder.objectives }, headers: { "Wechatpay-Serial": certificate!.serialNo } })
        yield* Effect.provide(named, clientOver(sandbox, { certificates: [certificate!.certificate] }))
        const unnamed = yield* Effect.flip(Effect.provide(update, clientOver(sandbox, { certificates: [certificate!.certificate] })))
        expect(unnamed._tag === "ResponseVerificationError" && unnamed.reason).toBe("UnknownSerial")
      })
    ))

  it.effect("rotation over HTTP control routes: rotate, list, retire", () =>
    withSandbox(
      { platform: "certificates" },
      Effect.gen(function*() {
        const sandbox = yield* Sandbox.Sandbox
        const control = (method: string, path: string, body?: unknown) =>
          Effect.gen(function*() {
            const request = HttpServerRequest.fromWeb(
              new Request(`http://sandbox/__sandbox${path}`, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
            )
            const web = HttpServerResponse.toWeb(yield* Effect.provideService(sandbox.app, HttpServerRequest.HttpServerRequest, request))
            return { status: web.status, text: yield* Effect.promise(() => web.text()) }
          })
        const [first] = yield* sandbox.certificates
        const rotated = yield* control("POST", "/certificates/rotate", {})
        expect(rotated.status).toBe(200)
        const added = JSON.parse(rotated.text)
        expect(added.serialNo).toMatch(/^[0-9A-F]{40}$/)
        const listed = JSON.parse((yield* control("GET", "/certificates")).text)
        expect(listed.mode).toBe("certificates")
        expect(listed.certificates.map((c: { serialNo: string }) => c.serialNo)).toEqual([first!.serialNo, added.serialNo])
        expect((yield* control("POST", "/certificates/start-signing", { serial_no: added.serialNo })).status).toBe(204)
        expect((yield* control("POST", "/certificates/start-signing", { serial_no: "5EED00000000000000000000000000000000DEAD" })).status).toBe(404)
        expect((yield* control("POST", "/certificates/retire", { serial_no: first!.serialNo })).status).toBe(204)
        expect((yield* sandbox.certificates).map((c) => c.serialNo)).toEqual([added.serialNo])
        yield* update // the client learns the new certificate with one refresh
      })
    ))
})
