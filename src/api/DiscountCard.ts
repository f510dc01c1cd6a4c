/** 先享卡 (discount card) endpoints. */
import * as Endpoint from "./Endpoint.js"
import { commonErrors } from "./errors.js"
import * as S from "../schemas/discountCard.js"

/** 增加用户记录: record objective completions or reward usage on a user's card. 204 on success. */
export const addUserRecords = Endpoint.make({
  name: "DiscountCard.addUserRecords",
  method: "POST",
  path: "/v3/discount-card/cards/{out_card_code}/add-user-records",
  request: S.AddUserRecordsRequest,
  success: Endpoint.NoContent,
  errors: commonErrors
})

/** 更新先享卡订单: report objectives reached and rewards used on an order. */
export const updateOrder = Endpoint.make({
  name: "DiscountCard.updateOrder",
  method: "PATCH",
  path: "/v3/discount-card/orders/{out_order_no}",
  request: S.UpdateOrderRequest,
  success: S.UpdateOrderResponse,
  errors: commonErrors
})
