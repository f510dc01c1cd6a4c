/** 商家券 / 消费卡 (busifavor) endpoints. */
import { commonErrors, type CommonError } from "../errors/errors.js"
import * as S from "../schemas/busifavor.js"
import * as Endpoint from "./Endpoint.js"

/** 发放消费卡: send a consumption card to a user; answers the user's `card_code`. */
export const sendConsumptionCard: Endpoint.Endpoint<S.SendConsumptionCardRequest, S.SendConsumptionCardResponse, CommonError> =
  /*#__PURE__*/ Endpoint.make({
    name: "Busifavor.sendConsumptionCard",
    method: "POST",
    path: "/v3/marketing/busifavor/coupons/{card_id}/send",
    schemas: () => ({ params: S.SendConsumptionCardParams, body: S.SendConsumptionCardBody, success: S.SendConsumptionCardResponse, errors: commonErrors })
  })

/** 设置商家券事件通知地址: where `COUPON.SEND` and the other busifavor events are delivered. */
export const setCallbacks: Endpoint.Endpoint<S.SetCallbacksBody, S.SetCallbacksResponse, CommonError> = /*#__PURE__*/ Endpoint.make({
  name: "Busifavor.setCallbacks",
  method: "POST",
  path: "/v3/marketing/busifavor/callbacks",
  schemas: () => ({ body: S.SetCallbacksBody, success: S.SetCallbacksResponse, errors: commonErrors })
})

/** 查询商家券事件通知地址. */
export const getCallbacks: Endpoint.Endpoint<S.GetCallbacksQuery, S.GetCallbacksResponse, CommonError> = /*#__PURE__*/ Endpoint.make({
  name: "Busifavor.getCallbacks",
  method: "GET",
  path: "/v3/marketing/busifavor/callbacks",
  schemas: () => ({ query: S.GetCallbacksQuery, success: S.GetCallbacksResponse, errors: commonErrors })
})
