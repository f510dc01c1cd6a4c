import type { OperationOverlay } from "../overlay.js"
import { IMAGE_TYPES, MB } from "./fileLimits.js"

/** 商户 (merchant): 图片上传 and 视频上传, the types and size limits each page gives its file. */

export const merchant: Readonly<Record<string, OperationOverlay>> = {
  "POST /v3/merchant/media/upload": {
    required: { add: ["meta.filename"] },
    fields: { "meta.filename": { minLength: 1, maxLength: 128 } },
    // https://pay.weixin.qq.com/doc/v3/partner/4012760509 (图片上传: JPG、BMP、PNG, 2M)
    upload: { types: IMAGE_TYPES, maxBytes: 2 * MB }
  },
  "POST /v3/merchant/media/video_upload": {
    required: { add: ["meta.filename"] },
    fields: { "meta.filename": { minLength: 1, maxLength: 128 } },
    // https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter2_1_2.shtml (视频上传: avi、wmv、mpeg、mp4、mov、mkv、flv、f4v、m4v、rmvb, 5M)
    upload: { types: ["avi", "wmv", "mpeg", "mp4", "mov", "mkv", "flv", "f4v", "m4v", "rmvb"], maxBytes: 5 * MB }
  }
}
