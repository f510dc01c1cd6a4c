import type { OperationOverlay } from "../overlay.js"

/**
 * 账单 (bill download): 申请交易账单, 申请资金账单, 申请单个子商户资金账单. From the official pages and
 * wechatpay-java's service/billdownload models (GetTradeBillRequest, GetFundFlowBillRequest,
 * GetSingleSubMchFundFlowBillRequest, QueryBillEntity, QueryEncryptBillEntity, HashType). 申请交易账单 and
 * 申请资金账单 document the error classes NO_STATEMENT_EXIST and STATEMENT_CREATING.
 */

/** 申请交易账单 / 申请资金账单. */
const BILL_ERRORS = ["NoStatementExist", "StatementCreating"]

export const bill: Readonly<Record<string, OperationOverlay>> = {
  "GET /v3/bill/tradebill": {
    // https://pay.weixin.qq.com/docs/merchant/apis/bill-download/trade-bill/get-trade-bill.html
    errors: BILL_ERRORS,
    page: "https://pay.weixin.qq.com/doc/v3/partner/4012759683",
    // 申请交易账单 (doc/v3/partner/4012759683; merchant: pay.weixin.qq.com/docs/merchant/apis/native-payment/get-trade-bill.html):
    // bill_date 必填 string(10) 格式yyyy-MM-DD; sub_mchid 选填 string(12); bill_type 选填, 可选取值 ALL / SUCCESS / REFUND
    // (不填则默认是ALL); tar_type GZIP. 应答 hash_type (SHA1, wechatpay-java HashType), hash_value, download_url.
    fields: {
      bill_date: { format: "date" },
      sub_mchid: { maxLength: 12 },
      bill_type: { enum: ["ALL", "SUCCESS", "REFUND"] }
    },
    answer: {
      required: ["hash_type", "hash_value", "download_url"],
      enums: { hash_type: ["SHA1"] }
    }
  },
  "GET /v3/bill/fundflowbill": {
    // https://pay.weixin.qq.com/docs/merchant/apis/bill-download/fund-bill/get-fund-bill.html
    errors: BILL_ERRORS,
    // 申请资金账单: bill_date 格式yyyy-MM-DD (wechatpay-java GetFundFlowBillRequest: 仅支持三个月内的账单下载申请),
    // account_type 不填默认是BASIC (BASIC / OPERATION / FEES, as generated). 应答 hash_type (SHA1), hash_value,
    // download_url (wechatpay-java QueryBillEntity).
    fields: { bill_date: { format: "date" } },
    answer: {
      required: ["hash_type", "hash_value", "download_url"],
      enums: { hash_type: ["SHA1"] }
    }
  },
  "GET /v3/bill/sub-merchant-fundflowbill": {
    page: "https://pay.weixin.qq.com/docs/partner/apis/batch-transfer-accounts-money/bill/get-sub-mch-fund-flow-bill.html",
    // 申请单个子商户资金账单 (that page; the wiki's apiv3_partner chapter4_3_12: sub_mchid string[1,32], bill_date
    // string[10,10] 格式yyyy-MM-DD, account_type string[1,16], algorithm string[1,31]): sub_mchid 必填 string(32),
    // bill_date 必填 string(10), account_type 必填 string(16), algorithm 必填 string(31), tar_type 选填.
    // 应答 download_bill_count 必填 integer, download_bill_list 选填; hash_type SHA1 (wechatpay-java EncryptBillEntity).
    fields: {
      sub_mchid: { maxLength: 32 },
      bill_date: { format: "date" }
    },
    answer: {
      required: ["download_bill_count"],
      enums: { "download_bill_list.hash_type": ["SHA1"] }
    }
  }
}
