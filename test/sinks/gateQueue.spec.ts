// A closed gate reaches the executor's send queue: placements and modifies that wait for an
// in-flight slot are dropped when their asset's gate closes (cancels stay, and go first), on
// virtual time — the executor alone, then the whole sink with its three kinds of closing.
import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler } from "rxjs";
import { createExecutorCounts, executor } from "../../sinks/executor.js";
import type { ExecutionEvent, ExecutorCommand } from "../../sinks/executor.js";
import type { ActionBatch } from "../../streams/actions.js";
import type { QuoteIntent } from "../../streams/intent.js";
import { emptyIntent } from "../../streams/intent.js";
import { FakeVenue } from "./fakeVenue.js";
import { spec } from "./helpers.js";
import { wiredSink } from "./sinkHarness.js";

const stale = { kind: "StaleData", ageMs: 10_000, thresholdMs: 10_000 } as const;

function setupExecutor(maxInFlight: number) {
  const scheduler = new VirtualTimeScheduler(undefined, Infinity);
  const venue = new FakeVenue(scheduler);
  venue.knobs.latencyMs = 100;
  const commands = new Subject<ExecutorCommand>();
  const counts = createExecutorCounts();
  const events: ExecutionEvent[] = [];
  let completed = false;
  commands.pipe(executor(venue, { maxInFlight, counts }, scheduler)).subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
  const at = (t: number, fn: () => void) => scheduler.schedule(fn, t - scheduler.now());
  return { scheduler, venue, commands, counts, events, at, isCompleted: () => completed };
}

const place = (n: number, asset = "BTC"): ActionBatch => ({ type: "order", orders: [spec(n, { asset, px: 100 - n })] });
const cancel = (n: number, asset = "BTC"): ActionBatch => ({ type: "cancelByCloid", cancels: [{ asset, cloid: spec(n).cloid }] });

describe("executor send queue × gates", () => {
  it("drops a placement queued behind the in-flight limit when its gate closes; the cancel queued with it is sent when the slot frees", () => {
    const { scheduler, venue, commands, counts, events, at } = setupExecutor(1);
    at(0, () => {
      commands.next({ kind: "submit", batch: place(1) }); // takes the only slot until t = 100
      commands.next({ kind: "submit", batch: place(2) }); // waits
      commands.next({ kind: "submit", batch: cancel(1) }); // waits
    });
    at(50, () => commands.next({ kind: "gate", asset: "BTC", reason: stale }));
    scheduler.flush();
    expect(venue.submitted).toEqual([place(1), cancel(1)]);
    const dropped = events.filter((e) => e.kind === "dropped");
    expect(dropped).toEqual([{ kind: "dropped", batch: place(2), asset: "BTC", reason: stale, time: 50 }]);
    expect(events.filter((e) => e.kind === "sent").map((e) => [e.batch.type, e.time])).toEqual([
      ["order", 0],
      ["cancelByCloid", 100],
    ]);
    expect(counts.pending).toBe(0);
    expect(counts.inFlight).toBe(0);
  });

  it("checks once more right before sending: a placement that reaches the queue while its asset is closed never leaves", () => {
    const { scheduler, venue, commands, events, at } = setupExecutor(1);
    at(0, () => {
      commands.next({ kind: "gate", asset: "ETH", reason: stale });
      commands.next({ kind: "submit", batch: place(1, "ETH") });
      commands.next({ kind: "submit", batch: place(2, "BTC") });
    });
    scheduler.flush();
    expect(venue.submitted).toEqual([place(2, "BTC")]);
    expect(events.filter((e) => e.kind === "dropped").map((e) => e.kind === "dropped" && e.asset)).toEqual(["ETH"]);
  });

  it("a reopened gate lets new placements through, and what was dropped stays dropped", () => {
    const { scheduler, venue, commands, at } = setupExecutor(1);
    at(0, () => {
      commands.next({ kind: "submit", batch: place(1) });
      commands.next({ kind: "submit", batch: place(2) });
    });
    at(40, () => commands.next({ kind: "gate", asset: "BTC", reason: stale }));
    at(60, () => {
      commands.next({ kind: "gate", asset: "BTC", reason: null });
      commands.next({ kind: "submit", batch: place(3) });
    });
    scheduler.flush();
    expect(venue.submitted).toEqual([place(1), place(3)]);
  });

  it("cancels overtake queued placements of other assets, not of their own", () => {
    const { scheduler, venue, commands, at } = setupExecutor(1);
    at(0, () => {
      commands.next({ kind: "submit", batch: place(1, "SOL") }); // in flight
      commands.next({ kind: "submit", batch: place(2, "ETH") });
      commands.next({ kind: "submit", batch: place(3, "BTC") });
      commands.next({ kind: "submit", batch: cancel(4, "ETH") }); // behind ETH's placement, ahead of BTC's
    });
    scheduler.flush();
    expect(venue.submitted).toEqual([place(1, "SOL"), place(2, "ETH"), cancel(4, "ETH"), place(3, "BTC")]);
  });

  it("drops only the closed asset's elements of a mixed batch and sends the rest", () => {
    const { scheduler, venue, commands, counts, events, at } = setupExecutor(1);
    const mixed: ActionBatch = { type: "order", orders: [spec(5, { asset: "BTC" }), spec(6, { asset: "ETH" })] };
    at(0, () => {
      commands.next({ kind: "submit", batch: place(1, "SOL") });
      commands.next({ kind: "submit", batch: mixed });
    });
    at(10, () => commands.next({ kind: "gate", asset: "BTC", reason: stale }));
    scheduler.flush();
    expect(venue.submitted).toEqual([place(1, "SOL"), { type: "order", orders: [spec(6, { asset: "ETH" })] }]);
    expect(events.filter((e) => e.kind === "dropped").map((e) => e.batch)).toEqual([{ type: "order", orders: [spec(5, { asset: "BTC" })] }]);
    expect(counts.pending).toBe(0);
  });

  it("completes once the source has and nothing waits or flies", () => {
    const { scheduler, commands, isCompleted, at } = setupExecutor(1);
    at(0, () => {
      commands.next({ kind: "submit", batch: place(1) });
      commands.next({ kind: "submit", batch: place(2) });
      commands.complete();
    });
    scheduler.maxFrames = 150;
    scheduler.flush();
    expect(isCompleted()).toBe(false);
    scheduler.maxFrames = Infinity;
    scheduler.flush();
    expect(isCompleted()).toBe(true);
  });
});

