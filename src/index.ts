export * from "./api/index.js"
export * from "./signing/index.js"
export * as Schemas from "./schemas/index.js"
export * from "./notifications/index.js"
