/**
 * The `WechatPayClient` namespace of the public API: the service every endpoint runs on, its
 * settings, the request and answer it passes, and the `RequestLimiter` hook. Defined in
 * `core/WechatPayClient.ts`, below `internal/`, so the implementation (`internal/client.ts`,
 * `internal/pipeline.ts`) can use it without an import back up into `api/`.
 */
export * from "../core/WechatPayClient.js"
