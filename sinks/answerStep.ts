// Answer step: what the executor did and heard, applied to the order record — per-element results
// of a batch, a whole batch refused by the venue (rate limits, margin) or by the quota throttle
// before sending, a batch that failed in transport (its orders are asked about), and orderStatus
// answers. A missing per-element answer leaves the order pending and asks orderStatus.
import type { ActionBatch, BatchResult, CancelResult, ExchangeErrorCode, OrderResult } from "../streams/actions.js";
import { requestSync } from "./accountSync.js";
import type { ExecutionEvent } from "./executor.js";
import { deadManAnswer, deadManNotSent } from "./deadManStep.js";
import { reserveAnswer, reserveNotSent } from "./reserveWeight.js";
import { watchAlreadyFilled } from "./fillStep.js";
import { askStatus, emit, touch, trip } from "./sinkState.js";
import { isMarginReason, marginRejected } from "./margin.js";
import { statusAnswered } from "./statusConfirm.js";
import type { SinkState } from "./sinkState.js";

const POSITION_CODES: ReadonlySet<ExchangeErrorCode> = new Set(["PerpMargin", "ReduceOnly", "PerpMaxPosition", "OpenInterestCap"]);

/** One executor event (the shell has already published it as an "action" event, when it happened). */
export function answerStep(s: SinkState, e: ExecutionEvent, now: number): void {
  switch (e.kind) {
    case "sent":
      return; // the shell stamps the send time on the records (OrderStore.noteSent)
    case "result":
      s.metrics.batchResults += 1;
      deadManAnswer(s, e.batch, e.result, now);
      reserveAnswer(s, e.batch, e.result, now);
      applyResult(s, e.batch, e.result, now);
      return;
    case "failed":
      s.metrics.batchFailures += 1;
      if (e.batch.type === "scheduleCancel" && e.batch.time !== null) s.deadMan.pending = false;
      if (e.timedOut) s.metrics.timeouts += 1;
      reserveNotSent(s, e.batch, "unanswered", e.error, now);
      s.metrics.statusQueries += statusCount(e.batch);
      markQueried(s, e.batch, now);
      return;
    case "refused":
      s.metrics.quotaRefused += 1;
      deadManNotSent(s, e.batch, `refused by the quota throttle (${e.reason})`, now);
      reserveNotSent(s, e.batch, "quota", `refused by the quota throttle (${e.reason})`, now);
      if (e.batch.type === "order" || e.batch.type === "batchModify") {
        const until = now + (s.config.quotaCooldownMs ?? 1000);
        for (const a of batchAssets(e.batch)) s.quotaCooldown.set(a, until);
      }
      applyRefusal(s, e.batch, now);
      return;
    case "dropped": {
      // never sent: a placement ends as rejected (nothing of it can rest), a modify leaves the order as it was
      const n = batchElements(e.batch);
      s.metrics.droppedAtGate += n;
      emit(s, { type: "dropped", asset: e.asset, reason: e.reason, batch: e.batch, elements: n, time: now });
      if (e.batch.type === "order") {
        for (const o of e.batch.orders) touch(s, s.store.applyOrderResult(o.cloid, { kind: "rejected", code: "Other", error: `dropped before sending: ${e.asset}'s gate closed (${e.reason.kind})` }, now).order);
      } else if (e.batch.type === "batchModify") {
        for (const m of e.batch.modifies) touch(s, s.store.revertPending(m.order.cloid, now).order);
      }
      return;
    }
    case "status": {
      const cloid = "cloid" in e.ref ? e.ref.cloid : s.store.byOid(e.ref.oid)?.cloid;
      if (cloid === undefined) return;
      touch(s, s.store.applyStatusAnswer(cloid, e.answer, now).order);
      statusAnswered(s, cloid, now);
      return;
    }
    case "statusFailed":
      return;
  }
}

/** The executor asks about every order of a failed batch itself; note the queries. */
function markQueried(s: SinkState, batch: ActionBatch, now: number): void {
  const cloids =
    batch.type === "order"
      ? batch.orders.map((o) => o.cloid)
      : batch.type === "batchModify"
        ? batch.modifies.map((m) => m.order.cloid)
        : batch.type === "cancelByCloid"
          ? batch.cancels.map((c) => c.cloid)
          : batch.type === "cancel"
            ? batch.cancels.map((c) => s.store.byOid(c.oid)?.cloid).filter((c): c is string => c !== undefined)
            : [];
  for (const c of cloids) s.store.noteStatusQuery(c, now);
}

