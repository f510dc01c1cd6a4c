/** 会员卡开放 (membercard-open) endpoints. */
import { commonErrors, type CommonError } from "../errors/errors.js"
import * as S from "../schemas/membercardOpen.js"
import * as Endpoint from "./Endpoint.js"

/** 支付结果页展示会员积分: show the bonus a payment earns on the payment result page. 204 on success. */
export const prepareBonus: Endpoint.Endpoint<S.PrepareBonusRequest, void, CommonError> = /*#__PURE__*/ Endpoint.make({
  name: "MembercardOpen.prepareBonus",
  method: "POST",
  path: "/v3/marketing/membercard-open/cards/{card_id}/codes/{code}/bonus/prepare",
  schemas: () => ({ params: S.PrepareBonusParams, body: S.PrepareBonusBody, success: Endpoint.NoContent, errors: commonErrors })
})
