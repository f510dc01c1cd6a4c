/**
 * The overlay's family files: what each family's official pages say that the catalogue does not
 * (request constraints, answer tables, error codes), one file per family, each entry citing its
 * page. `codegen/overlay.ts` lists them for the generator; the export's name is the file's.
 */
export { bill } from "./bill.js"
export { combineTransactions } from "./combineTransactions.js"
export { discountCard } from "./discountCard.js"
export { ecommerceProfitsharing } from "./ecommerceProfitsharing.js"
export { ecommerceRefunds } from "./ecommerceRefunds.js"
export { marketing } from "./marketing.js"
export { marketingBusifavor } from "./marketingBusifavor.js"
export { marketingMembercardOpen } from "./marketingMembercardOpen.js"
export { mchTransfer } from "./mchTransfer.js"
export { merchant } from "./merchant.js"
export { merchantService } from "./merchantService.js"
export { newTaxControlFapiao } from "./newTaxControlFapiao.js"
export { pay } from "./pay.js"
export { profitsharing } from "./profitsharing.js"
export { refund } from "./refund.js"
