// Soak scenarios of issue 12 that run the chaos soak (harness.ts) with one more fault injected:
//
// - `queue-pressure`: one request in flight (the executor's maxInFlight 1), so placements wait in
//   the send queue and meet closed gates there; the table's "placements sent while a gate was
//   closed" is held against what reaches the venue's submit.
// - `clock-skew`: at seeded times each asset's feed delivers, right after a true book, a copy
//   stamped `aheadMs` (1 h) ahead of the clock. The data-quality gate must drop every one
//   (FutureTimestamp) and never take it as the latest book: otherwise every true book after it
//   is a timestamp regression and the asset freezes. The trade feed gets the same (a copy of a
//   true trade stamped 1 h ahead), which the service drops where trades enter (app/tradeGate.ts).
//   Held: rejected = injected for both, and the chaos table's invariants.
// - `false-status`: the venue's orderUpdates says `canceled`, at seeded times (about every 5 min),
//   for one of the account's resting orders, which in truth rests on (sim/faultFalseStatus.ts).
//   The sink must confirm it with orderStatus before re-placing the level (sinks/statusConfirm.ts).
//   Held: > 0 injected, each found false (the orderStatus answer: still resting) or hitting an
//   order we were already ending, and the chaos table's invariants.
// (`crash-restart` has its own loop: crashRestart.ts.)
import { type Observable, type SchedulerLike, defer, from, mergeMap } from "rxjs";
import { type PaperVenue, SimRng, falseStatusVenue } from "../../sim/index.js";
import { createMetrics } from "../../app/metrics.js";
import type { BookEvent, TradeEvent } from "../../streams/market.js";
import type { Venue } from "../../streams/venue.js";
import { type SoakOptions, type SoakResult, runSoak } from "./harness.js";
import { renderSoakTable } from "./table.js";

export interface ScenarioRun {
  readonly result: SoakResult;
  /** What the scenario injected, for the table. */
  readonly injected: Readonly<Record<string, number>>;
  /** The scenario's own checks, each held or not. */
  readonly checks: readonly { readonly name: string; readonly value: string; readonly ok: boolean }[];
  readonly ok: boolean;
}

export async function runQueuePressureSoak(o: SoakOptions): Promise<ScenarioRun> {
  const result = await runSoak({ ...o, maxInFlight: 1 });
  const checks = [
    { name: "placements reaching submit while gated", value: String(result.placedWhileGated), ok: result.placedWhileGated === 0 },
    { name: "placements/modifies dropped at a closed gate in the queue (pressure was real: > 0)", value: String(result.droppedAtGate), ok: result.droppedAtGate > 0 },
  ];
  return { result, injected: { "one request in flight (maxInFlight 1)": 1 }, checks, ok: result.ok && checks.every((c) => c.ok) };
}

