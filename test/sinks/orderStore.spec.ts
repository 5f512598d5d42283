import { describe, expect, it } from "vitest";
import { OrderStore } from "../../sinks/orderStore.js";
import { createCloidGenerator, isCloid } from "../../sinks/cloid.js";
import { FACTS, cloidOf, fill, spec, update } from "./helpers.js";

function placed(store: OrderStore, n: number, oid: number, now = 0) {
  expect(store.registerPlacement(spec(n, { px: 100 - (n - 1) }), FACTS, now).ok).toBe(true);
  store.applyOrderResult(cloidOf(n), { kind: "resting", oid }, now + 1);
  return cloidOf(n);
}

describe("createCloidGenerator", () => {
  it("yields 0x + 32 hex, unique, deterministic per seed", () => {
    const a = createCloidGenerator(42);
    const b = createCloidGenerator(42);
    const ids = Array.from({ length: 1000 }, () => a.next());
    expect(ids.every(isCloid)).toBe(true);
    expect(new Set(ids).size).toBe(1000);
    expect(b.next()).toBe(ids[0]);
    expect(createCloidGenerator(43).next()).not.toBe(ids[0]);
    expect(a.issued).toBe(1000);
  });

  it("refuses a negative seed", () => {
    expect(() => createCloidGenerator(-1)).toThrow(RangeError);
  });
});

describe("OrderStore: placement and acks in any order", () => {
  it("maps the OID from the post response", () => {
    const s = new OrderStore();
    const c = placed(s, 1, 77);
    expect(s.get(c)?.state).toBe("resting");
    expect(s.byOid(77)?.cloid).toBe(c);
  });

  it("maps the OID from an orderUpdate that beats the post response", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 0);
    s.applyUpdate(update({ oid: 5, cloid: cloidOf(1), status: "open" }), 10);
    expect(s.get(cloidOf(1))?.state).toBe("resting");
    s.applyOrderResult(cloidOf(1), { kind: "resting", oid: 5 }, 20);
    expect(s.get(cloidOf(1))).toMatchObject({ state: "resting", oid: 5 });
  });

  it("accepts a fill before the ack and never regresses on the late ack", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1, { sz: 2 }), FACTS, 0);
    s.applyFill(fill({ tid: 1, oid: 9, cloid: cloidOf(1), size: 0.5 }), 5);
    expect(s.get(cloidOf(1))).toMatchObject({ state: "partially-filled", oid: 9, filledSz: 0.5 });
    s.applyOrderResult(cloidOf(1), { kind: "resting", oid: 9 }, 10);
    expect(s.get(cloidOf(1))?.state).toBe("partially-filled");
    s.applyFill(fill({ tid: 2, oid: 9, cloid: null, size: 1.5 }), 11);
    expect(s.get(cloidOf(1))).toMatchObject({ state: "filled", filledSz: 2 });
  });

  it("reconciles a filled status that arrives before the fills", () => {
    const s = new OrderStore();
    const c = placed(s, 1, 3);
    s.applyUpdate(update({ oid: 3, cloid: c, status: "filled", sz: 0, origSz: 1 }), 5);
    expect(s.get(c)?.state).toBe("filled");
    s.applyFill(fill({ tid: 1, oid: 3, size: 1 }), 6);
    expect(s.get(c)).toMatchObject({ state: "filled", filledSz: 1 });
  });

  it("takes the larger of the update's filled size and the fill sum as the remainder", () => {
    const s = new OrderStore();
    const c = placed(s, 1, 3);
    s.applyUpdate(update({ oid: 3, cloid: c, status: "open", sz: 0.4, origSz: 1 }), 5);
    expect(s.get(c)?.state).toBe("partially-filled");
    expect(s.remaining(s.get(c)!)).toBeCloseTo(0.4);
    s.applyFill(fill({ tid: 1, oid: 3, size: 0.3 }), 6);
    expect(s.remaining(s.get(c)!)).toBeCloseTo(0.4);
    s.applyFill(fill({ tid: 2, oid: 3, size: 0.7 }), 7);
    expect(s.get(c)?.state).toBe("filled");
  });

  it("keeps terminal states over late open updates", () => {
    const s = new OrderStore();
    const c = placed(s, 1, 3);
    s.requestCancel(c, 2);
    s.applyCancelResult(c, { kind: "Cancelled" }, 3);
    s.applyUpdate(update({ oid: 3, cloid: c, status: "open" }), 4);
    expect(s.get(c)?.state).toBe("cancelled");
  });

  it("rejects on a rejected result and ignores a later resting for it", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 0);
    s.applyOrderResult(cloidOf(1), { kind: "rejected", code: "BadAloPx", error: "Post only order would have immediately matched" }, 1);
    expect(s.get(cloidOf(1))?.state).toBe("rejected");
    s.applyUpdate(update({ oid: 4, cloid: cloidOf(1), status: "open" }), 2);
    expect(s.get(cloidOf(1))?.state).toBe("rejected");
  });
});

