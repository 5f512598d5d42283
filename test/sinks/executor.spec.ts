import { describe, expect, it } from "vitest";
import { Subject, VirtualTimeScheduler } from "rxjs";
import { createExecutorCounts, deadMansSwitch, executor, executorMaxInFlight, statusRefsOf } from "../../sinks/executor.js";
import type { ExecutionEvent, ExecutorCommand, ExecutorOptions } from "../../sinks/executor.js";
import { QuotaThrottleHandle, throttleOn } from "./sinkHarness.js";
import type { ActionBatch } from "../../streams/actions.js";
import { FakeVenue } from "./fakeVenue.js";
import { marbles } from "../marbles.js";
import { spec } from "./helpers.js";

/** The executor operator over a command subject; `ex` offers the old imperative surface on top. */
function setup(options: ExecutorOptions & { quota?: Parameters<typeof throttleOn>[1] } = {}) {
  const scheduler = new VirtualTimeScheduler(undefined, Infinity);
  const venue = new FakeVenue(scheduler);
  const commands = new Subject<ExecutorCommand>();
  const counts = createExecutorCounts();
  const quota = options.quota ? new QuotaThrottleHandle() : null;
  const { quota: quotaOptions, ...rest } = options;
  const events: ExecutionEvent[] = [];
  commands.pipe(executor(venue, { ...rest, counts, ...(quota && quotaOptions ? { throttle: throttleOn(quota, quotaOptions, scheduler) } : {}) }, scheduler)).subscribe((e) => events.push(e));
  const ex = {
    submit: (batch: ActionBatch) => commands.next({ kind: "submit", batch }),
    get inFlight() {
      return counts.inFlight;
    },
    get pending() {
      return counts.pending;
    },
    quota,
  };
  return { scheduler, venue, ex, events };
}

const place = (n: number): ActionBatch => ({ type: "order", orders: [spec(n, { px: 100 - n })] });

describe("Executor", () => {
  it("sends a batch and reports its answer with latency", () => {
    const { scheduler, ex, events } = setup();
    ex.submit(place(1));
    scheduler.flush();
    expect(events.map((e) => e.kind)).toEqual(["sent", "result"]);
    const r = events[1]!;
    expect(r.kind === "result" && r.latencyMs).toBe(10);
    expect(ex.inFlight).toBe(0);
    expect(ex.pending).toBe(0);
  });

  it("keeps at most maxInFlight requests outstanding", () => {
    const { scheduler, venue, ex, events } = setup({ maxInFlight: 2 });
    venue.knobs.latencyMs = 100;
    for (let i = 1; i <= 5; i++) ex.submit(place(i));
    const sentAt = () => events.filter((e) => e.kind === "sent").map((e) => e.time);
    scheduler.maxFrames = 50;
    scheduler.flush();
    expect(sentAt()).toEqual([0, 0]);
    expect(ex.inFlight).toBe(2);
    scheduler.maxFrames = Infinity;
    scheduler.flush();
    expect(sentAt()).toEqual([0, 0, 100, 100, 200]);
  });

  it("caps maxInFlight at 100", () => {
    expect(executorMaxInFlight({ maxInFlight: 1000 })).toBe(100);
  });

  it("on timeout asks orderStatus by CLOID and never re-sends the placement", () => {
    const { scheduler, venue, ex, events } = setup({ timeoutMs: 500 });
    venue.knobs.swallow = 1;
    const b: ActionBatch = { type: "order", orders: [spec(1), spec(2, { px: 99 })] };
    ex.submit(b);
    scheduler.flush();
    expect(events.map((e) => e.kind)).toEqual(["sent", "failed", "status", "status"]);
    const failed = events[1]!;
    expect(failed).toMatchObject({ kind: "failed", timedOut: true, time: 500 });
    expect(venue.statusQueries).toEqual(statusRefsOf(b));
    expect(venue.submitted).toHaveLength(1);
    // the placement did land: the venue knows both orders
    expect(events.slice(2).every((e) => e.kind === "status" && e.answer.kind === "known")).toBe(true);
  });

  it("on a transport error asks orderStatus (unknown: never placed) and does not retry", () => {
    const { scheduler, venue, ex, events } = setup();
    venue.knobs.transportErrors = 1;
    ex.submit(place(1));
    scheduler.flush();
    expect(events.map((e) => e.kind)).toEqual(["sent", "failed", "status"]);
    expect(events[1]).toMatchObject({ timedOut: false, error: "socket hang up" });
    expect(events[2]).toMatchObject({ answer: { kind: "unknownOid" } });
    expect(venue.submitted).toHaveLength(1);
  });

  it("asks by OID for a cancel that failed in transport", () => {
    const { scheduler, venue, ex } = setup();
    venue.knobs.transportErrors = 1;
    ex.submit({ type: "cancel", cancels: [{ asset: "BTC", oid: 7 }] });
    scheduler.flush();
    expect(venue.statusQueries).toEqual([{ oid: 7 }]);
  });

  it("feeds rate-limited answers to quotaThrottle", () => {
    const { scheduler, venue, ex, events } = setup({ quota: { random: () => 0.5 } });
    venue.knobs.rateLimited = 1;
    ex.submit(place(1));
    scheduler.flush();
    expect(events[1]).toMatchObject({ kind: "result", result: { ok: false, rateLimited: true } });
    expect(ex.quota!.state.limited).not.toBe("none");
    // the next placement is refused by the throttle before it reaches the venue
    ex.submit(place(2));
    scheduler.flush();
    expect(events.some((e) => e.kind === "refused")).toBe(true);
    expect(venue.submitted).toHaveLength(1);
  });
});

describe("deadMansSwitch", () => {
  it(
    "arms at once when open, re-arms every rearmMs, stops while reconnecting, re-arms on reopen",
    marbles((m) => {
      const conn = m.hot("o 24999ms r 9999ms o 11999ms c", { o: { status: "open" }, r: { status: "reconnecting" }, c: { status: "closed" } });
      const out = deadMansSwitch(conn, { windowMs: 30_000, rearmMs: 10_000 }, m.scheduler);
      const expected = "a 9999ms b 9999ms d 14999ms e 9999ms f";
      m.expect(out).toBeObservable(expected, {
        a: { type: "scheduleCancel", time: 30_000 },
        b: { type: "scheduleCancel", time: 40_000 },
        d: { type: "scheduleCancel", time: 50_000 },
        e: { type: "scheduleCancel", time: 65_000 },
        f: { type: "scheduleCancel", time: 75_000 },
      });
    }),
  );

  it(
    "never arms less than 5 s ahead",
    marbles((m) => {
      const conn = m.hot("o", { o: { status: "open" } });
      m.expect(deadMansSwitch(conn, { windowMs: 1000, rearmMs: 100 }, m.scheduler), "^ 50ms !").toBeObservable("a", {
        a: { type: "scheduleCancel", time: 5000 },
      });
    }),
  );
});
