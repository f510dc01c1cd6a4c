export * as Signing from "./Signing.js"
export * as Signer from "./Signer.js"
export * as Verifier from "./Verifier.js"
export { Nonce } from "./Nonce.js"
