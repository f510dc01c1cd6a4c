import type { OperationOverlay } from "../overlay.js"
import { MB } from "./fileLimits.js"

/** 电子发票 (new-tax-control-fapiao): 上传电子发票文件, the types and size limit its file may have. */

export const newTaxControlFapiao: Readonly<Record<string, OperationOverlay>> = {
  "POST /v3/new-tax-control-fapiao/fapiao-applications/upload-fapiao-file": {
    // the catalogue's field doc (上传电子发票文件: PDF、OFD, 2M)
    upload: { types: ["pdf", "ofd"], maxBytes: 2 * MB }
  }
}