/** The venue with each asset's books (and trades) followed, at seeded times (mean `everyMs`), by a copy stamped `aheadMs` ahead. */
export function clockSkewVenue(venue: Venue, scheduler: SchedulerLike, o: { readonly seed: number; readonly everyMs: number; readonly aheadMs: number }): { venue: Venue; injected: () => number; injectedTrades: () => number } {
  let injected = 0;
  let injectedTrades = 0;
  const trades = (asset: string): Observable<TradeEvent> =>
    defer(() => {
      const rng = new SimRng(o.seed, `clock-skew-trades:${asset}`);
      let nextAt = scheduler.now() + o.everyMs * (0.5 + rng.next());
      return venue.trades(asset).pipe(
        mergeMap((t) => {
          if (scheduler.now() < nextAt) return [t];
          nextAt = scheduler.now() + o.everyMs * (0.5 + rng.next());
          injectedTrades++;
          return from([t, { ...t, time: t.time + o.aheadMs }]);
        }),
      );
    });
  const book = (asset: string): Observable<BookEvent> =>
    defer(() => {
      const rng = new SimRng(o.seed, `clock-skew:${asset}`);
      let nextAt = scheduler.now() + o.everyMs * (0.5 + rng.next());
      return venue.book(asset).pipe(
        mergeMap((b) => {
          if (scheduler.now() < nextAt) return [b];
          nextAt = scheduler.now() + o.everyMs * (0.5 + rng.next());
          injected++;
          return from([b, { ...b, time: b.time + o.aheadMs }]);
        }),
      );
    });
  const wrapped = new Proxy(venue, {
    get(target, key) {
      if (key === "book") return book;
      if (key === "trades") return trades;
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { venue: wrapped, injected: () => injected, injectedTrades: () => injectedTrades };
}

export async function runClockSkewSoak(o: SoakOptions & { readonly everyMs?: number; readonly aheadMs?: number }): Promise<ScenarioRun> {
  const metrics = createMetrics({ collectDefaults: false });
  let skew: ReturnType<typeof clockSkewVenue> | undefined;
  const result = await runSoak({
    ...o,
    metrics,
    wrapVenue: (v, scheduler) => {
      skew = clockSkewVenue(v, scheduler, { seed: o.seed, everyMs: o.everyMs ?? 20 * 60_000, aheadMs: o.aheadMs ?? 3_600_000 });
      return skew.venue;
    },
  });
  const rejects = (await metrics.dataQualityRejects.get()).values;
  const count = (reason: string) => rejects.filter((v) => v.labels["reason"] === reason).reduce((s, v) => s + v.value, 0);
  const rejected = count("FutureTimestamp");
  const rejectedTrades = count("trade:FutureTimestamp");
  const injected = skew?.injected() ?? 0;
  const injectedTrades = skew?.injectedTrades() ?? 0;
  const checks = [
    { name: "books stamped 1 h ahead injected (> 0)", value: String(injected), ok: injected > 0 },
    { name: "rejected by dataQualityGate (FutureTimestamp) = injected", value: String(rejected), ok: rejected === injected },
    { name: "trades stamped 1 h ahead injected (> 0)", value: String(injectedTrades), ok: injectedTrades > 0 },
    { name: "trades rejected where they enter (trade:FutureTimestamp) = injected", value: String(rejectedTrades), ok: rejectedTrades === injectedTrades },
  ];
  return { result, injected: { "book stamped ahead of the clock": injected, "trade stamped ahead of the clock": injectedTrades }, checks, ok: result.ok && checks.every((c) => c.ok) };
}

export async function runFalseStatusSoak(o: SoakOptions & { readonly everyMs?: number }): Promise<ScenarioRun> {
  const metrics = createMetrics({ collectDefaults: false });
  let faulty: ReturnType<typeof falseStatusVenue> | undefined;
  const result = await runSoak({
    ...o,
    metrics,
    wrapVenue: (v, scheduler) => {
      const paper = v as PaperVenue;
      faulty = falseStatusVenue(v, scheduler, { seed: o.seed, everyMs: o.everyMs ?? 5 * 60_000, stillRests: (oid) => paper.exchange.openOrders(paper.user).some((x) => x.oid === oid) });
      return faulty.venue;
    },
  });
  const safety = (await metrics.safetyEvents.get()).values;
  const count = (kind: string) => safety.filter((v) => v.labels["kind"] === kind).reduce((s, v) => s + v.value, 0);
  const injected = faulty?.injected.length ?? 0;
  const found = count("status_false");
  const checks = [
    { name: "false cancels injected (> 0)", value: String(injected), ok: injected > 0 },
    // a victim we were already cancelling or modifying is not contested (its cancel is expected)
    { name: "found false by orderStatus (> 0, ≤ injected)", value: String(found), ok: found > 0 && found <= injected },
  ];
  return { result, injected: { "false terminal status (canceled) for a resting order": injected }, checks, ok: result.ok && checks.every((c) => c.ok) };
}

export function renderScenarioTable(name: string, r: ScenarioRun): string {
  // the table's "reproduce:" line names the scenario too
  const table = renderSoakTable(r.result).trimEnd().replace("reproduce: npm run soak -- ", `reproduce: npm run soak -- --scenario ${name} `);
  const lines = [`scenario ${name}`, table, "", `injected (${name}): ` + Object.entries(r.injected).map(([k, v]) => `${k} ×${v}`).join(", ")];
  for (const c of r.checks) lines.push(`${c.name}: ${c.value}  ${c.ok ? "ok" : "VIOLATION"}`);
  lines.push(r.ok ? "scenario held" : "SCENARIO BROKEN", "");
  return lines.join("\n");
}
