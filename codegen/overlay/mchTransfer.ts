import type { OperationOverlay } from "../overlay.js"

/**
 * 商家转账 (fund-app/mch-transfer, merchant edition, 用户确认模式): 发起转账. From the official page
 * pay.weixin.qq.com/doc/v3/merchant/4012716434, whose request rows (必填 and string(n)) we read as WeChat Pay's
 * 商家转账 pseudo-code samples quote them (the page itself is not in the stored corpus); the official SDKs have
 * no model for this API (wechatpay-go and wechatpay-java cover only the retired transfer batches).
 *
 * Left as the catalogue has it: transfer_scene_id's list of values (the page says a scene is whatever the
 * merchant was granted in 商户平台, the catalogue lists eight), and the page's conditional rule "user_name
 * 必填 when transfer_amount ≥ 2,000 元" (no rule kind expresses a bound on another field yet).
 */

/** 商户单号: 只能由数字、大小写字母组成, 在商户系统内部唯一 (the page's out_bill_no row). */
const OUT_BILL_NO = "^[0-9A-Za-z]+$"

export const mchTransfer: Readonly<Record<string, OperationOverlay>> = {
  "POST /v3/fund-app/mch-transfer/transfer-bills": {
    page: "https://pay.weixin.qq.com/doc/v3/merchant/4012716434",
    // appid string(32); out_bill_no string(32) 数字、大小写字母; openid string(64); transfer_amount int 单位为分
    // (a transfer moves at least one 分); transfer_scene_id string(32); transfer_remark string(32) UTF8 最多32个字符;
    // transfer_scene_report_infos: info_type string(15), info_content string(32); notify_url string(256) 必须为
    // HTTPS, 且不能携带参数
    fields: {
      appid: { maxLength: 32 },
      out_bill_no: { minLength: 1, maxLength: 32, pattern: OUT_BILL_NO },
      openid: { maxLength: 64 },
      transfer_amount: { integer: true, minimum: 1 },
      transfer_scene_id: { maxLength: 32 },
      transfer_remark: { minLength: 1, maxLength: 32 },
      "transfer_scene_report_infos.info_type": { maxLength: 15 },
      "transfer_scene_report_infos.info_content": { maxLength: 32 },
      notify_url: { maxLength: 256, format: "https-url" }
    }
  }
}
