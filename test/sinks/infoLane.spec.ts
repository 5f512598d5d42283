// The info lane on virtual time: info requests wait for room in the IP window (charged when they
// leave, in order), a 429 pauses the lane with a doubling backoff, an answer resets it; and the
// executor's account fetches go through it against the quota ledger.
import { describe, expect, it } from "vitest";
import { Observable, Subject, VirtualTimeScheduler, of, throwError } from "rxjs";
import { QuotaLedger } from "../../operators/quotaBudget.js";
import { createExecutorCounts, executor } from "../../sinks/executor.js";
import type { ExecutionEvent, ExecutorCommand } from "../../sinks/executor.js";
import { InfoLane } from "../../sinks/infoLane.js";
import { FakeVenue } from "./fakeVenue.js";

function lane(room?: (w: number, now: number) => number) {
  const scheduler = new VirtualTimeScheduler(undefined, Infinity);
  const charged: Array<[number, number]> = [];
  const counts = { infoDelayed: 0, infoRateLimited: 0, infoWaiting: 0 };
  const l = new InfoLane(scheduler, room, (w) => charged.push([scheduler.now(), w]), counts);
  return { scheduler, l, charged, counts };
}

describe("InfoLane", () => {
  it("sends at once and charges at once while there is room", () => {
    const { l, charged, counts } = lane(() => 0);
    const got: string[] = [];
    l.request(22, () => of("snap"), () => null).subscribe((v) => got.push(v));
    expect(got).toEqual(["snap"]);
    expect(charged).toEqual([[0, 22]]);
    expect(counts.infoDelayed).toBe(0);
  });

  it("holds requests, in order, until the window has room, and charges them when they leave", () => {
    const freeAt = 700;
    const { scheduler, l, charged, counts } = lane((_w, now) => Math.max(0, freeAt - now));
    const got: Array<[number, string]> = [];
    l.request(22, () => of("a"), () => null).subscribe((v) => got.push([scheduler.now(), v]));
    l.request(2, () => of("b"), () => null).subscribe((v) => got.push([scheduler.now(), v]));
    expect(counts.infoWaiting).toBe(2);
    scheduler.flush();
    expect(got).toEqual([
      [700, "a"],
      [700, "b"],
    ]);
    expect(charged).toEqual([
      [700, 22],
      [700, 2],
    ]);
    expect(counts).toEqual({ infoDelayed: 1, infoRateLimited: 0, infoWaiting: 0 });
  });

  it("pauses after a 429 (2 s, then 4 s), counts it, and an answer resets the backoff", () => {
    const { scheduler, l, counts } = lane();
    const sent: number[] = [];
    const answer = (fail: boolean) => () =>
      new Observable<string>((sub) => {
        sent.push(scheduler.now());
        if (fail) sub.error(new Error("HTTP 429 Too Many Requests"));
        else {
          sub.next("ok");
          sub.complete();
        }
      });
    const ignore = { error: () => undefined };
    l.request(2, answer(true), () => null).subscribe(ignore);
    l.request(2, answer(true), () => null).subscribe(ignore);
    l.request(2, answer(false), () => null).subscribe(ignore);
    l.request(2, answer(false), () => null).subscribe(ignore);
    scheduler.flush();
    expect(sent).toEqual([0, 2000, 6000, 6000]);
    expect(counts.infoRateLimited).toBe(2);
  });

  it("reads a rate-limit failure carried as a value too", () => {
    const { scheduler, l, counts } = lane();
    const sent: number[] = [];
    const run = () => {
      sent.push(scheduler.now());
      return of("rate limited");
    };
    l.request(2, run, (v) => v).subscribe();
    l.request(2, run, () => null).subscribe();
    scheduler.flush();
    expect(sent).toEqual([0, 2000]);
    expect(counts.infoRateLimited).toBe(1);
  });

  it("drops a waiting request that is unsubscribed before it leaves (nothing sent or charged)", () => {
    const { scheduler, l, charged, counts } = lane((_w, now) => Math.max(0, 500 - now));
    let ran = false;
    const s = l.request(
      2,
      () => {
        ran = true;
        return throwError(() => new Error("never"));
      },
      () => null,
    ).subscribe();
    s.unsubscribe();
    scheduler.flush();
    expect(ran).toBe(false);
    expect(charged).toEqual([]);
    expect(counts.infoWaiting).toBe(0);
  });
});

describe("executor × info lane", () => {
  it("holds an account fetch while the IP window is full and charges its 22 when it leaves", () => {
    const scheduler = new VirtualTimeScheduler(undefined, Infinity);
    const venue = new FakeVenue(scheduler);
    const ledger = new QuotaLedger();
    // the window is full until t = 60 000 (1200 weight at t = 0)
    ledger.addInfoWeight(1200, 0);
    const cmds = new Subject<ExecutorCommand>();
    const counts = createExecutorCounts();
    const events: ExecutionEvent[] = [];
    cmds.pipe(executor(venue, { counts, infoRoom: (w, now) => ledger.infoWaitMs(w, now) }, scheduler)).subscribe((e) => events.push(e));
    cmds.next({ kind: "fetchAccount", withOrders: true, trigger: "periodic", timeoutMs: 10_000 });
    scheduler.schedule(() => expect(venue.accountCalls).toBe(0), 59_999);
    scheduler.flush();
    expect(venue.accountCalls).toBe(1);
    expect(venue.accountRequests.map((r) => r.time)).toEqual([60_000]);
    expect(events.find((e) => e.kind === "account")?.time).toBe(60_000 + venue.knobs.latencyMs);
    expect(counts.infoDelayed).toBe(1);
  });
});
