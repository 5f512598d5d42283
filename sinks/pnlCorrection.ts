// The PnL book corrected on reconciliation, like the position (issue 12). The position book adopts
// the venue's position at every snapshot and nets out the fills in flight (position.ts); the PnL
// book is built from the fills alone, so a fill that never reaches us (lost for good), a phantom
// one the venue never made, or a trade made on the account by someone else leaves it off the venue
// for ever — an unrealised PnL on a position we do not hold, and a loss limit measuring it.
//
// Correcting it at every drift record breaks it (tried, reverted): most drift windows are fills in
// flight, which arrive a moment later and would then be counted twice. So only a persistent gap
// is corrected. After each adopted snapshot (not the first: that one is the start's inheritance),
// per asset, gap = the position book (the venue's position + the applied fills stamped after the
// snapshot) − the PnL book's position: a fill both books applied moves neither side of it, so a
// busy asset's gap stays put unless something is really missing. It is corrected when
//   - the same gap (± 1e-9) was seen on consecutive snapshots spanning at least
//     `pnlCorrection.afterMs` (default 5000 ms: every normal delivery has landed by then);
//   - no fill stamped at or before the latest of those snapshots arrived after it (a fill that
//     was in flight at a snapshot starts the watch over: two in-flight fills of one size must not
//     look like one persistent gap);
//   - the connection stayed open meanwhile (a dropout's fills come with the reconnect's snapshot);
//   - the correcting snapshot has no applied fill stamped after it (the venue's entry is then ours).
// The correction adopts the venue's position and entry price (PnlBook.correct): realised PnL and
// fees stay; a fill stamped before the snapshot that still arrives later is inside it (its fee
// and the venue's closedPnl count, its size does not move the book again). Counted
// (metrics.pnlCorrections), published (`pnlCorrected`, which the service logs), and the loss
// limit is checked at once against the corrected book.
import type { AccountSnapshot } from "../streams/orders.js";
import { checkMaxLoss } from "./riskChecks.js";
import { emit } from "./sinkState.js";
import type { SinkState } from "./sinkState.js";

/** A gap between the PnL book and the venue, watched across snapshots. */
export interface PnlGapWatch {
  readonly gap: number;
  /** Venue time of the snapshot it was first seen at. */
  readonly firstAt: number;
  /** Venue time of the latest snapshot that showed it. */
  lastAt: number;
  snapshots: number;
}

const EPS = 1e-9;

/** An adopted snapshot (not the first): watch each asset's gap, correct the persistent ones. */
export function watchPnlGaps(s: SinkState, snap: AccountSnapshot, now: number): void {
  if (s.config.pnlCorrection === false) return;
  if (!s.connOpen) {
    s.pnlGaps.clear();
    return;
  }
  const afterMs = s.config.pnlCorrection?.afterMs ?? 5000;
  const venue = new Map(snap.positions.map((p) => [p.asset, p] as const));
  const assets = new Set([...venue.keys(), ...s.pnl.assets()]);
  for (const asset of assets) {
    const v = venue.get(asset)?.szi ?? 0;
    const ours = s.positions.position(asset); // v + the applied fills stamped after the snapshot
    const gap = ours - s.pnl.get(asset).position;
    if (Math.abs(gap) <= EPS) {
      s.pnlGaps.delete(asset);
      continue;
    }
    const w = s.pnlGaps.get(asset);
    if (!w || Math.abs(w.gap - gap) > EPS || snap.time < w.lastAt) {
      s.pnlGaps.set(asset, { gap, firstAt: snap.time, lastAt: snap.time, snapshots: 1 });
      continue;
    }
    w.snapshots += 1;
    w.lastAt = snap.time;
    if (snap.time - w.firstAt < afterMs || Math.abs(ours - v) > EPS) continue;
    s.pnlGaps.delete(asset);
    const entryPx = venue.get(asset)?.entryPx ?? 0;
    const before = s.pnl.correct(asset, v, entryPx, snap.time);
    s.metrics.pnlCorrections += 1;
    emit(s, { type: "pnlCorrected", asset, before: before.position, after: v, entryPx, gap, snapshots: w.snapshots, sinceMs: snap.time - w.firstAt, time: now });
    checkMaxLoss(s, asset, now);
  }
}

/** A fill arrived: one stamped at or before a watched snapshot was in flight then — start that watch over. */
export function pnlFillSeen(s: SinkState, asset: string, time: number): void {
  const w = s.pnlGaps.get(asset);
  if (w && time <= w.lastAt) s.pnlGaps.delete(asset);
}
