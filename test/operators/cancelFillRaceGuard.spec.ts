import { describe, expect, it } from "vitest";
import { Subject, merge, tap, ignoreElements, NEVER, EMPTY } from "rxjs";
import type { Observable } from "rxjs";
import { cancelFillRaceGuard } from "../../operators/cancelFillRaceGuard.js";
import { OrderStore } from "../../sinks/orderStore.js";
import type { AlreadyFilledNotice, GuardOutput } from "../../streams/execution.js";
import type { CancelResult, OrderResult } from "../../streams/actions.js";
import type { VenueFill } from "../../streams/fill.js";
import { marbles } from "../marbles.js";
import { FACTS, cloidOf, fill, spec } from "../sinks/helpers.js";

const ALREADY: CancelResult = { kind: "AlreadyFilled", error: "Order was never placed, already canceled, or filled." };

/** What the venue tells the sink, other than fills. */
type VenueEvent =
  | { readonly t: "cancel"; readonly cloid: string; readonly result: CancelResult }
  | { readonly t: "order"; readonly cloid: string; readonly result: OrderResult };

/**
 * The sink's wiring in miniature: venue answers mutate the store (and raise AlreadyFilled notices
 * for orders left unresolved); guarded fills are applied to the store after the guard saw them.
 */
function harness(store: OrderStore, scheduler: import("rxjs").SchedulerLike, events$: Observable<VenueEvent>, fills$: Observable<VenueFill>) {
  const notices = new Subject<AlreadyFilledNotice>();
  const applyEvents$ = events$.pipe(
    tap((e) => {
      const now = scheduler.now();
      if (e.t === "order") {
        store.applyOrderResult(e.cloid, e.result, now);
        return;
      }
      const ch = store.applyCancelResult(e.cloid, e.result, now);
      if (ch.order && ch.order.state === "cancel-raced") {
        notices.next({ cloid: e.cloid, asset: ch.order.asset, remainingSz: store.remaining(ch.order), time: now });
      }
    }),
    ignoreElements(),
  );
  const out$ = fills$.pipe(
    cancelFillRaceGuard(store, notices, {}, scheduler),
    tap((o) => {
      if (o.kind === "fill") store.applyFill(o.fill, scheduler.now());
    }),
  );
  return merge(applyEvents$, out$);
}

/** A store with our bid A (oid 1) and a deeper bid B (oid 2), and an ask C (oid 3), all resting; A's cancel sent. */
function book(cancel: readonly number[] = [1]): OrderStore {
  const s = new OrderStore();
  const orders = [
    { n: 1, isBuy: true, px: 100 },
    { n: 2, isBuy: true, px: 99 },
    { n: 3, isBuy: false, px: 102 },
    { n: 4, isBuy: false, px: 103 },
  ];
  for (const o of orders) {
    s.registerPlacement(spec(o.n, { isBuy: o.isBuy, px: o.px }), FACTS, 0);
    s.applyOrderResult(cloidOf(o.n), { kind: "resting", oid: o.n }, 0);
  }
  for (const n of cancel) s.requestCancel(cloidOf(n), 0);
  s.setMid("BTC", 101);
  return s;
}

const fA = fill({ tid: 11, oid: 1, cloid: cloidOf(1), isBuy: true, size: 1, price: 100 });
const fC = fill({ tid: 13, oid: 3, cloid: cloidOf(3), isBuy: false, size: 1, price: 102 });
const fX = fill({ tid: 99, oid: 555, cloid: null, size: 0.2, price: 100 });

function enriched(f: VenueFill, px: number, source: "base_ladder" | "unmatched" = "base_ladder") {
  return source === "unmatched"
    ? { ...f, midAtFill: 101, placementPrice: f.price, midAtPlacement: 101, quotedHalfSpreadBps: 0, source }
    : { ...f, midAtFill: 101, placementPrice: px, midAtPlacement: 101, quotedHalfSpreadBps: 99, source };
}