describe("OrderStore: cancels", () => {
  it("keeps an AlreadyFilled order tracked as cancel-raced until its fill", () => {
    const s = new OrderStore();
    const c = placed(s, 1, 3);
    s.requestCancel(c, 2);
    s.applyCancelResult(c, { kind: "AlreadyFilled", error: "Order was never placed, already canceled, or filled." }, 3);
    expect(s.get(c)?.state).toBe("cancel-raced");
    expect(s.open().map((o) => o.cloid)).toContain(c);
    s.applyFill(fill({ tid: 1, oid: 3, size: 1 }), 4);
    expect(s.get(c)).toMatchObject({ state: "filled", raced: true });
  });

  it("returns a Failed cancel to the prior state", () => {
    const s = new OrderStore();
    const c = placed(s, 1, 3);
    s.requestCancel(c, 2);
    s.applyCancelResult(c, { kind: "Failed", code: "RateLimited", error: "Too many" }, 3);
    expect(s.get(c)?.state).toBe("resting");
  });

  it("applies a fill after the cancel ack, flags the race, and upgrades to filled when it covers the size", () => {
    const s = new OrderStore();
    const c = placed(s, 1, 3);
    s.requestCancel(c, 2);
    s.applyCancelResult(c, { kind: "Cancelled" }, 3);
    const ch = s.applyFill(fill({ tid: 1, oid: 3, size: 1 }), 4);
    expect(ch.before).toBe("cancelled");
    expect(s.get(c)).toMatchObject({ state: "filled", raced: true, filledSz: 1 });
  });

  it("refuses to cancel an order that is not live", () => {
    const s = new OrderStore();
    const c = placed(s, 1, 3);
    s.requestCancel(c, 2);
    expect(s.requestCancel(c, 3)).toBe(false);
  });
});