function ladder(asset: string, mid: number): QuoteIntent {
  return {
    asset,
    time: 0,
    bids: [{ px: mid - 1, sz: 1, source: "base_ladder" }],
    asks: [{ px: mid + 1, sz: 1, source: "base_ladder" }],
  };
}

function setupSink() {
  const scheduler = new VirtualTimeScheduler(undefined, 0);
  const venue = new FakeVenue(scheduler);
  venue.knobs.latencyMs = 100;
  const intents = new Subject<QuoteIntent>();
  const { sink, seen } = wiredSink(venue, { cloidSeed: 3, executor: { maxInFlight: 1, timeoutMs: 5000 }, deadMan: false }, scheduler, { intents$: intents });
  const dropped = () => seen.all.filter((e) => e.type === "dropped");
  const until = (t: number) => {
    scheduler.maxFrames = t;
    scheduler.flush();
  };
  const at = (t: number, fn: () => void) => scheduler.schedule(fn, t - scheduler.now());
  /** What reached venue.submit, by batch type and asset. */
  const submittedFor = (asset: string) =>
    venue.submitted.filter((b) => (b.type === "order" ? b.orders.some((o) => o.asset === asset) : b.type === "batchModify" ? b.modifies.some((m) => m.order.asset === asset) : b.type === "cancel" || b.type === "cancelByCloid" ? b.cancels.some((c) => c.asset === asset) : false));
  return { scheduler, venue, intents, sink, seen, dropped, until, at, submittedFor };
}

