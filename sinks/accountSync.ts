// Account sync: when to fetch the account snapshot, and what to do with it (venue truth wins).
// Event-triggered syncs start at once but at least `reconcile.minGapMs` after the previous
// event-triggered one (a burst of races is one sync, not twenty); periodic ones run on their own
// clock; one sync in flight at a time, a request meanwhile runs when it completes (a poll tick
// meanwhile is answered by the sync in flight). The snapshot's positions are adopted (drift
// recorded, the kill switch tripped beyond maxDriftUsd), its open orders map OIDs and revive what
// we had inferred gone, orphans are cancelled, and our orders the venue no longer lists are asked
// about.
//
// Pushed snapshots (trigger "push": the venue's WS clearinghouseState + openOrders, no REST weight)
// are adopted through the same path as polled ones — same position rules for fills in flight, same
// orphan and missing-order checks — but they are no sync: they neither end one in flight nor
// release race holds (a push may predate the race; the race's own REST sync releases it). While
// pushes arrive (the last within reconcile.pushStaleMs), the periodic REST poll becomes a safety
// poll every reconcile.safetyPollMs, and a position move (trigger positionChange) waits for the next
// push instead of asking REST. An HTTP 429 on a snapshot backs REST syncs off (doubling from
// 2 × intervalMs up to 60 s), counted (reconcileRateLimited) and reported (reconcileFailed).
import type { CancelSpec } from "../streams/actions.js";
import { isTerminalOrderState } from "../streams/execution.js";
import type { AccountSnapshot, OpenOrder } from "../streams/orders.js";
import type { DriftRecord } from "./position.js";
import { planBatches } from "./ladderDiff.js";
import { checkMaxPosition } from "./riskChecks.js";
import { askStatus, assetConfig, command, emit, knownAssets, markOf, submit, touch, trip } from "./sinkState.js";
import type { SinkState } from "./sinkState.js";
import { watchPnlGaps } from "./pnlCorrection.js";
import { watchDrift } from "./driftWatch.js";

/** Triggers about the position alone: their syncs may leave open orders out (reconcile.openOrdersIntervalMs). */
function positionsOnlyTrigger(trigger: string): boolean {
  return trigger === "periodic" || trigger === "positionChange";
}

/** Ask for an account sync (see the header for the spacing rules; `urgent` skips the gap after the last event-triggered one). */
export function requestSync(s: SinkState, trigger: string, now: number, periodic = false, urgent = false): void {
  const sync = s.sync;
  // a position move is checked by the next push (within ~4.5 s) when pushes arrive: no REST for it
  if (trigger === "positionChange" && pushesLive(s, now)) return;
  if (periodic) {
    if (now < sync.backoffUntil) return;
    if (pushesLive(s, now) && now - sync.lastPeriodicAt < (s.config.reconcile?.safetyPollMs ?? 60_000)) return;
    sync.lastPeriodicAt = now;
    // the snapshot in flight answers this tick: queued, it would run as an event-triggered sync when
    // that one ends — past the push and safety-poll checks above, and back to back with a slow venue
    if (sync.inFlight) return;
  }
  if (!positionsOnlyTrigger(trigger)) sync.pendingWantsOrders = true;
  if (sync.inFlight) {
    sync.pending ??= trigger;
    return;
  }
  const gap = s.config.reconcile?.minGapMs ?? 2000;
  const earliest = Math.max(periodic || urgent ? now : sync.lastEventSyncStart + gap, sync.backoffUntil);
  if (now >= earliest) {
    if (!periodic) sync.lastEventSyncStart = now;
    startSync(s, trigger, now);
    return;
  }
  sync.pending ??= trigger;
  if (sync.timerAt !== null) return;
  sync.timerAt = earliest;
  command(s, { kind: "wake", key: "sync", delayMs: earliest - now });
}

/** Whether the venue's account pushes are arriving (the last one at most reconcile.pushStaleMs old). */
export function pushesLive(s: SinkState, now: number): boolean {
  return now - s.sync.lastPushAt <= (s.config.reconcile?.pushStaleMs ?? 15_000);
}

/** An HTTP 429 (or the venue's rate-limit text) in a failed snapshot request. */
export function isRateLimitedFailure(error: string): boolean {
  return /\b429\b|rate.?limit/i.test(error);
}

/** The gap timer of an event-triggered sync fired. */
export function syncTimerDue(s: SinkState, now: number): void {
  if (s.sync.timerAt === null || s.sync.timerAt > now) return;
  s.sync.timerAt = null;
  const t = s.sync.pending;
  s.sync.pending = null;
  if (t !== null) requestSync(s, t, now);
}

