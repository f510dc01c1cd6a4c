/**
 * The options of the lean Node transport (`WechatPay.layerNode(options)`, public as
 * `WechatPay.NodeTransportOptions`); the transport itself is `internal/NodeTransport.ts`.
 */
import type * as http from "node:http"
import type * as https from "node:https"

export interface NodeTransportOptions {
  /** Concurrent sockets per host. Default 64; requests beyond it queue in the agent. */
  readonly maxSockets?: number | undefined
  /** Idle keep-alive sockets kept per host. Default 16. */
  readonly maxFreeSockets?: number | undefined
  /** TCP keep-alive probe delay on open sockets. Default 1000 ms. */
  readonly keepAliveMsecs?: number | undefined
  /** Your own agents (e.g. with a proxy or extra CA); they are then yours to close. */
  readonly httpAgent?: http.Agent | undefined
  readonly httpsAgent?: https.Agent | undefined
}
