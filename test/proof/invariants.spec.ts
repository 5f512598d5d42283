// The soak's invariant checker catches each kind of violation it promises to, on a scripted
// service and venue (so a green soak means the service held, not that the checker looked away).
import { describe, expect, it } from "vitest";
import { VirtualTimeScheduler } from "rxjs";
import { TypedFanoutSubject } from "../../streams/fanout.js";
import { SoakChecker, tapSubmits } from "../../proof/soak/invariants.js";
import type { SubmitTap } from "../../proof/soak/invariants.js";
import type { Venue } from "../../streams/venue.js";
import type { QuoteflowService } from "../../app/service.js";
import type { PaperExchange } from "../../sim/index.js";
import type { OpenOrder } from "../../streams/orders.js";
import type { VenueFill } from "../../streams/fill.js";

const USER = "0xabc";

function rig(submits?: SubmitTap) {
  const scheduler = new VirtualTimeScheduler();
  // the sink's one event stream, fed by type as the scripted service's outputs
  const events$ = new TypedFanoutSubject<{ type: string }>();
  const as = (wrap: (v: any) => { type: string }) => ({ next: (v: unknown) => events$.next(wrap(v)) });
  const fills$ = as((g) => ({ type: "fill", ...g, time: scheduler.now() }));
  const reconciles$ = as((report) => ({ type: "reconcile", report, time: scheduler.now() }));
  const gates$ = as((g) => ({ type: "gate", ...g }));
  const killSwitch$ = as((state) => ({ type: "killSwitch", state, time: scheduler.now() }));
  const actions$ = as((action) => ({ type: "action", action, time: scheduler.now() }));
  const ours: Record<string, number> = {};
  const closed: Record<string, string | undefined> = {};
  const kill = { state: { active: false } as { active: boolean; trip?: { trigger: string; time: number; detail: string } } };
  const venuePos = new Map<string, { szi: number }>();
  const venueFills: { fill: VenueFill }[] = [];
  const open: OpenOrder[] = [];
  const budget = { nRequestsUsed: 0, nRequestsCap: 10_000, cumVlm: 0, nRequestsSurplus: 0 };
  const service = {
    sink: { events$, eventsOf: (...types: string[]) => events$.ofType(...types), killSwitch: kill, positions: { position: (a: string) => ours[a] ?? 0 } },
    gates: { closedReason: (a: string) => closed[a] },
  } as unknown as QuoteflowService;
  const exchange = {
    scheduler,
    now: () => scheduler.now(),
    account: () => ({ positions: venuePos, fills: venueFills }),
    openOrders: () => open,
    rateLimit: () => budget,
  } as unknown as PaperExchange;
  const checker = new SoakChecker(service, exchange, { user: USER, assets: ["BTC"], reactionMs: 1_000, fillGraceMs: 5_000, reserveFraction: 0.05, ...(submits ? { submits } : {}) });
  checker.start();
  const at = (ms: number) => {
    scheduler.maxFrames = ms;
    scheduler.flush();
  };
  const fill = (tid: number, time: number): VenueFill => ({ tid, oid: 1, cloid: null, asset: "BTC", isBuy: true, size: 1, price: 100, time, fee: 0, crossed: false });
  const order = (oid: number): OpenOrder => ({ asset: "BTC", oid, cloid: null, isBuy: true, px: 100, sz: 1, origSz: 1, time: 0 });
  const place = { type: "order", orders: [{ asset: "BTC", isBuy: true, px: 100, sz: 1, tif: "Alo", reduceOnly: false, cloid: "0x01" }] };
  return { scheduler, checker, fills$, reconciles$, gates$, killSwitch$, actions$, ours, closed, kill, venuePos, venueFills, open, budget, at, fill, order, place };
}

