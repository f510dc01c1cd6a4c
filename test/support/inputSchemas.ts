/** The flat input schema of each hand-written endpoint (its locations merged), for the validator and property tests. */
import { Busifavor, DiscountCard, Endpoint, MembercardOpen } from "../../src/api/index.js"

export const AddUserRecordsRequest = Endpoint.inputSchema(DiscountCard.addUserRecords)
export const UpdateOrderRequest = Endpoint.inputSchema(DiscountCard.updateOrder)
export const SendConsumptionCardRequest = Endpoint.inputSchema(Busifavor.sendConsumptionCard)
export const PrepareBonusRequest = Endpoint.inputSchema(MembercardOpen.prepareBonus)
