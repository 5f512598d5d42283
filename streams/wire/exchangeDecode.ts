// /exchange answers (HTTP, or the payload of a WS action post) decoded to BatchResults.
import { DecodeFailure, decodeWith, type Decoded } from "../codec.js";
import type { ActionBatch, BatchResult } from "../actions.js";
import { batchLength } from "../actions.js";
import { cancelResultFromWire, classifyExchangeError, isRateLimitText, orderResultFromWire } from "./errors.js";
import { HlExchangeResponse } from "./exchange.js";

const ok = <A>(value: A): Decoded<A> => ({ ok: true, value });
const fail = (what: string, problem: string): Decoded<never> => ({ ok: false, error: new DecodeFailure(what, [problem]) });

/**
 * An /exchange body (HTTP, or the payload of a WS action post) → BatchResult for `batch`.
 * A single error status answering an n-element batch is a pre-validation error (FACTS §5.7)
 * and is applied to every element. A response of the wrong type for the batch fails to decode.
 */
export function decodeHlExchangeResponse(body: unknown, batch: ActionBatch, what = "exchange response"): Decoded<BatchResult> {
  const r = decodeWith(HlExchangeResponse, body, what);
  if (!r.ok) return r;
  const resp = r.value;
  if (resp.status === "err") {
    const code = classifyExchangeError(resp.response);
    return ok({ ok: false, code, error: resp.response, rateLimited: code === "RateLimited" || isRateLimitText(resp.response) });
  }
  const n = batchLength(batch);
  const inner = resp.response;
  switch (batch.type) {
    case "order":
    case "batchModify": {
      if (inner.type !== "order") return fail(what, `$.response.type: expected "order" for a ${batch.type} batch, got ${JSON.stringify(inner.type)}`);
      const st = inner.data.statuses;
      const first = st[0];
      if (st.length === 1 && n > 1 && first !== undefined && typeof first === "object" && "error" in first) {
        const one = orderResultFromWire(first);
        return ok({ ok: true, type: batch.type, statuses: Array.from({ length: n }, () => one) });
      }
      if (st.length !== n) return fail(what, `$.response.data.statuses: expected ${n} statuses, got ${st.length}`);
      return ok({ ok: true, type: batch.type, statuses: st.map(orderResultFromWire) });
    }
    case "cancel":
    case "cancelByCloid": {
      if (inner.type !== "cancel") return fail(what, `$.response.type: expected "cancel" for a ${batch.type} batch, got ${JSON.stringify(inner.type)}`);
      const st = inner.data.statuses;
      const first = st[0];
      if (st.length === 1 && n > 1 && first !== undefined && first !== "success") {
        const one = cancelResultFromWire(first);
        return ok({ ok: true, type: batch.type, statuses: Array.from({ length: n }, () => one) });
      }
      if (st.length !== n) return fail(what, `$.response.data.statuses: expected ${n} statuses, got ${st.length}`);
      return ok({ ok: true, type: batch.type, statuses: st.map(cancelResultFromWire) });
    }
    case "scheduleCancel":
      if (inner.type !== "default") return fail(what, `$.response.type: expected "default" for scheduleCancel, got ${JSON.stringify(inner.type)}`);
      return ok({ ok: true, type: "scheduleCancel" });
    case "reserveRequestWeight":
      if (inner.type !== "default") return fail(what, `$.response.type: expected "default" for reserveRequestWeight, got ${JSON.stringify(inner.type)}`);
      return ok({ ok: true, type: "reserveRequestWeight" });
  }
}

/** A non-2xx HTTP answer to /exchange as a BatchResult: 429 is a quota signal, never retried blindly. */
export function hlHttpErrorResult(status: number, bodyText: string): BatchResult {
  const text = `HTTP ${status}${bodyText ? `: ${bodyText.slice(0, 200)}` : ""}`;
  const rateLimited = status === 429 || isRateLimitText(bodyText);
  return { ok: false, code: rateLimited ? "RateLimited" : classifyExchangeError(bodyText), error: text, rateLimited };
}
