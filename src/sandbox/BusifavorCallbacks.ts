/**
 * 商家券事件通知地址 (设置 / 查询): the busifavor callback URL as a stateful family. The URL itself
 * lives in the Notifier, which sends COUPON.SEND there and which a reset clears.
 */
import * as Busifavor from "../api/Busifavor.js"
import { InvalidRequest, ResourceNotExists } from "../errors/codes.js"
import type { Notifier } from "./Callbacks.js"
import { beijingTime } from "./Platform.js"
import { ApiFailure } from "./Protocol.js"
import { ruleOf, type RuledEndpoint, type StatefulFamily } from "./Rules.js"

export const busifavorCallbacks = (mchid: string, notifier: Notifier): StatefulFamily => ({
  rules: (): ReadonlyArray<RuledEndpoint> => [
    ruleOf(Busifavor.setCallbacks, (r, nowMillis) => {
      if (r.mchid !== undefined && r.mchid !== mchid) {
        return ApiFailure.of(InvalidRequest, "商户号与请求商户不一致", { field: "mchid", value: r.mchid, issue: "not the calling merchant", location: "body" })
      }
      notifier.busifavorNotifyUrl = r.notify_url
      return { status: 200, body: { update_time: beijingTime(nowMillis), notify_url: r.notify_url, mchid } }
    }),
    ruleOf(Busifavor.getCallbacks, (r) => {
      if (r.mchid !== mchid) return ApiFailure.of(InvalidRequest, "商户号与请求商户不一致", { field: "mchid", value: r.mchid, location: "query" })
      if (notifier.busifavorNotifyUrl === undefined) return ApiFailure.of(ResourceNotExists, "未设置商家券事件通知地址")
      return { status: 200, body: { notify_url: notifier.busifavorNotifyUrl, mchid: r.mchid } }
    })
  ],
  clear: () => {}
})