describe("ExecutionSink: a closed gate reaches the send queue", () => {
  it("a pipeline gate's empty intent drops the asset's placement waiting for a slot; nothing of it is sent, nothing rests", () => {
    const { venue, intents, sink, seen, dropped, until, at, submittedFor } = setupSink();
    // BTC's placement takes the only slot (answered at t = 100); ETH's waits behind it
    at(1, () => intents.next(ladder("BTC", 100)));
    at(2, () => intents.next(ladder("ETH", 50)));
    at(50, () => intents.next(emptyIntent("ETH", 50, { kind: "StaleData", ageMs: 10_000, thresholdMs: 10_000 })));
    until(2000);
    expect(submittedFor("ETH").filter((b) => b.type === "order" || b.type === "batchModify")).toEqual([]);
    expect(venue.open("ETH")).toEqual([]);
    expect(venue.open("BTC")).toHaveLength(2);
    expect(dropped()).toMatchObject([{ type: "dropped", asset: "ETH", reason: { kind: "StaleData" }, elements: 2, time: 50 }]);
    expect(sink.metrics.droppedAtGate).toBe(2);
    expect(sink.liveOrders("ETH")).toEqual([]);
    expect(sink.store.open("ETH")).toEqual([]);
    expect(seen.all.filter((e) => e.type === "invalidTransition")).toEqual([]);
  });

  it("the kill switch drops every asset's queued placements at once; the cancels of what rests are sent", () => {
    const { venue, intents, sink, dropped, until, at, submittedFor } = setupSink();
    at(1, () => intents.next(ladder("BTC", 100)));
    until(300); // BTC rests
    expect(venue.open("BTC")).toHaveLength(2);
    at(301, () => intents.next(ladder("ETH", 50))); // ETH's placement in flight until 401
    at(302, () => intents.next(ladder("SOL", 20))); // SOL's waits
    at(350, () => sink.kill("test"));
    until(3000);
    expect(submittedFor("SOL")).toEqual([]);
    expect(dropped().map((e) => e.type === "dropped" && [e.asset, e.reason.kind])).toEqual([["SOL", "KillSwitch"]]);
    expect(venue.open()).toEqual([]);
    // BTC's orders were cancelled, and the cancel was not held behind SOL's placement
    expect(submittedFor("BTC").map((b) => b.type)).toEqual(["order", "cancel"]);
  });

  it("the sink's own OrderStale gate: a placement left waiting in the queue goes stale, closes its asset and is dropped, never sent", () => {
    const scheduler = new VirtualTimeScheduler(undefined, 0);
    const venue = new FakeVenue(scheduler);
    venue.knobs.latencyMs = 100;
    venue.knobs.swallow = 1; // BTC's placement gets no answer: the only slot is held until the 5 s timeout
    const intents = new Subject<QuoteIntent>();
    const { sink, seen } = wiredSink(venue, { cloidSeed: 3, executor: { maxInFlight: 1, timeoutMs: 5000 }, orderStore: { staleAfterMs: 500 }, deadMan: false }, scheduler, { intents$: intents });
    scheduler.schedule(() => intents.next(ladder("BTC", 100)), 1);
    scheduler.schedule(() => intents.next(ladder("ETH", 50)), 2);
    scheduler.maxFrames = 20_000;
    scheduler.flush();
    const dropped = seen.all.filter((e): e is Extract<typeof e, { type: "dropped" }> => e.type === "dropped");
    // each time: the waiting placement goes stale, ETH closes, the placement is dropped, ETH
    // reopens and its (fresh) ladder is queued again — until the slot frees at the 5 s timeout
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((e) => e.asset === "ETH" && e.reason.kind === "OrderStale" && e.time >= 500 && e.time < 5000)).toBe(true);
    const droppedCloids = new Set(dropped.flatMap((e) => (e.batch.type === "order" ? e.batch.orders.map((o) => o.cloid) : [])));
    const sentCloids = venue.submitted.flatMap((b) => (b.type === "order" ? b.orders.map((o) => o.cloid) : b.type === "batchModify" ? b.modifies.map((m) => m.order.cloid) : []));
    expect(sentCloids.filter((c) => droppedCloids.has(c))).toEqual([]);
    const ethSentAt = seen.actions.filter((a) => a.kind === "sent" && a.batch.type === "order" && a.batch.orders.some((o) => o.asset === "ETH")).map((a) => a.time);
    expect(ethSentAt).toEqual([5001]);
    expect(seen.all.filter((e) => e.type === "invalidTransition")).toEqual([]);
    expect(sink.killSwitch.state.active).toBe(false);
  });
});
