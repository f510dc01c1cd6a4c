export * from "./ApiError.js"
export * from "./codes.js"
export * from "./errors.js"
