/**
 * The one shape of a stateful family in the sandbox: business rules over its own state, one per
 * endpoint it models, each answering a decoded request with an answer or a WeChat Pay error. The
 * emulator routes every family's rules the same way (src/sandbox/Routes.ts).
 */
import type * as Endpoint from "../api/Endpoint.js"
import type { ApiFailure } from "./Protocol.js"

/** A callback the change triggers (sent once the answer is out, when a notify URL is set). */
export interface TriggeredEvent {
  readonly eventType: string
  readonly resource: unknown
  /** Where it goes (an order's `notify_url`); default: the sandbox's notify URL for its family. */
  readonly url?: string | undefined
}

/** A file a download answers: bytes WeChat Pay sends unsigned. */
export interface AnsweredFile {
  readonly bytes: Uint8Array
  readonly contentType: string
}

export type Answer =
  | { readonly status: 200; readonly body: unknown; readonly events?: ReadonlyArray<TriggeredEvent> }
  | { readonly status: 200; readonly file: AnsweredFile; readonly events?: ReadonlyArray<TriggeredEvent> }
  | { readonly status: 202 | 204; readonly events?: ReadonlyArray<TriggeredEvent> }

/** A business rule: the decoded input (all locations merged) → an answer or a WeChat Pay error. */
export type Rule<Req> = (input: Req, nowMillis: number, origin: string | undefined) => Answer | ApiFailure

/** An endpoint and its rule, with the request type erased once they are known to match. */
export interface RuledEndpoint {
  readonly endpoint: Endpoint.Endpoint<any, any, any>
  readonly rule: Rule<any>
}

export const ruleOf = <Req>(endpoint: Endpoint.Endpoint<Req, any, any>, rule: Rule<Req>): RuledEndpoint => ({ endpoint, rule })

/** A family the sandbox models with state (payments, the card families, the busifavor callback URL). */
export interface StatefulFamily {
  /** Its business rules, one per endpoint it models. */
  rules(): ReadonlyArray<RuledEndpoint>
  /** Back to the start (`POST /__sandbox/reset`). */
  clear(): void
}
