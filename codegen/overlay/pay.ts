import type { OperationOverlay } from "../overlay.js"

/** 下单 (JSAPI/APP/H5/Native): the answer's one row is 必填 on each page. */
export const pay: Readonly<Record<string, OperationOverlay>> = {
  "POST /v3/pay/transactions/jsapi": { page: "https://pay.weixin.qq.com/doc/v3/merchant/4012525167", answer: { required: ["prepay_id"] } },
  "POST /v3/pay/transactions/app": { page: "https://pay.weixin.qq.com/doc/v3/merchant/4012525136", answer: { required: ["prepay_id"] } },
  "POST /v3/pay/transactions/h5": { page: "https://pay.weixin.qq.com/doc/v3/merchant/4012525153", answer: { required: ["h5_url"] } },
  "POST /v3/pay/transactions/native": { page: "https://pay.weixin.qq.com/doc/v3/merchant/4012525174", answer: { required: ["code_url"] } }
}
