/** The root entry: namespaces only. It loads neither the sandbox (`effect-wechatpay/sandbox`) nor any generated surface. */
export * from "./api/index.js"
export * from "./errors/index.js"
export * from "./signing/index.js"
export * as Schemas from "./schemas/index.js"
export * from "./notifications/index.js"
