/**
 * The overlay's family files: what each family's official pages say that the catalogue does not
 * (request constraints, answer tables, error codes), one file per family, each entry citing its
 * page. `codegen/overlay.ts` merges them with its own entries.
 */
export {}
export { profitsharing } from "./profitsharing.js"
export { bill } from "./bill.js"
export { ecommerceProfitsharing } from "./ecommerceProfitsharing.js"
export { combineTransactions } from "./combineTransactions.js"
export { refund } from "./refund.js"
export { ecommerceRefunds } from "./ecommerceRefunds.js"
export { pay } from "./pay.js"
export { marketing } from "./marketing.js"
export { mchTransfer } from "./mchTransfer.js"
