// Whether a reconciliation's drift was a fill in flight. A snapshot can include a fill the user
// feed has not delivered yet: ours then differs from the venue's by that fill, venue truth is
// adopted, and the fill arrives a few ms later stamped before the snapshot — inside it, so it does
// not move the position again (position.ts). That drift was never news. Each asset's drifts are
// summed into one watch, and fills that arrive inside the adopted snapshot are taken off it (every
// fill the venue had and we did not shows in one drift and arrives inside one snapshot, so with
// every fill delivered the sum comes back to zero). Back at zero, it is `driftExplained` (`late`
// when it had been reported). Not at zero `reconcile.driftGraceMs` (default 5000, as
// pnlCorrection's) after the last drift: `driftUnexplained`, which the service warns about — once
// per amount; the watch stays, so fills that come later still close it. The adoption itself, the
// position and the kill switch's divergence bound are as before: this decides only what is news.
// No request, no weight: one timer per drift.
import type { DriftRecord } from "./position.js";
import { command, emit } from "./sinkState.js";
import type { SinkState } from "./sinkState.js";

/** A drift (or drifts) of one asset not yet explained by fills in flight. */
export interface DriftWatch {
  /** The drift records (venue − ours, per snapshot) since the last report, first to last (the last MAX_RECORDS). */
  readonly drifts: DriftRecord[];
  /** What fills inside the adopted snapshots have not yet explained (coins). */
  remaining: number;
  /** The fills that explained part of it. */
  fills: number;
  readonly since: number;
  /** The last drift's time (the grace runs from it). */
  lastAt: number;
  /** `remaining` when last reported unexplained (null: not reported). */
  reported: number | null;
}

/** Drift records a watch keeps for its report. */
const MAX_RECORDS = 16;

const DEFAULT_GRACE_MS = 5000;

function graceMs(s: SinkState): number {
  return s.config.reconcile?.driftGraceMs ?? DEFAULT_GRACE_MS;
}

/** A snapshot's adoption found this drift: watch it for the fills in flight that would explain it. */
export function watchDrift(s: SinkState, d: DriftRecord, now: number): void {
  const w = s.driftWatch.get(d.asset);
  if (w) {
    if (w.drifts.length === MAX_RECORDS) w.drifts.shift();
    w.drifts.push(d);
    w.remaining += d.drift;
    w.lastAt = now;
  } else s.driftWatch.set(d.asset, { drifts: [d], remaining: d.drift, fills: 0, since: now, lastAt: now, reported: null });
  emit(s, { type: "drift", drift: d, graceMs: graceMs(s), time: now });
  command(s, { kind: "wake", key: `drift:${d.asset}`, delayMs: graceMs(s) });
}

/** A fill arrived that is inside the adopted snapshot (it did not move the position): it explains its share of a watched drift. */
export function driftFillInside(s: SinkState, asset: string, signedSize: number, now: number): void {
  const w = s.driftWatch.get(asset);
  if (!w) return;
  w.remaining -= signedSize;
  w.fills += 1;
  if (!settled(s, w.remaining)) return;
  s.driftWatch.delete(asset);
  emit(s, { type: "driftExplained", asset, fills: w.fills, afterMs: now - w.since, late: w.reported !== null, time: now });
}

/** The grace of `asset`'s drift ran out (a wake; an earlier one of a re-armed watch does nothing). */
export function driftDue(s: SinkState, asset: string, now: number): void {
  const w = s.driftWatch.get(asset);
  if (!w || now - w.lastAt < graceMs(s)) return;
  if (w.reported !== null && settled(s, w.remaining - w.reported)) return; // reported already, unchanged since
  w.reported = w.remaining;
  s.metrics.driftUnexplained += 1;
  emit(s, { type: "driftUnexplained", asset, drifts: w.drifts.splice(0), unexplained: w.remaining, fills: w.fills, sinceMs: now - w.since, time: now });
}

/** Whether a size is zero to the size epsilon. */
function settled(s: SinkState, size: number): boolean {
  return Math.abs(size) <= (s.config.raceGuard?.sizeEpsilon ?? 1e-9);
}
