// The coalescer on virtual time: one packed request per kind at each step end; a coalescing window
// that widens as IP headroom falls (never dropping); cancels never wait; a closed gate drops its
// asset's buffered placements. Then the executor and the whole sink with batching on and off.
import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler } from "rxjs";
import { coalesceBatches, coalesceWindowMs } from "../../sinks/batchCoalescer.js";
import type { CoalescerHooks, CoalescerInput } from "../../sinks/batchCoalescer.js";
import { createExecutorCounts, executor } from "../../sinks/executor.js";
import type { ExecutionEvent, ExecutorCommand } from "../../sinks/executor.js";
import type { ActionBatch } from "../../streams/actions.js";
import type { QuoteGateReason } from "../../streams/gate.js";
import type { QuotaThrottleState } from "../../streams/quota.js";
import { marbles } from "../marbles.js";
import { FakeVenue } from "./fakeVenue.js";
import { spec } from "./helpers.js";

const place = (n: number, asset: string): ActionBatch => ({ type: "order", orders: [spec(n, { asset, px: 100 - n })] });
const both = (...bs: ActionBatch[]): ActionBatch => ({ type: "order", orders: bs.flatMap((b) => (b.type === "order" ? b.orders : [])) });
const cancel = (oid: number, asset: string): ActionBatch => ({ type: "cancel", cancels: [{ asset, oid }] });
const E: CoalescerInput = { kind: "stepEnd" };
const sub = (batch: ActionBatch): CoalescerInput => ({ kind: "submit", batch });

function hooks(headroom: () => number, closed = new Map<string, QuoteGateReason>(), dropped: ActionBatch[] = []): CoalescerHooks {
  return { ipHeadroom: headroom, closed, onDropped: (b) => dropped.push(b), onPacked: () => undefined };
}

describe("coalescing window", () => {
  it("is 0 at or above tightBelow and widens linearly to maxWindowMs at no headroom", () => {
    expect(coalesceWindowMs(1)).toBe(0);
    expect(coalesceWindowMs(0.5)).toBe(0);
    expect(coalesceWindowMs(0.25)).toBe(500);
    expect(coalesceWindowMs(0)).toBe(1000);
    expect(coalesceWindowMs(0.1, { tightBelow: 0.2, maxWindowMs: 400 })).toBe(200);
    expect(coalesceWindowMs(-3)).toBe(1000);
  });
});

describe("coalesceBatches", () => {
  it(
    "sends one packed request per kind at every step end while the IP window is not tight",
    marbles((m) => {
      const a = place(1, "BTC");
      const b = place(2, "ETH");
      const c = place(3, "SOL");
      const src = m.hot("  -a-b-E---c-E-|", { a: sub(a), b: sub(b), c: sub(c), E });
      const expected = "   -----x-----y-|";
      m.expect(src.pipe(coalesceBatches({}, hooks(() => 1), m.scheduler))).toBeObservable(expected, { x: both(a, b), y: c });
    }),
  );

  it(
    "holds placements for the window when IP headroom is tight, packing every step inside it into one request",
    marbles((m) => {
      const a = place(1, "BTC");
      const b = place(2, "ETH");
      const c = place(3, "SOL");
      // headroom 0.25 → 500 ms window from the first step end (frame 2)
      const src = m.hot("  -aE-bE 100ms cE---", { a: sub(a), b: sub(b), c: sub(c), E });
      const expected = "   -- 500ms x";
      m.expect(src.pipe(coalesceBatches({}, hooks(() => 0.25), m.scheduler))).toBeObservable(expected, { x: both(a, b, c) });
    }),
  );

  it(
    "never holds a cancel: a step end with a cancel flushes everything buffered, in each asset's order",
    marbles((m) => {
      const a = place(1, "BTC");
      const k = cancel(7, "ETH");
      const src = m.hot("  -aE--kE---", { a: sub(a), k: sub(k), E });
      const expected = "   ------(xy)";
      m.expect(src.pipe(coalesceBatches({}, hooks(() => 0), m.scheduler))).toBeObservable(expected, { x: a, y: k });
    }),
  );

  it(
    "flushes what is buffered when the source completes",
    marbles((m) => {
      const a = place(1, "BTC");
      const src = m.hot("  -aE-|", { a: sub(a), E });
      m.expect(src.pipe(coalesceBatches({}, hooks(() => 0), m.scheduler))).toBeObservable("    ----(x|)", { x: a });
    }),
  );

  it("drops a buffered placement whose asset's gate closed before the window ended, and sends the rest", () => {
    const scheduler = new VirtualTimeScheduler(undefined, Infinity);
    const closed = new Map<string, QuoteGateReason>();
    const dropped: ActionBatch[] = [];
    const src = new Subject<CoalescerInput>();
    const out: Array<[number, ActionBatch]> = [];
    src.pipe(coalesceBatches({}, hooks(() => 0, closed, dropped), scheduler)).subscribe((b) => out.push([scheduler.now(), b]));
    src.next(sub(place(1, "BTC")));
    src.next(sub(place(2, "ETH")));
    src.next(E);
    scheduler.schedule(() => closed.set("BTC", { kind: "StaleData", ageMs: 10_000, thresholdMs: 10_000 }), 300);
    scheduler.flush();
    expect(out).toEqual([[1000, place(2, "ETH")]]);
    expect(dropped).toEqual([place(1, "BTC")]);
  });
});

