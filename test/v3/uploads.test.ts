/**
 * Multipart uploads: the Authorization signs the `meta` JSON only, the form carries it byte for
 * byte with the file, the `sha256` is filled in from the file, and a page's types and size limit
 * are checked before anything is sent. The sandbox parses the form with the platform's parser,
 * checks the signature over `meta` and the digest against the file.
 */
import { describe, expect, it } from "@effect/vitest"
import * as crypto from "node:crypto"
import { FetchHttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { WechatPay } from "../../src/index.js"
import { Sandbox } from "../../src/sandbox/index.js"
import { v3 } from "../../src/v3/index.js"

/** A real (1×1) PNG. */
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
  "hex"
)
const sha256 = (b: Uint8Array) => crypto.createHash("sha256").update(b).digest("hex")

describe("uploads", () => {
  it.effect("an image upload: meta signed, form sent, sha256 filled in, media_id answered", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const answer = yield* v3.merchant.media.upload.post({ file: PNG, meta: { filename: "pixel.png" } })
      expect(answer.media_id).toMatch(/./)
      const [request] = (yield* sandbox.requests).slice(-1)
      // the recorded body is the form; its meta part is exactly the signed JSON, then the file
      expect(request!.body).toMatch(/^------effect-wechatpay-[0-9a-f]{32}\r\nContent-Disposition: form-data; name="meta"\r\nContent-Type: application\/json\r\n\r\n\{/)
      expect(request!.body).toContain('name="file"; filename="pixel.png"\r\nContent-Type: image/png')
      expect(request!.body).toContain(`{"filename":"pixel.png","sha256":"${sha256(PNG)}"}`)
    }).pipe(Effect.provide(Sandbox.layer())))

  it.effect("a digest that is not the file's is refused by the sandbox (PARAM_ERROR on /meta/sha256)", () =>
    Effect.gen(function*() {
      const e = yield* Effect.flip(v3.merchant.media.upload.post({ file: PNG, meta: { filename: "pixel.png", sha256: "0".repeat(64) } }))
      expect(e._tag).toBe("ParamError")
      expect(JSON.stringify(e)).toContain("/meta/sha256")
    }).pipe(Effect.provide(Sandbox.layer())))

  it.effect("type, content and size are checked before sending", () =>
    Effect.gen(function*() {
      const sandbox = yield* Sandbox.Sandbox
      const before = (yield* sandbox.requests).length
      const wrongType = yield* Effect.flip(v3.merchant.media.upload.post({ file: PNG, meta: { filename: "pixel.gif" } }))
      expect(wrongType._tag).toBe("RequestValidationError")
      expect(wrongType.message).toContain("JPG, BMP, PNG")
      const notAPng = yield* Effect.flip(v3.merchant.media.upload.post({ file: new Uint8Array([1, 2, 3]), meta: { filename: "x.png" } }))
      expect(notAPng.message).toContain("not a PNG")
      const big = new Uint8Array(2 * 1024 * 1024 + 1)
      big.set(PNG)
      const tooBig = yield* Effect.flip(v3.merchant.media.upload.post({ file: big, meta: { filename: "big.png" } }))
      expect(tooBig.message).toContain("over this upload's 2 MB limit")
      const empty = yield* Effect.flip(v3.merchant.media.upload.post({ file: new Uint8Array(0), meta: { filename: "x.png" } }))
      expect(empty.message).toContain("empty")
      const noName = yield* Effect.flip(v3.merchant.media.upload.post({ file: PNG, meta: {} } as never))
      expect(noName._tag).toBe("RequestValidationError")
      expect((yield* sandbox.requests).length).toBe(before)
    }).pipe(Effect.provide(Sandbox.layer())))

  it.effect("an upload with text fields and a path parameter (mch-manage submission files)", () =>
    Effect.gen(function*() {
      const answer = yield* v3.mchManage.submissionFiles.subMchid._sub_mchid_.upload.post({
        sub_mchid: "1900000109",
        submission_file: PNG,
        meta: { file_name: "pixel.png", file_digest: sha256(PNG).toUpperCase() },
        item_id: 3,
        manage_record_id: "record-1"
      })
      expect(answer.file_id).toMatch(/./)
    }).pipe(Effect.provide(Sandbox.layer())))
})

describe("uploads over loopback: the sandbox parses the form and checks the signature over meta", () => {
  const upload = Effect.gen(function*() {
    const big = new Uint8Array(300 * 1024)
    big.set(PNG)
    const answer = yield* v3.merchant.media.upload.post({ file: big, meta: { filename: "big.png" } })
    expect(answer.media_id).toMatch(/./)
    const e = yield* Effect.flip(v3.merchant.media.upload.post({ file: PNG, meta: { filename: "pixel.png", sha256: sha256(big) } }))
    expect(e._tag).toBe("ParamError")
  })

  it.scoped("over undici", () =>
    Effect.gen(function*() {
      const server = yield* Sandbox.make()
      yield* upload.pipe(Effect.provide(server.clientLayer().pipe(Layer.provide(NodeHttpClient.layerUndici))))
    }))

  it.scoped("over fetch", () =>
    Effect.gen(function*() {
      const server = yield* Sandbox.make()
      yield* upload.pipe(Effect.provide(server.clientLayer().pipe(Layer.provide(FetchHttpClient.layer))))
    }))

  it.scoped("over the lean node:http transport (layerNode)", () =>
    Effect.gen(function*() {
      const server = yield* Sandbox.make()
      const options = server.wechatPayOptions({ baseUrl: server.url, backupBaseUrl: null })
      yield* upload.pipe(Effect.provide(WechatPay.layerNode(options)))
    }))
})