function startSync(s: SinkState, trigger: string, now: number): void {
  const sync = s.sync;
  sync.inFlight = true;
  const every = s.config.reconcile?.openOrdersIntervalMs;
  const withOrders = every === undefined || sync.pendingWantsOrders || now - sync.lastOrdersSyncAt >= every;
  if (withOrders) {
    sync.pendingWantsOrders = false;
    sync.lastOrdersSyncAt = now;
  }
  const weight = (withOrders ? 2 + 20 : 2) * (s.config.accountDexes ?? 1); // clearinghouseState (+ frontendOpenOrders), per dex
  emit(s, { type: "syncStarted", trigger, withOrders, infoWeight: weight, time: now });
  // the executor's info lane charges the weight when the request leaves (it may wait for IP room)
  command(s, { kind: "fetchAccount", withOrders, trigger, timeoutMs: s.config.reconcile?.timeoutMs ?? 10_000 });
}

export function syncFailed(s: SinkState, trigger: string, withOrders: boolean, error: string, now: number): void {
  s.metrics.reconcileFailures += 1;
  if (withOrders) s.sync.pendingWantsOrders = true;
  if (isRateLimitedFailure(error)) {
    s.metrics.reconcileRateLimited += 1;
    const base = 2 * (s.config.reconcile?.intervalMs ?? 3000);
    s.sync.backoffMs = Math.min(60_000, s.sync.backoffMs === 0 ? base : s.sync.backoffMs * 2);
    s.sync.backoffUntil = now + s.sync.backoffMs;
  }
  emit(s, { type: "reconcileFailed", trigger, error, time: now });
  syncDone(s, now);
}

function syncDone(s: SinkState, now: number): void {
  s.sync.inFlight = false;
  const pending = s.sync.pending;
  s.sync.pending = null;
  if (pending !== null) requestSync(s, pending, now);
}

export function snapshotStep(s: SinkState, snap: AccountSnapshot, trigger: string, withOrders: boolean, now: number): void {
  if (trigger === "push") {
    s.sync.lastPushAt = now;
    s.metrics.accountPushes += 1;
    adoptSnapshot(s, snap, trigger, now);
    return;
  }
  // a venue that answers with open orders anyway spent their weight too
  if (!withOrders && snap.openOrdersIncluded !== false) command(s, { kind: "infoWeight", weight: 20 * (s.config.accountDexes ?? 1) });
  s.sync.backoffMs = 0;
  s.sync.backoffUntil = -Infinity;
  adoptSnapshot(s, snap, trigger, now);
  s.sync.done += 1;
  syncDone(s, now);
}

