/** 商家券 / 消费卡 (busifavor) endpoints. */
import * as Endpoint from "./Endpoint.js"
import { commonErrors } from "./errors.js"
import * as S from "../schemas/busifavor.js"

/** 发放消费卡: send a consumption card to a user; answers the user's `card_code`. */
export const sendConsumptionCard = Endpoint.make({
  name: "Busifavor.sendConsumptionCard",
  method: "POST",
  path: "/v3/marketing/busifavor/coupons/{card_id}/send",
  request: S.SendConsumptionCardRequest,
  success: S.SendConsumptionCardResponse,
  errors: commonErrors
})
