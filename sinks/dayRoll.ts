// The loss limit's day rolls over at 00:00 UTC on the scheduler's clock (issue 12). The limit
// measures the venue-truth day PnL (the day's closed PnL and fees, plus unrealised): at midnight
// each asset's day restarts (PnlBook.rollDay — what was realised and paid before it no longer
// counts; the unrealised PnL of what is still held does, from its entry, as at a start). A kill
// switch that yesterday's loss tripped (every trigger of it MaxLoss) is cleared at the rollover —
// unless `kill.maxLossCarriesOver` — and the limit is checked at once against the new day, so a
// loss still open trips it again. Checked on the housekeeping tick (every 250 ms by default).
import { checkMaxLoss } from "./riskChecks.js";
import { emit, knownAssets } from "./sinkState.js";
import type { SinkState } from "./sinkState.js";

export const DAY_MS = 86_400_000;

/** The UTC day number of `t` (ms). */
export function utcDayOf(t: number): number {
  return Math.floor(t / DAY_MS);
}

/** On the housekeeping tick: roll the day over when `now` is past 00:00 UTC of a new day. */
export function dayRollStep(s: SinkState, now: number): void {
  const day = utcDayOf(now);
  if (day <= s.pnlDay) return;
  s.pnlDay = day;
  for (const asset of s.pnl.assets()) s.pnl.rollDay(asset);
  s.metrics.dayRollovers += 1;
  const k = s.killSwitch.state;
  const yesterdays = k.active && k.trip.trigger === "MaxLoss" && k.alsoTriggered.every((t) => t.trigger === "MaxLoss");
  const clear = yesterdays && s.config.kill?.maxLossCarriesOver !== true;
  emit(s, { type: "dayRolled", dayStart: day * DAY_MS, killSwitchCleared: clear, time: now });
  if (clear && s.killSwitch.clear(now)) {
    emit(s, { type: "killSwitch", state: s.killSwitch.state, time: now });
    for (const a of knownAssets(s)) s.dirty.add(a);
  }
  for (const asset of s.pnl.assets()) checkMaxLoss(s, asset, now);
}