/** Venue truth wins: the one adoption path of polled and pushed snapshots. */
function adoptSnapshot(s: SinkState, snap: AccountSnapshot, trigger: string, now: number): void {
  s.metrics.reconciles += 1;
  if (Number.isFinite(snap.accountValue)) s.accountValue = snap.accountValue;
  const found = s.positions.adopt(snap);
  // The first snapshot (with open orders) is the start: what the venue holds that we did not know
  // is inherited — an earlier session's position, adopted into the position and the PnL book at the
  // venue's entry price — not drift. Placements wait for it (awaitAccount).
  const first = !s.accountAdopted && snap.openOrdersIncluded !== false;
  const drifts = first ? [] : found;
  if (first) {
    s.accountAdopted = true;
    const inherited = found.map((d) => ({ asset: d.asset, position: d.drift, entryPx: snap.positions.find((p) => p.asset === d.asset)?.entryPx ?? markOf(s, d.asset, 0) }));
    for (const i of inherited) s.pnl.adoptInherited(i.asset, i.position, i.entryPx);
    emit(s, { type: "accountAdopted", inherited, openOrders: snap.openOrders.length, time: now });
    for (const a of knownAssets(s)) s.dirty.add(a);
  }
  for (const d of drifts) {
    s.metrics.driftRecords += 1;
    watchDrift(s, d, now);
    const bound = assetConfig(s, d.asset).maxDriftUsd;
    const usd = Math.abs(d.drift) * markOf(s, d.asset, 0);
    if (bound !== undefined && usd > bound) {
      trip(s, "PositionDivergence", `${d.asset}: ours ${d.ours}, venue ${d.venue} (${usd.toFixed(2)} USD > ${bound} USD)`, d.asset, now);
    }
  }
  if (!first) watchPnlGaps(s, snap, now);
  for (const a of s.positions.assets()) s.moveSinceSync.set(a, 0);
  if (snap.openOrdersIncluded === false) {
    finishSnapshot(s, snap, trigger, now, drifts, [], []);
    return;
  }

  // the venue's open orders: map OIDs, revive what we had inferred gone, cancel orphans
  const venueCloids = new Set<string>();
  const venueOids = new Set<number>();
  const orphans: CancelSpec[] = [];
  const adopted: number[] = [];
  const intervalMs = s.config.reconcile?.intervalMs ?? 3000;
  for (const o of snap.openOrders) {
    venueOids.add(o.oid);
    if (o.cloid !== null) venueCloids.add(o.cloid);
    const rec = (o.cloid !== null ? s.store.get(o.cloid) : undefined) ?? s.store.byOid(o.oid);
    if (rec && !(isTerminalOrderState(rec.state) && !rec.inferred)) {
      touch(s, s.store.applyOpenOrder(o, now).order);
      continue;
    }
    if (rec && rec.terminalAt !== null && rec.terminalAt > snap.time) continue; // ended after the snapshot
    // reconciliation.leftoverOrders: adopt — an earlier session's order on a configured asset becomes ours
    if (first && !rec && adoptable(s, o)) {
      s.store.adoptResting({ ...o, cloid: o.cloid! }, assetConfig(s, o.asset).tif ?? "Alo", now);
      s.metrics.ordersAdopted += 1;
      adopted.push(o.oid);
      s.adoptedAt.set(o.asset, now);
      s.dirty.add(o.asset);
      continue;
    }
    const last = s.orphanCancelAt.get(o.oid);
    if (last !== undefined && now - last < intervalMs * 2) continue;
    s.orphanCancelAt.set(o.oid, now);
    orphans.push({ asset: o.asset, oid: o.oid });
  }
  if (orphans.length > 0) {
    s.metrics.orphansCancelled += orphans.length;
    for (const b of planBatches({ cancels: orphans, cancelsByCloid: [], modifies: [], places: [] }, s.config.maxBatchSize !== undefined ? { maxBatchSize: s.config.maxBatchSize } : {})) submit(s, b);
  }
  for (const [oid, t] of s.orphanCancelAt) if (now - t > 60_000) s.orphanCancelAt.delete(oid);

  // our orders the venue no longer has: ask (orderStatus decides filled / cancelled / unknown)
  const grace = s.config.reconcile?.missingGraceMs ?? 1000;
  const missing: string[] = [];
  for (const o of s.store.open()) {
    if (venueCloids.has(o.cloid) || (o.oid !== null && venueOids.has(o.oid))) continue;
    // still waiting to be sent: the venue cannot have it yet (asking would only hear "unknown")
    if (o.state === "pending-new" && o.sentAt === null) continue;
    if (o.lastEventAt > snap.time - grace) continue;
    if (o.lastStatusQueryAt !== null && now - o.lastStatusQueryAt < s.store.staleAfterMs) continue;
    missing.push(o.cloid);
    askStatus(s, o.cloid, now);
  }
  finishSnapshot(
    s,
    snap,
    trigger,
    now,
    drifts,
    orphans.map((o) => o.oid),
    missing,
    adopted,
  );
}

/** A leftover order the config adopts: ours (a CLOID), on an asset this session quotes, adoption on. */
function adoptable(s: SinkState, o: OpenOrder): boolean {
  return o.cloid !== null && s.config.assets?.[o.asset] !== undefined && assetConfig(s, o.asset).adoptLeftovers === true;
}

function finishSnapshot(s: SinkState, snap: AccountSnapshot, trigger: string, now: number, drifts: readonly DriftRecord[], orphansCancelled: readonly number[], missingQueried: readonly string[], ordersAdopted: readonly number[] = []): void {
  for (const asset of s.positions.assets()) checkMaxPosition(s, asset, now);
  const positions: Record<string, number> = {};
  for (const a of s.positions.assets()) positions[a] = s.positions.position(a);
  emit(s, { type: "reconcile", report: { time: now, trigger, snapshotTime: snap.time, drifts, orphansCancelled, ...(ordersAdopted.length > 0 ? { ordersAdopted } : {}), missingQueried, positions, openOrdersIncluded: snap.openOrdersIncluded !== false }, time: now });
  const assets = new Set([...s.positions.assets(), ...knownAssets(s)]);
  for (const a of assets) emit(s, { type: "position", asset: a, position: s.positions.position(a), cause: "reconcile", time: now });
}