describe("cancelFillRaceGuard", () => {
  it(
    "passes an ordinary fill through, enriched with its order's placement facts",
    marbles((m) => {
      const store = book([]);
      const fills = m.hot("  --a--|", { a: fA });
      const expected = "     --f--|";
      m.expect(harness(store, m.scheduler, EMPTY, fills)).toBeObservable(expected, {
        f: { kind: "fill", fill: enriched(fA, 100), flag: "matched", cloid: cloidOf(1), stateBefore: "resting" } satisfies GuardOutput,
      });
      m.expect(fills).toHaveSubscriptions("^----!");
    }),
  );

  it(
    "flags a fill 1 ms before the cancel ack as a race, pulls the same side, asks reconciliation",
    marbles((m) => {
      const store = book([1]);
      const events = m.hot("---c", { c: { t: "cancel", cloid: cloidOf(1), result: ALREADY } as VenueEvent });
      const fills = m.hot("  --a--", { a: fA });
      const expected = "     --(fpr)";
      m.expect(harness(store, m.scheduler, events, fills)).toBeObservable(expected, {
        f: { kind: "fill", fill: enriched(fA, 100), flag: "race", cloid: cloidOf(1), stateBefore: "pending-cancel" },
        p: { kind: "pull", asset: "BTC", isBuy: true, cloids: [cloidOf(2)], tid: 11 },
        r: { kind: "reconcile", reason: "race", asset: "BTC", cloid: cloidOf(1), time: 2 },
      });
      m.flush();
      // the fill covered the order, so AlreadyFilled one ms later leaves it filled, not cancel-raced
      expect(store.get(cloidOf(1))?.state).toBe("filled");
    }),
  );

  it(
    "flags a fill 1 ms after a successful cancel ack as a race",
    marbles((m) => {
      const store = book([1]);
      const events = m.hot("--c", { c: { t: "cancel", cloid: cloidOf(1), result: { kind: "Cancelled" } } as VenueEvent });
      const fills = m.hot("  ---a-", { a: fA });
      const expected = "     ---(fpr)";
      m.expect(harness(store, m.scheduler, events, fills)).toBeObservable(expected, {
        f: { kind: "fill", fill: enriched(fA, 100), flag: "race", cloid: cloidOf(1), stateBefore: "cancelled" },
        p: { kind: "pull", asset: "BTC", isBuy: true, cloids: [cloidOf(2)], tid: 11 },
        r: { kind: "reconcile", reason: "race", asset: "BTC", cloid: cloidOf(1), time: 3 },
      });
      m.flush();
      expect(store.get(cloidOf(1))).toMatchObject({ state: "filled", raced: true });
    }),
  );

  it(
    "keeps an AlreadyFilled order tracked until its fill 3 s later, and asks no timeout reconciliation",
    marbles((m) => {
      const store = book([1]);
      const events = m.hot("-c", { c: { t: "cancel", cloid: cloidOf(1), result: ALREADY } as VenueEvent });
      const fills = m.hot("  - 2999ms a", { a: fA });
      const expected = "     - 2999ms (fpr) 9000ms -";
      m.expect(harness(store, m.scheduler, events, fills)).toBeObservable(expected, {
        f: { kind: "fill", fill: enriched(fA, 100), flag: "race", cloid: cloidOf(1), stateBefore: "cancel-raced" },
        p: { kind: "pull", asset: "BTC", isBuy: true, cloids: [cloidOf(2)], tid: 11 },
        r: { kind: "reconcile", reason: "race", asset: "BTC", cloid: cloidOf(1), time: 3000 },
      });
      m.flush();
      expect(store.get(cloidOf(1))?.state).toBe("filled");
    }),
  );

  it(
    "asks reconciliation exactly 5000 ms after AlreadyFilled when no fill ever comes",
    marbles((m) => {
      const store = book([1]);
      const events = m.hot("-c", { c: { t: "cancel", cloid: cloidOf(1), result: ALREADY } as VenueEvent });
      const fills = m.hot("  - 9000ms -");
      const expected = "     - 5000ms t 4000ms -";
      m.expect(harness(store, m.scheduler, events, fills)).toBeObservable(expected, {
        t: { kind: "reconcile", reason: "alreadyFilledTimeout", asset: "BTC", cloid: cloidOf(1), time: 5001 },
      });
      m.flush();
      expect(store.get(cloidOf(1))?.state).toBe("cancel-raced");
    }),
  );

  it(
    "matches a fill that arrives before the order's ack by CLOID and maps its OID",
    marbles((m) => {
      const store = new OrderStore();
      store.setMid("BTC", 101);
      store.registerPlacement(spec(7, { sz: 2 }), FACTS, 0);
      const f7 = fill({ tid: 70, oid: 700, cloid: cloidOf(7), size: 0.5 });
      const events = m.hot("----k|", { k: { t: "order", cloid: cloidOf(7), result: { kind: "resting", oid: 700 } } as VenueEvent });
      const fills = m.hot("  --a---|", { a: f7 });
      const expected = "     --f---|";
      m.expect(harness(store, m.scheduler, events, fills)).toBeObservable(expected, {
        f: { kind: "fill", fill: enriched(f7, 100), flag: "matched", cloid: cloidOf(7), stateBefore: "pending-new" },
      });
      m.flush();
      expect(store.get(cloidOf(7))).toMatchObject({ state: "partially-filled", oid: 700, filledSz: 0.5 });
    }),
  );

  it(
    "flags both sides filled inside one cancel round-trip and pulls each side (the position spike)",
    marbles((m) => {
      const store = book([1, 3]);
      const events = m.hot("------------(ab)", {
        a: { t: "cancel", cloid: cloidOf(1), result: ALREADY } as VenueEvent,
        b: { t: "cancel", cloid: cloidOf(3), result: ALREADY } as VenueEvent,
      });
      const fills = m.hot("  --a-------c", { a: fA, c: fC });
      const expected = "     --(fpr)---(gqs)";
      const out = harness(store, m.scheduler, events, fills);
      m.expect(out).toBeObservable(expected, {
        f: { kind: "fill", fill: enriched(fA, 100), flag: "race", cloid: cloidOf(1), stateBefore: "pending-cancel" },
        p: { kind: "pull", asset: "BTC", isBuy: true, cloids: [cloidOf(2)], tid: 11 },
        r: { kind: "reconcile", reason: "race", asset: "BTC", cloid: cloidOf(1), time: 2 },
        g: { kind: "fill", fill: enriched(fC, 102), flag: "race", cloid: cloidOf(3), stateBefore: "pending-cancel" },
        q: { kind: "pull", asset: "BTC", isBuy: false, cloids: [cloidOf(4)], tid: 13 },
        s: { kind: "reconcile", reason: "race", asset: "BTC", cloid: cloidOf(3), time: 10 },
      });
      m.flush();
      expect(store.get(cloidOf(1))?.state).toBe("filled");
      expect(store.get(cloidOf(3))?.state).toBe("filled");
    }),
  );

  it(
    "applies a fill for an unknown OID, flags it unmatched and asks reconciliation",
    marbles((m) => {
      const store = book([]);
      const fills = m.hot("  -x----|", { x: fX });
      const expected = "     -(fr)-|";
      m.expect(harness(store, m.scheduler, EMPTY, fills)).toBeObservable(expected, {
        f: { kind: "fill", fill: enriched(fX, 100, "unmatched"), flag: "unmatched", cloid: null, stateBefore: null },
        r: { kind: "reconcile", reason: "unmatched", asset: "BTC", cloid: null, time: 1 },
      });
    }),
  );

  it(
    "completes on an empty source and stays silent on never",
    marbles((m) => {
      const store = book([]);
      m.expect(m.cold("|").pipe(cancelFillRaceGuard(store, NEVER, {}, m.scheduler))).toBeObservable("|");
      m.expect(m.cold("-").pipe(cancelFillRaceGuard(store, NEVER, {}, m.scheduler))).toBeObservable("-");
    }),
  );

  it(
    "passes errors from the fills and from the notices through",
    marbles((m) => {
      const store = book([]);
      m.expect(m.cold("--#").pipe(cancelFillRaceGuard(store, NEVER, {}, m.scheduler))).toBeObservable("--#");
      m.expect(m.cold("----").pipe(cancelFillRaceGuard(store, m.cold("-#"), {}, m.scheduler))).toBeObservable("-#");
    }),
  );

  it(
    "cancels its timeout when unsubscribed",
    marbles((m) => {
      const store = book([1]);
      const notices = m.hot("-n", { n: { cloid: cloidOf(1), asset: "BTC", remainingSz: 1, time: 1 } satisfies AlreadyFilledNotice });
      const fills = m.hot("  ----");
      const unsub = "        ^--!";
      m.expect(fills.pipe(cancelFillRaceGuard(store, notices, {}, m.scheduler)), unsub).toBeObservable("----");
      m.expect(fills).toHaveSubscriptions("^--!");
    }),
  );

  it(
    "errors the stream when the lookup throws",
    marbles((m) => {
      const bad = { orderForFill: () => { throw new Error("boom"); }, restingOrders: () => [], midOf: () => undefined };
      m.expect(m.cold("-a").pipe(cancelFillRaceGuard(bad, NEVER, {}, m.scheduler))).toBeObservable("-#", undefined, new Error("boom"));
    }),
  );
});