describe("SoakChecker", () => {
  it("counts nothing when the service keeps every promise", () => {
    const r = rig();
    const f = r.fill(1, 0);
    r.venueFills.push({ fill: f });
    r.fills$.next({ kind: "fill", fill: f, flag: "matched" });
    r.venuePos.set("BTC", { szi: 1 });
    r.ours["BTC"] = 1;
    r.reconciles$.next({ time: 0, trigger: "periodic", positions: { BTC: 1 } });
    r.actions$.next({ kind: "sent", batch: r.place, time: 0 });
    r.at(10_000);
    r.checker.stop();
    r.checker.finish();
    expect(r.checker.violations).toEqual([]);
    expect(r.checker.ok()).toBe(true);
  });

  it("catches a fill applied twice and a venue fill never applied", () => {
    const r = rig();
    const f = r.fill(1, 0);
    r.venueFills.push({ fill: f }, { fill: r.fill(2, 0) });
    r.fills$.next({ kind: "fill", fill: f, flag: "matched" });
    r.fills$.next({ kind: "fill", fill: f, flag: "matched" });
    r.at(6_000);
    expect(r.checker.counts.fillDoubleCounted).toBe(1);
    expect(r.checker.counts.fillLost).toBe(1);
    expect(r.checker.violations[0]!.kind).toBe("fillDoubleCounted");
  });

  it("catches a position that differs from the venue right after a reconciliation", () => {
    const r = rig();
    r.venuePos.set("BTC", { szi: 2 });
    r.reconciles$.next({ time: 0, trigger: "periodic", positions: { BTC: 1 } });
    expect(r.checker.counts.positionAfterReconcile).toBe(1);
  });

  it("catches a placement while a gate is closed and an order resting beyond the reaction time", () => {
    const r = rig();
    r.closed["BTC"] = "StaleData";
    r.at(250);
    r.actions$.next({ kind: "sent", batch: r.place, time: 250 });
    expect(r.checker.counts.placedWhileGated).toBe(1);
    r.open.push(r.order(7));
    r.at(1_000);
    expect(r.checker.counts.restingWhileGated).toBe(0); // still inside the reaction time
    r.at(1_500);
    expect(r.checker.counts.restingWhileGated).toBe(1);
    r.at(5_000);
    expect(r.checker.counts.restingWhileGated).toBe(1); // one order counted once
  });

  it("with a submit tap, holds placements to what reaches the venue's submit, not to the executor's report", () => {
    const submitted: unknown[] = [];
    const venue = { name: "tapped", submit: (b: unknown) => (submitted.push(b), "answer") } as unknown as Venue;
    const tap = tapSubmits(venue);
    const r = rig(tap);
    r.closed["BTC"] = "StaleData";
    // the executor's "sent" alone is not what the venue got
    r.actions$.next({ kind: "sent", batch: r.place, time: 0 });
    expect(r.checker.counts.placedWhileGated).toBe(0);
    // a submit call while closed is
    expect(tap.venue.submit(r.place as never)).toBe("answer");
    expect(submitted).toEqual([r.place]);
    expect(tap.venue.name).toBe("tapped");
    expect(r.checker.counts.placedWhileGated).toBe(1);
    r.closed["BTC"] = undefined;
    tap.venue.submit(r.place as never);
    expect(r.checker.counts.placedWhileGated).toBe(1);
    expect(r.checker.placementsSent).toBe(2);
  });

  it("catches a placement inside the cancel reserve and a rate-limited answer to a placement", () => {
    const r = rig();
    r.budget.nRequestsUsed = 9_500;
    r.actions$.next({ kind: "sent", batch: r.place, time: 0 });
    expect(r.checker.counts.placementInReserve).toBe(1);
    r.actions$.next({ kind: "result", batch: r.place, result: { ok: false, code: "RateLimited", error: "Too many", rateLimited: true }, time: 1, latencyMs: 1 });
    expect(r.checker.counts.placementRateLimited).toBe(1);
  });

  it("catches a kill-switch trip for an internal error, a catastrophe that tripped nothing, and orders left after shutdown", () => {
    const r = rig();
    r.checker.noteCatastrophe({ kind: "longDropout", time: 0, until: 90_000 });
    r.killSwitch$.next({ active: true, time: 5, trip: { trigger: "InternalError", time: 5, detail: "boom" }, alsoTriggered: [] });
    expect(r.checker.counts.badKillTrip).toBe(1);
    r.open.push(r.order(9));
    r.checker.stop();
    r.checker.finish();
    expect(r.checker.counts.catastropheWithoutTrip).toBe(1);
    expect(r.checker.counts.restingAfterShutdown).toBe(1);
    expect(r.checker.ok()).toBe(false);
  });
});