describe("OrderStore: modify is cancel-replace", () => {
  function modifying() {
    const s = new OrderStore();
    const c = placed(s, 1, 10);
    const check = s.requestModify(c, spec(1, { px: 101, sz: 2 }), { ...FACTS, midAtPlacement: 102 }, 5);
    expect(check.ok).toBe(true);
    expect(s.get(c)?.state).toBe("pending-modify");
    return { s, c };
  }

  it("handles the new OID's open before the old OID's CANCELED", () => {
    const { s, c } = modifying();
    s.applyUpdate(update({ oid: 11, cloid: c, status: "open", px: 101, sz: 2, origSz: 2 }), 6);
    expect(s.get(c)).toMatchObject({ state: "resting", oid: 11, px: 101, origSz: 2, midAtPlacement: 102 });
    s.applyUpdate(update({ oid: 10, cloid: c, status: "canceled" }), 7);
    expect(s.get(c)).toMatchObject({ state: "resting", oid: 11 });
    s.applyModifyResult(c, { kind: "resting", oid: 11 }, 8);
    expect(s.get(c)).toMatchObject({ state: "resting", oid: 11 });
    expect(s.byOid(10)?.cloid).toBe(c);
  });

  it("handles the old OID's CANCELED before the new OID's open", () => {
    const { s, c } = modifying();
    s.applyUpdate(update({ oid: 10, cloid: c, status: "canceled" }), 6);
    expect(s.get(c)?.state).toBe("pending-modify");
    s.applyUpdate(update({ oid: 11, cloid: c, status: "open", px: 101, sz: 2, origSz: 2 }), 7);
    expect(s.get(c)).toMatchObject({ state: "resting", oid: 11, px: 101 });
    s.applyModifyResult(c, { kind: "resting", oid: 11 }, 8);
    expect(s.get(c)).toMatchObject({ state: "resting", oid: 11 });
  });

  it("handles the response before both updates", () => {
    const { s, c } = modifying();
    s.applyModifyResult(c, { kind: "resting", oid: 11 }, 6);
    expect(s.get(c)).toMatchObject({ state: "resting", oid: 11, px: 101, origSz: 2 });
    s.applyUpdate(update({ oid: 10, cloid: c, status: "canceled" }), 7);
    s.applyUpdate(update({ oid: 11, cloid: c, status: "open", px: 101, sz: 2, origSz: 2 }), 8);
    expect(s.get(c)).toMatchObject({ state: "resting", oid: 11 });
  });

  it("counts a fill on the old OID to the order but not to the new leg", () => {
    const { s, c } = modifying();
    s.applyModifyResult(c, { kind: "resting", oid: 11 }, 6);
    s.applyFill(fill({ tid: 1, oid: 10, size: 0.5 }), 7);
    expect(s.get(c)).toMatchObject({ state: "resting", filledSz: 0.5, legFilledSz: 0 });
  });

  it("ends the order when the modify is rejected after its cancel leg", () => {
    const { s, c } = modifying();
    s.applyUpdate(update({ oid: 10, cloid: c, status: "canceled" }), 6);
    s.applyModifyResult(c, { kind: "rejected", code: "BadAloPx", error: "Post only order would have immediately matched" }, 7);
    expect(s.get(c)?.state).toBe("cancelled");
  });

  it("returns to the prior state and asks the venue when the modify is rejected without a cancel leg", () => {
    const { s, c } = modifying();
    s.applyModifyResult(c, { kind: "rejected", code: "CannotModify", error: "Cannot modify canceled or filled order" }, 7);
    expect(s.get(c)).toMatchObject({ state: "resting", oid: 10, needsVerify: true });
    expect(s.sweepStale(8)).toEqual([c]);
  });
});

describe("OrderStore: timeout deconfirmation", () => {
  it("marks a placement stale at 5000 ms without an answer, not at 4999", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 1000);
    s.noteSent({ type: "order", orders: [spec(1)] }, 1000); // sent at once (test/sinks/sendClock.spec.ts: the clock starts at the send)
    expect(s.sweepStale(5999)).toEqual([]);
    expect(s.gateReason("BTC", 5999)).toBeUndefined();
    expect(s.sweepStale(6000)).toEqual([cloidOf(1)]);
    expect(s.gateReason("BTC", 6000)).toEqual({ kind: "OrderStale", cloid: cloidOf(1), ageMs: 5000 });
    expect(s.gateReason("ETH", 6000)).toBeUndefined();
  });

  it("re-asks only after another staleAfterMs", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 0);
    s.noteSent({ type: "order", orders: [spec(1)] }, 0);
    expect(s.sweepStale(5000)).toEqual([cloidOf(1)]);
    s.noteStatusQuery(cloidOf(1), 5000);
    expect(s.sweepStale(6000)).toEqual([]);
    expect(s.sweepStale(10_000)).toEqual([cloidOf(1)]);
  });

  it("resolves a stale order from the status answer", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 0);
    s.sweepStale(5000);
    s.applyStatusAnswer(cloidOf(1), { kind: "known", update: update({ oid: 8, cloid: cloidOf(1), status: "open" }) }, 5100);
    expect(s.get(cloidOf(1))).toMatchObject({ state: "resting", oid: 8, stale: false });
    expect(s.gateReason("BTC", 5100)).toBeUndefined();
  });

  it("infers an order unknown to the venue as gone, and revives it if the venue later shows it open", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 0);
    s.applyStatusAnswer(cloidOf(1), { kind: "unknownOid" }, 5000);
    expect(s.get(cloidOf(1))).toMatchObject({ state: "cancelled", inferred: true });
    s.applyStatusAnswer(cloidOf(1), { kind: "known", update: update({ oid: 8, cloid: cloidOf(1), status: "open" }) }, 6000);
    expect(s.get(cloidOf(1))).toMatchObject({ state: "resting", oid: 8, inferred: false });
  });
});

