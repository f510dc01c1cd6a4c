/** 先享卡 (discount card) endpoints. */
import { commonErrors, type CommonError } from "../errors/errors.js"
import * as S from "../schemas/discountCard.js"
import * as Endpoint from "./Endpoint.js"

/** 增加用户记录: record objective completions or reward usage on a user's card. 204 on success. */
export const addUserRecords: Endpoint.Endpoint<S.AddUserRecordsRequest, void, CommonError> = /*#__PURE__*/ Endpoint.make({
  name: "DiscountCard.addUserRecords",
  method: "POST",
  path: "/v3/discount-card/cards/{out_card_code}/add-user-records",
  schemas: () => ({ params: S.AddUserRecordsParams, body: S.AddUserRecordsBody, success: Endpoint.NoContent, errors: commonErrors })
})

/** 更新先享卡订单: report objectives reached and rewards used on an order. */
export const updateOrder: Endpoint.Endpoint<S.UpdateOrderRequest, S.UpdateOrderResponse, CommonError> = /*#__PURE__*/ Endpoint.make({
  name: "DiscountCard.updateOrder",
  method: "PATCH",
  path: "/v3/discount-card/orders/{out_order_no}",
  schemas: () => ({ params: S.UpdateOrderParams, body: S.UpdateOrderBody, success: S.UpdateOrderResponse, errors: commonErrors })
})
