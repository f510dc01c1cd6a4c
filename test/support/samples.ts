/** One valid input per endpoint, as in the WeChat Pay docs' examples. */
import type { SendConsumptionCardRequest } from "../../src/schemas/busifavor.js"
import type { AddUserRecordsRequest, UpdateOrderRequest } from "../../src/schemas/discountCard.js"
import type { PrepareBonusRequest } from "../../src/schemas/membercardOpen.js"
import { MCHID } from "./constants.js"

export const addUserRecords: AddUserRecordsRequest = {
  out_card_code: "0001234567890",
  card_template_id: "TEMPLATE_1234567890",
  objective_completion_records: [{
    objective_completion_serial_no: "1234567890",
    objective_id: "12345678",
    completion_time: "2015-05-20T13:29:35.120+08:00",
    completion_type: "INCREASE",
    description: "使用一次满减优惠",
    completion_count: 1,
    remark: "备注"
  }],
  reward_usage_records: [{
    reward_usage_serial_no: "1234567890",
    reward_id: "12345678",
    usage_time: "2015-05-20T13:29:35+08:00",
    usage_type: "INCREASE",
    description: "领取一次优惠券",
    usage_count: 1,
    amount: 100,
    remark: "备注"
  }]
}

export const updateOrder: UpdateOrderRequest = {
  out_order_no: "1234323JKHDFE1243252",
  objectives: [{
    objective_serial_no: "123",
    objective_id: 123456,
    count: 1,
    performance_time: "2015-05-20T13:29:35.120+08:00",
    performance_description: "购买商品",
    performance_type: "INCREASE",
    remark: "备注"
  }],
  rewards: [{
    reward_serial_no: "123",
    reward_id: "123456",
    count: 1,
    amount: 10,
    reward_time: "2015-05-20T13:29:35+08:00",
    description: "满减优惠",
    reward_type: "INCREASE"
  }]
}

export const sendConsumptionCard: SendConsumptionCardRequest = {
  card_id: "pIJMr5MMiIkO_93VtPyIiEk2DZ4w",
  appid: "wx1234567889999",
  openid: "o4GgauInH_RCEdvrrNGrntXDu6D4",
  out_request_no: "1002600620019090123143254436",
  send_time: "2015-05-20T13:29:35.120+08:00"
}

export const prepareBonus: PrepareBonusRequest = {
  card_id: "pbLatjvWBAiRs6MLi4Z7B9Tfaq0E",
  code: "8827379492",
  out_trade_no: "1217752501201407033233368018",
  mchid: MCHID,
  bonus_value: 100
}
