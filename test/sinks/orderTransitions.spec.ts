import { describe, expect, it } from "vitest";
import { ORDER_EVENTS, ORDER_STATES, ORDER_TRANSITIONS, canTransition, transition } from "../../sinks/orderTransitions.js";
import { OrderStore } from "../../sinks/orderStore.js";
import { isTerminalOrderState } from "../../streams/execution.js";
import { FACTS, cloidOf, fill, spec } from "./helpers.js";

const rows = ORDER_STATES.flatMap((s) => ORDER_EVENTS.filter((e) => ORDER_TRANSITIONS[s][e] !== undefined).map((e) => [s, e, ORDER_TRANSITIONS[s][e]!] as const));
const missing = ORDER_STATES.flatMap((s) => ORDER_EVENTS.filter((e) => ORDER_TRANSITIONS[s][e] === undefined).map((e) => [s, e] as const));

describe("order transition table", () => {
  it("covers every state and names only known states as targets", () => {
    expect(Object.keys(ORDER_TRANSITIONS).sort()).toEqual([...ORDER_STATES].sort());
    for (const [, , to] of rows) expect(to === "prior" || ORDER_STATES.includes(to)).toBe(true);
    expect(rows.length + missing.length).toBe(ORDER_STATES.length * ORDER_EVENTS.length);
  });

  it.each(rows)("%s + %s → %s", (from, event, to) => {
    expect(transition(from, event)).toEqual({ ok: true, to });
    expect(canTransition(from, event)).toBe(true);
  });

  it.each(missing)("refuses %s + %s", (from, event) => {
    expect(transition(from, event)).toEqual({ ok: false, from, event });
    expect(canTransition(from, event)).toBe(false);
  });

  it("leaves terminal states only to filled (fill after cancel) or by revival of an inferred end", () => {
    for (const [from, event, to] of rows) {
      if (!isTerminalOrderState(from)) continue;
      expect(to === "filled" || (event === "revived" && to === "resting")).toBe(true);
    }
  });

  it("goes back to the prior state only from the two pending states", () => {
    expect(rows.filter(([, , to]) => to === "prior").map(([from]) => from).sort()).toEqual(["pending-cancel", "pending-modify"]);
  });
});

describe("OrderStore × transition table", () => {
  it("counts a refused pair, records it and leaves the order as it was", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 0);
    s.applyOrderResult(cloidOf(1), { kind: "resting", oid: 5 }, 1);
    s.applyCancelResult(cloidOf(1), { kind: "Cancelled" }, 2);
    expect(s.get(cloidOf(1))?.state).toBe("cancelled");
    // a rejected placement answer after the cancel: terminal states win; the table has no such row
    // and the store never asks (it checks terminal first), so nothing is counted
    s.applyOrderResult(cloidOf(1), { kind: "rejected", code: "BadAloPx", error: "late" }, 3);
    expect(s.get(cloidOf(1))?.state).toBe("cancelled");
    expect(s.invalidTransitionCount).toBe(0);
    // an unknown status answer for a filled order whose modify was in flight: refused, counted
    s.registerPlacement(spec(2, { px: 90 }), FACTS, 10);
    s.applyOrderResult(cloidOf(2), { kind: "resting", oid: 6 }, 11);
    s.requestModify(cloidOf(2), spec(2, { px: 91 }), FACTS, 12);
    s.applyUpdate({ asset: "BTC", cloid: cloidOf(2), oid: 6, isBuy: true, px: 90, sz: 1, origSz: 1, time: 13, status: "canceled" }, 13);
    s.applyOrderResult(cloidOf(2), { kind: "filled", oid: 7, totalSz: 1, avgPx: 91 }, 14);
    expect(s.get(cloidOf(2))?.state).toBe("filled");
    s.applyStatusAnswer(cloidOf(2), { kind: "known", update: { asset: "BTC", cloid: cloidOf(2), oid: 6, isBuy: true, px: 90, sz: 1, origSz: 1, time: 15, status: "canceled" } }, 15);
    expect(s.get(cloidOf(2))?.state).toBe("filled");
    expect(s.invalidTransitionCount).toBe(1);
    expect(s.invalidTransitions).toEqual([{ cloid: cloidOf(2), from: "filled", event: "canceled", time: 15 }]);
  });

  it("moves through the table on the everyday path: placed, acked, partly filled, cancel raced, filled", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1, { sz: 2 }), FACTS, 0);
    s.applyOrderResult(cloidOf(1), { kind: "resting", oid: 5 }, 1);
    s.applyFill(fill({ tid: 1, oid: 5, size: 0.5 }), 2);
    expect(s.get(cloidOf(1))?.state).toBe("partially-filled");
    expect(s.requestCancel(cloidOf(1), 3)).toBe(true);
    s.applyCancelResult(cloidOf(1), { kind: "AlreadyFilled", error: "Order was never placed, already canceled, or filled." }, 4);
    expect(s.get(cloidOf(1))?.state).toBe("cancel-raced");
    s.applyFill(fill({ tid: 2, oid: 5, size: 1.5 }), 5);
    expect(s.get(cloidOf(1))?.state).toBe("filled");
    expect(s.invalidTransitionCount).toBe(0);
  });
});