describe("executor × cross-asset batching", () => {
  function run(crossAsset: boolean, headroom = 1) {
    const scheduler = new VirtualTimeScheduler(undefined, Infinity);
    const venue = new FakeVenue(scheduler);
    venue.knobs.latencyMs = 50;
    const cmds = new Subject<ExecutorCommand>();
    const counts = createExecutorCounts();
    const events: ExecutionEvent[] = [];
    const quota$ = new Subject<QuotaThrottleState>();
    cmds
      .pipe(executor(venue, { counts, batching: { crossAsset }, quotaState$: quota$ }, scheduler))
      .subscribe((e) => events.push(e));
    quota$.next({ time: 0, headroom, ipHeadroom: headroom, addressHeadroom: 1, breakerOpen: false, limited: "none", nextSlotAt: null, queuedCancels: 0 });
    let id = 0;
    for (const asset of ["BTC", "ETH", "SOL"]) {
      cmds.next({ kind: "submit", batch: { type: "order", orders: [spec(++id, { asset, px: 90 + id }), spec(++id, { asset, px: 90 + id, isBuy: false })] } });
    }
    cmds.next({ kind: "stepEnd" });
    return { scheduler, venue, counts, events };
  }

  it("sends the placements of three assets of one step as one request and splits the answer back per order", () => {
    const { scheduler, venue, counts, events } = run(true);
    expect(counts.pending).toBe(1);
    scheduler.flush();
    expect(venue.submitted.map((b) => b.type)).toEqual(["order"]);
    const result = events.find((e) => e.kind === "result");
    const r = result?.kind === "result" ? result.result : null;
    const statuses = r?.ok && r.type === "order" ? r.statuses : [];
    expect(statuses.map((s) => s.kind)).toEqual(["resting", "resting", "resting", "resting", "resting", "resting"]);
    expect(counts.pending).toBe(0);
  });

  it("with crossAsset false sends each asset's batch as planned (the baseline)", () => {
    const { scheduler, venue, counts } = run(false);
    scheduler.flush();
    expect(venue.submitted.length).toBe(3);
    expect(counts.pending).toBe(0);
  });

  it("waits the coalescing window the IP headroom asks for before sending placements", () => {
    const { scheduler, venue } = run(true, 0.1);
    scheduler.schedule(() => expect(venue.submitted.length).toBe(0), 799);
    scheduler.flush();
    expect(venue.submitted.length).toBe(1);
  });
});