function applyResult(s: SinkState, batch: ActionBatch, result: BatchResult, now: number): void {
  if (!result.ok) {
    if (result.rateLimited) {
      s.rateLimitedRun += 1;
      const limit = s.config.kill?.rateLimitedInARow ?? 10;
      if (s.rateLimitedRun >= limit) trip(s, "QuotaExhaustion", `${s.rateLimitedRun} rate-limited answers in a row: ${result.error}`, null, now);
    }
    if (batch.type === "scheduleCancel" || batch.type === "reserveRequestWeight") return;
    const orderFail: OrderResult = { kind: "rejected", code: result.code, error: result.error };
    const cancelFail: CancelResult = { kind: "Failed", code: result.code, error: result.error };
    applyElements(s, batch, () => orderFail, () => cancelFail, now);
    if (isMarginReason(result.code)) marginRejected(s, firstAsset(batch), result.code, now);
    else if (POSITION_CODES.has(result.code)) requestSync(s, `rejected:${result.code}`, now);
    return;
  }
  s.rateLimitedRun = 0;
  if (result.type === "scheduleCancel") return;
  if (result.type === "order" || result.type === "batchModify") {
    const st = result.statuses;
    const n = batchElements(batch);
    applyElements(s, batch, (i) => st[st.length === 1 && n > 1 ? 0 : i] ?? null, () => null, now);
    const margin = st.find((x) => x.kind === "rejected" && isMarginReason(x.code));
    if (margin && margin.kind === "rejected") marginRejected(s, firstAsset(batch), margin.code, now);
    else if (st.some((x) => x.kind === "rejected" && POSITION_CODES.has(x.code))) requestSync(s, "rejected:position", now);
  } else if (result.type === "cancel" || result.type === "cancelByCloid") {
    const st: readonly CancelResult[] = result.statuses;
    const n = batchElements(batch);
    applyElements(s, batch, () => null, (i) => st[st.length === 1 && n > 1 ? 0 : i] ?? null, now);
  }
}

/** Apply per-element answers; a missing answer leaves the order pending and asks orderStatus. */
function applyElements(s: SinkState, batch: ActionBatch, orderAt: (i: number) => OrderResult | null, cancelAt: (i: number) => CancelResult | null, now: number): void {
  switch (batch.type) {
    case "order":
      batch.orders.forEach((o, i) => {
        const r = orderAt(i);
        if (r) touch(s, s.store.applyOrderResult(o.cloid, r, now).order);
        else askStatus(s, o.cloid, now);
      });
      return;
    case "batchModify":
      batch.modifies.forEach((m, i) => {
        const r = orderAt(i);
        if (r) touch(s, s.store.applyModifyResult(m.order.cloid, r, now).order);
        else askStatus(s, m.order.cloid, now);
      });
      return;
    case "cancel":
    case "cancelByCloid":
      batch.cancels.forEach((c, i) => {
        const cloid = "cloid" in c ? c.cloid : s.store.byOid(c.oid)?.cloid;
        const r = cancelAt(i);
        if (cloid === undefined) {
          if ("oid" in c) s.orphanCancelAt.delete(c.oid);
          return;
        }
        if (!r) {
          askStatus(s, cloid, now);
          return;
        }
        const ch = s.store.applyCancelResult(cloid, r, now);
        touch(s, ch.order);
        if (ch.order && ch.order.state === "cancel-raced") watchAlreadyFilled(s, cloid, ch.order.asset, s.store.remaining(ch.order), now);
      });
      return;
    case "scheduleCancel":
    case "reserveRequestWeight":
      return;
  }
}

function applyRefusal(s: SinkState, batch: ActionBatch, now: number): void {
  switch (batch.type) {
    case "order":
      for (const o of batch.orders) {
        touch(s, s.store.applyOrderResult(o.cloid, { kind: "rejected", code: "RateLimited", error: "refused by quotaThrottle before sending" }, now).order);
      }
      return;
    case "batchModify":
      for (const m of batch.modifies) touch(s, s.store.revertPending(m.order.cloid, now).order);
      return;
    case "cancel":
    case "cancelByCloid":
      for (const c of batch.cancels) {
        const cloid = "cloid" in c ? c.cloid : s.store.byOid(c.oid)?.cloid;
        if (cloid !== undefined) touch(s, s.store.revertPending(cloid, now).order);
      }
      return;
    case "scheduleCancel":
    case "reserveRequestWeight":
      return;
  }
}

export function batchElements(batch: ActionBatch): number {
  switch (batch.type) {
    case "order":
      return batch.orders.length;
    case "batchModify":
      return batch.modifies.length;
    case "cancel":
    case "cancelByCloid":
      return batch.cancels.length;
    case "scheduleCancel":
    case "reserveRequestWeight":
      return 1;
  }
}

function firstAsset(batch: ActionBatch): string | null {
  return [...batchAssets(batch)][0] ?? null;
}

function batchAssets(batch: ActionBatch): Set<string> {
  switch (batch.type) {
    case "order":
      return new Set(batch.orders.map((o) => o.asset));
    case "batchModify":
      return new Set(batch.modifies.map((m) => m.order.asset));
    case "cancel":
    case "cancelByCloid":
      return new Set(batch.cancels.map((c) => c.asset));
    case "scheduleCancel":
    case "reserveRequestWeight":
      return new Set();
  }
}

function statusCount(batch: ActionBatch): number {
  return batch.type === "scheduleCancel" || batch.type === "reserveRequestWeight" ? 0 : batchElements(batch);
}