describe("OrderStore: duplicate detection", () => {
  it("refuses the same CLOID twice", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 0);
    const r = s.registerPlacement(spec(1, { px: 90 }), FACTS, 1);
    expect(r).toEqual({ ok: false, refusal: { kind: "DuplicateCloid", cloid: cloidOf(1) } });
  });

  it("refuses the same side and price within 60 s while the first is unresolved", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 0);
    const r = s.registerPlacement(spec(2), FACTS, 59_999);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.refusal.kind).toBe("DuplicatePrice");
    expect(s.get(cloidOf(2))).toBeUndefined();
    expect(s.registerPlacement(spec(3, { isBuy: false }), FACTS, 1).ok).toBe(true);
    expect(s.registerPlacement(spec(4), FACTS, 60_000).ok).toBe(true);
  });

  it("allows the price again once the first is resolved", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 0);
    s.applyOrderResult(cloidOf(1), { kind: "rejected", code: "BadAloPx", error: "x" }, 1);
    expect(s.registerPlacement(spec(2), FACTS, 2).ok).toBe(true);
  });

  it("refuses a non-positive size with no state change", () => {
    const s = new OrderStore();
    const r = s.registerPlacement(spec(1, { sz: 0 }), FACTS, 0);
    expect(r.ok).toBe(false);
    expect(s.size).toBe(0);
  });
});

describe("OrderStore: housekeeping", () => {
  it("prunes terminal orders after the retention, keeps live ones", () => {
    const s = new OrderStore({ retentionMs: 1000 });
    const a = placed(s, 1, 1);
    placed(s, 2, 2);
    s.requestCancel(a, 5);
    s.applyCancelResult(a, { kind: "Cancelled" }, 10);
    expect(s.prune(1009)).toBe(0);
    expect(s.prune(1010)).toBe(1);
    expect(s.get(a)).toBeUndefined();
    expect(s.byOid(1)).toBeUndefined();
    expect(s.size).toBe(1);
  });

  it("carries placement facts into the guard lookup", () => {
    const s = new OrderStore();
    const c = placed(s, 1, 3);
    expect(s.orderForFill(fill({ tid: 1, oid: 3 }))).toMatchObject({ cloid: c, source: "base_ladder", midAtPlacement: 101, remainingSz: 1 });
    expect(s.orderForFill(fill({ tid: 1, oid: 999 }))).toBeUndefined();
  });
});

describe("OrderStore: late answers for a superseded leg", () => {
  it("ignores the first leg's post response arriving after the modify was accepted", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 0);
    s.applyUpdate(update({ oid: 10, cloid: cloidOf(1), status: "open" }), 1);
    s.requestModify(cloidOf(1), spec(1, { px: 101 }), FACTS, 2);
    s.applyModifyResult(cloidOf(1), { kind: "resting", oid: 11 }, 3);
    s.applyOrderResult(cloidOf(1), { kind: "resting", oid: 10 }, 4);
    expect(s.get(cloidOf(1))).toMatchObject({ oid: 11, oldOids: [10], state: "resting" });
    s.applyFill(fill({ tid: 1, oid: 11, size: 1 }), 5);
    expect(s.get(cloidOf(1))).toMatchObject({ state: "filled", legFilledSz: 1 });
  });
});

describe("OrderStore: a modify whose new leg never rests", () => {
  it("ends the order when the status answer's latest leg is the cancelled old one", () => {
    const s = new OrderStore();
    s.registerPlacement(spec(1), FACTS, 0);
    s.applyOrderResult(cloidOf(1), { kind: "resting", oid: 10 }, 1);
    s.requestModify(cloidOf(1), spec(1, { px: 101 }), FACTS, 2);
    s.applyUpdate(update({ oid: 10, cloid: cloidOf(1), status: "canceled" }), 3);
    expect(s.get(cloidOf(1))?.state).toBe("pending-modify");
    s.applyStatusAnswer(cloidOf(1), { kind: "known", update: update({ oid: 10, cloid: cloidOf(1), status: "canceled" }) }, 4000);
    expect(s.get(cloidOf(1))).toMatchObject({ state: "cancelled", inferred: true });
  });
});
