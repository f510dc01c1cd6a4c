/** 会员卡开放 (membercard-open) endpoints. */
import * as Endpoint from "./Endpoint.js"
import { commonErrors } from "./errors.js"
import * as S from "../schemas/membercardOpen.js"

/** 支付结果页展示会员积分: show the bonus a payment earns on the payment result page. 204 on success. */
export const prepareBonus = Endpoint.make({
  name: "MembercardOpen.prepareBonus",
  method: "POST",
  path: "/v3/marketing/membercard-open/cards/{card_id}/codes/{code}/bonus/prepare",
  request: S.PrepareBonusRequest,
  success: Endpoint.NoContent,
  errors: commonErrors
})
