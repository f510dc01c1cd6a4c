export * from "./common.js"
export * as DiscountCardSchemas from "./discountCard.js"
export * as BusifavorSchemas from "./busifavor.js"
export * as MembercardOpenSchemas from "./membercardOpen.js"
