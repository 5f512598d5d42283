// Risk checks and housekeeping: the kill switch's triggers (max position, max loss, stale data or
// connection, quota exhaustion), the stale-order sweep (orderStatus for orders waiting too long),
// the race holds running out, the gates re-checked, and the order record pruned.
import { expireAdoptGrace } from "./adoptGrace.js";
import { askStatus, assetConfig, gateFor, gateKey, knownAssets, markOf, placementHold, trip } from "./sinkState.js";
import type { SinkState } from "./sinkState.js";
import { retryContests } from "./statusConfirm.js";
import { pruneShrunk } from "./margin.js";
import { dayRollStep } from "./dayRoll.js";

export function checkMaxPosition(s: SinkState, asset: string, now: number): void {
  const maxUsd = assetConfig(s, asset).maxPositionUsd;
  if (maxUsd === undefined) return;
  const mult = s.config.kill?.maxPositionMultiple ?? 1.5;
  const pos = s.positions.position(asset);
  const usd = Math.abs(pos) * markOf(s, asset, 0);
  if (usd > maxUsd * mult) trip(s, "MaxPosition", `|position| ${pos} (${usd.toFixed(2)} USD) > ${mult} × ${maxUsd} USD`, asset, now);
}

export function checkMaxLoss(s: SinkState, asset: string, now: number): void {
  const maxLoss = assetConfig(s, asset).maxLossUsd;
  if (maxLoss === undefined) return;
  // From venue truth: the day's closed PnL and fees before this session (PnlBook.adoptDayBaseline)
  // plus this session's realised − fees + unrealised — a restart does not reset the limit, and
  // 00:00 UTC does (dayRoll.ts).
  const total = s.pnl.dayTotal(asset, s.markets.mid(asset));
  if (total < -maxLoss) trip(s, "MaxLoss", `PnL today ${total.toFixed(2)} USD < −${maxLoss} USD`, asset, now);
}

/** The housekeeping period (tick). */
export function housekeepingStep(s: SinkState, now: number): void {
  dayRollStep(s, now);
  if (s.adoptedAt.size > 0) expireAdoptGrace(s, now);
  if (s.shrunkFrom.size > 0) pruneShrunk(s);
  if (s.contested.size > 0) retryContests(s, now);
  for (const cloid of s.store.sweepStale(now)) askStatus(s, cloid, now);
  for (const [asset, h] of s.holds) {
    if (h.bidUntil !== 0 && now >= h.bidUntil && s.sync.done >= h.bidSync) h.bidUntil = 0;
    if (h.askUntil !== 0 && now >= h.askUntil && s.sync.done >= h.askSync) h.askUntil = 0;
    if (h.bidUntil === 0 && h.askUntil === 0) {
      s.holds.delete(asset);
      s.dirty.add(asset);
    }
  }
  for (const asset of knownAssets(s)) {
    const gate = gateFor(s, asset, now);
    if ((s.gateShown.get(asset) ?? "") !== gateKey(gate ?? placementHold(s, asset, now))) s.dirty.add(asset);
  }
  for (const [asset, until] of s.quotaCooldown) if (until <= now) s.quotaCooldown.delete(asset);
  const staleMs = s.config.kill?.staleDataMs ?? 60_000;
  for (const [asset, since] of s.staleSince) {
    if (now - since >= staleMs) trip(s, "StaleData", `${asset}: market data stale for ${now - since} ms`, asset, now);
  }
  if (s.connDownSince !== null && now - s.connDownSince >= staleMs) {
    trip(s, "StaleData", `venue connection down for ${now - s.connDownSince} ms`, null, now);
  }
  if (s.quota?.limited === "all") trip(s, "QuotaExhaustion", "even cancels are held back by the address budget", null, now);
  for (const asset of s.pnl.assets()) checkMaxLoss(s, asset, now);
  if (s.store.prune(now) > 0 && s.queueAtJoin.size > 0) {
    for (const cloid of s.queueAtJoin.keys()) if (!s.store.get(cloid)) s.queueAtJoin.delete(cloid);
  }
}
