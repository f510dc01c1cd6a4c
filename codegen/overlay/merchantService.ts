import type { OperationOverlay } from "../overlay.js"
import { IMAGE_TYPES, MB } from "./fileLimits.js"

/** 商户服务 (merchant-service): 商户上传反馈图片, the types and size limit its page gives its file. */

export const merchantService: Readonly<Record<string, OperationOverlay>> = {
  "POST /v3/merchant-service/images/upload": {
    required: { add: ["meta.filename"] },
    fields: { "meta.filename": { minLength: 1, maxLength: 128 } },
    // https://pay.weixin.qq.com/doc/v3/partner/4012467222 (商户上传反馈图片: jpg、bmp、png, 2M)
    upload: { types: IMAGE_TYPES, maxBytes: 2 * MB }
  }
}
