// The crash-restart soak (`npm run soak -- --scenario crash-restart`): the whole service against
// the in-process paper venue on virtual time, as the chaos soak, but the service is killed without
// shutdown at seeded times — its streams end where they are, nothing is cancelled, its journal gets
// no summary and, at some kills, a partial last line (a process killed mid-write) — and after a
// seeded pause (the market and the resting orders go on) a new service starts on the same venue
// (the same account) and the same journal directory, as `quoteflow run` starts: the account's
// journal history read and repaired, a CLOID prefix above every earlier one, fills since the last
// journaled one recovered, nothing placed before the account is adopted.
//
// Held across every kill: no placement or modify reaches the venue before its session adopted the
// account; no CLOID placed twice; every venue fill of the account in exactly one journal line across
// all sessions (none lost, none doubled, none invented); no position-divergence trip (an inherited
// position is not drift); nothing rests after the last session's shutdown.
import { mkdtempSync, readFileSync, readdirSync, rmSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Subscription } from "rxjs";
import { PaperVenue, SimRng, simReplayScheduler, type SimFaultKind, type SimFaultProfileName } from "../../sim/index.js";
import { everyOn } from "../../sinks/periodic.js";
import { sessionCloidSeed } from "../../sinks/cloid.js";
import { defaultConfigPath } from "../../app/config.js";
import { loadConfigWithPlugins } from "../../app/plugins.js";
import { createMetrics } from "../../app/metrics.js";
import { silentLogger } from "../../app/logger.js";
import { QuoteflowService } from "../../app/service.js";
import { pumpVirtualTime, stopOnVirtualTime } from "../../app/replay.js";
import { readJournalHistory } from "../../analytics/journal.js";
import { tapSubmits } from "./invariants.js";
import { soakConfig } from "./harness.js";
import { soakAssets, soakMarket } from "./markets.js";

export interface CrashRestartOptions {
  readonly hours: number;
  readonly assets: number;
  readonly seed: number;
  readonly faults: SimFaultProfileName;
  readonly configPath?: string;
  /** Kills over the run (default one per 3 virtual hours, at least 1), at seeded times. */
  readonly crashes?: number;
  /** Longest pause between a kill and the next start (ms; seeded 0…this). Default 120 000. */
  readonly maxDownMs?: number;
  readonly stepMs?: number;
  readonly onProgress?: (p: { readonly virtualMs: number; readonly totalMs: number; readonly sessions: number; readonly wallMs: number }) => void;
}

export interface CrashRecord {
  readonly time: number;
  readonly restartAt: number;
  /** Our orders resting on the venue when the process died. */
  readonly restingAtKill: number;
  /** A partial last line was left in the journal (a kill mid-write). */
  readonly partialLine: boolean;
}

export interface SessionRecord {
  readonly startedAt: number;
  readonly cloidSeed: string;
  readonly inherited: number;
  readonly recovered: number;
  readonly placedBeforeAdoption: number;
  readonly trips: readonly string[];
}

export interface CrashRestartResult {
  readonly options: CrashRestartOptions;
  readonly assets: readonly string[];
  readonly virtualMs: number;
  readonly wallMs: number;
  readonly sessions: readonly SessionRecord[];
  readonly crashes: readonly CrashRecord[];
  readonly venueFills: number;
  readonly journaledFillLines: number;
  readonly recoveredFills: number;
  readonly fillsLost: number;
  readonly fillsDoubled: number;
  readonly fillsInvented: number;
  readonly placedBeforeAdoption: number;
  readonly cloidsReused: number;
  readonly divergenceTrips: number;
  readonly partialLinesRepaired: number;
  readonly restingAfterShutdown: number;
  readonly faultsInjected: Readonly<Partial<Record<SimFaultKind, number>>>;
  readonly ok: boolean;
}

export async function runCrashRestartSoak(o: CrashRestartOptions): Promise<CrashRestartResult> {
  const wall0 = performance.now();
  const specs = soakAssets(o.assets);
  const names = specs.map((s) => s.name);
  const totalMs = Math.round(o.hours * 3_600_000);
  const loaded = await loadConfigWithPlugins(o.configPath ?? defaultConfigPath());
  const config = soakConfig(loaded.config, names);
  const start = Date.UTC(2026, 0, 1);
  const scheduler = simReplayScheduler(start);
  const first = new PaperVenue({ market: soakMarket(specs, o.seed), scheduler, seed: o.seed, faults: o.faults });
  const exchange = first.exchange;
  const user = first.user;
  const rng = new SimRng(o.seed, "crash-restart");
  const quotaRng = new SimRng(o.seed, "quota-jitter");
  const dir = mkdtempSync(join(tmpdir(), "qf-crash-restart-"));

  // Seeded kill times: one per slot of the run, somewhere in its middle half.
  const n = Math.max(1, o.crashes ?? Math.floor(o.hours / 3));
  const slot = totalMs / (n + 1);
  const maxDown = o.maxDownMs ?? 120_000;
  const plan = Array.from({ length: n }, (_, i) => {
    const time = start + Math.round(slot * (i + 1) + (rng.next() - 0.5) * slot * 0.5);
    return { time, down: Math.round(rng.next() * maxDown), partial: rng.next() < 0.5 };
  });

  const sessions: SessionRecord[] = [];
  const crashes: CrashRecord[] = [];
  const placed = new Set<string>();
  let cloidsReused = 0;
  let partialLinesRepaired = 0;

  const startSession = async (venue: PaperVenue): Promise<{ service: QuoteflowService; done: () => SessionRecord; subs: Subscription[] }> => {
    const history = readJournalHistory(dir, user, { repair: true });
    partialLinesRepaired += history.repaired.length;
    const tap = tapSubmits(venue);
    const seed = sessionCloidSeed(scheduler.now(), history.lastCloidSeed);
    const service = new QuoteflowService({
      registries: loaded.registries,
      venue: tap.venue,
      reference: (a) => first.reference(a),
      scheduler,
      config,
      log: silentLogger(),
      metrics: createMetrics({ collectDefaults: false }),
      journal: { dir, stamp: `soak-s${String(sessions.length).padStart(3, "0")}`, run: { mode: "soak", account: user, seed: o.seed, faults: o.faults }, history },
      cloidSeed: seed,
      executor: { quota: { random: () => quotaRng.next() } },
      sampleMs: 60_000,
    });
    const startedAt = scheduler.now();
    let adopted = false;
    let inherited = 0;
    let before = 0;
    const trips: string[] = [];
    const subs: Subscription[] = [
      service.sink.events$.subscribe((e) => {
        if (e.type === "accountAdopted") {
          adopted = true;
          inherited = e.inherited.length;
        } else if (e.type === "killSwitch" && e.state.active) trips.push(e.state.trip.trigger);
      }),
      tap.submits$.subscribe((b) => {
        if (b.type === "order") {
          if (!adopted) before += b.orders.length;
          for (const ord of b.orders) {
            if (placed.has(ord.cloid)) cloidsReused++;
            else placed.add(ord.cloid);
          }
        } else if (b.type === "batchModify" && !adopted) before += b.modifies.length;
      }),
      // The operator clears a trip a minute after it (as the chaos soak does).
      everyOn(scheduler, 5_000, () => {
        const k = service.sink.killSwitch.state;
        if (k.active && scheduler.now() - k.trip.time >= 60_000) service.sink.clearKillSwitch();
      }),
    ];
    await service.start();
    const done = (): SessionRecord => ({ startedAt, cloidSeed: seed.toString(16), inherited, recovered: service.journal?.recoveredFills ?? 0, placedBeforeAdoption: before, trips });
    return { service, done, subs };
  };

  const end = start + totalMs;
  const stepMs = o.stepMs ?? 60_000;
  const pumpTo = async (until: number) => {
    const steps = function* (): Generator<number> {
      for (let t = Math.min(scheduler.now() + stepMs, until); ; t = Math.min(t + stepMs, until)) {
        yield t;
        if (t >= until) return;
      }
    };
    if (until > scheduler.now()) {
      await pumpVirtualTime(scheduler, steps(), () => {
        o.onProgress?.({ virtualMs: scheduler.now() - start, totalMs, sessions: sessions.length + 1, wallMs: performance.now() - wall0 });
      });
    }
  };

  let venue = first;
  let current = await startSession(venue);
  for (const k of plan) {
    await pumpTo(k.time);
    // kill -9: no cancel, no summary; the venue keeps our orders (until its dead-man's switch).
    const restingAtKill = exchange.openOrders(user).length;
    await current.service.crash();
    for (const s of current.subs) s.unsubscribe();
    venue.detach();
    sessions.push(current.done());
    const path = current.service.journal?.path;
    if (k.partial && path) appendFileSync(path, '{"type":"fill","tid":12');
    const restartAt = Math.min(end - 1, k.time + k.down);
    crashes.push({ time: k.time - start, restartAt: restartAt - start, restingAtKill, partialLine: k.partial && path !== undefined });
    await pumpTo(restartAt);
    venue = new PaperVenue({ exchange, user, name: "paper" });
    current = await startSession(venue);
  }
  await pumpTo(end);
  const virtualMs = scheduler.now() - start;
  for (const s of current.subs.slice(2)) s.unsubscribe(); // the operator's clear; keep listening until stopped
  await stopOnVirtualTime(scheduler, current.service.stop(), 2_000);
  scheduler.maxFrames = scheduler.now() + 30_000;
  scheduler.flush();
  for (const s of current.subs) s.unsubscribe();
  sessions.push(current.done());
  const restingAfterShutdown = exchange.openOrders(user).length;
  venue.detach();
  exchange.stop();

  // Every venue fill in exactly one journal line across all sessions.
  const truth = exchange.truth(user).fills.map((f) => `${f.asset}:${f.tid}`);
  const lines = new Map<string, number>();
  let recoveredFills = 0;
  let journaledFillLines = 0;
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".jsonl"))) {
    for (const text of readFileSync(join(dir, name), "utf8").split("\n")) {
      if (!text.startsWith('{"type":"fill"')) continue;
      let l: { asset?: unknown; tid?: unknown; recovered?: unknown };
      try {
        l = JSON.parse(text) as typeof l;
      } catch {
        continue; // a partial line (the reader's count is in partialLinesRepaired)
      }
      journaledFillLines++;
      if (l.recovered === true) recoveredFills++;
      const key = `${String(l.asset)}:${String(l.tid)}`;
      lines.set(key, (lines.get(key) ?? 0) + 1);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  const truthSet = new Set(truth);
  const fillsLost = truth.filter((k) => !lines.has(k)).length;
  const fillsDoubled = [...lines.values()].filter((c) => c > 1).length;
  const fillsInvented = [...lines.keys()].filter((k) => !truthSet.has(k)).length;
  const placedBeforeAdoption = sessions.reduce((s, x) => s + x.placedBeforeAdoption, 0);
  const divergenceTrips = sessions.reduce((s, x) => s + x.trips.filter((t) => t === "PositionDivergence").length, 0);
  const faultsInjected: Partial<Record<SimFaultKind, number>> = {};
  for (const f of exchange.faults) faultsInjected[f.kind] = (faultsInjected[f.kind] ?? 0) + 1;
  const ok = fillsLost === 0 && fillsDoubled === 0 && fillsInvented === 0 && placedBeforeAdoption === 0 && cloidsReused === 0 && divergenceTrips === 0 && restingAfterShutdown === 0;
  return {
    options: o,
    assets: names,
    virtualMs,
    wallMs: performance.now() - wall0,
    sessions,
    crashes,
    venueFills: truth.length,
    journaledFillLines,
    recoveredFills,
    fillsLost,
    fillsDoubled,
    fillsInvented,
    placedBeforeAdoption,
    cloidsReused,
    divergenceTrips,
    partialLinesRepaired,
    restingAfterShutdown,
    faultsInjected,
    ok,
  };
}

/** The crash-restart soak's table: one row per invariant, then the sessions and the injected kinds. */
export function renderCrashRestartTable(r: CrashRestartResult): string {
  const rows: [string, string | number, string][] = [
    ["virtual time", `${(r.virtualMs / 3_600_000).toFixed(2)} h`, ""],
    ["sessions (kills + 1)", r.sessions.length, ""],
    ["venue fills of the account", r.venueFills, ""],
    ["journal fill lines (all sessions)", r.journaledFillLines, ""],
    ["  of them recovered at a start", r.recoveredFills, ""],
    ["fills lost (in no journal line)", r.fillsLost, r.fillsLost === 0 ? "ok" : "VIOLATION"],
    ["fills doubled (in two lines)", r.fillsDoubled, r.fillsDoubled === 0 ? "ok" : "VIOLATION"],
    ["fills invented (not the venue's)", r.fillsInvented, r.fillsInvented === 0 ? "ok" : "VIOLATION"],
    ["placements/modifies before the account was adopted", r.placedBeforeAdoption, r.placedBeforeAdoption === 0 ? "ok" : "VIOLATION"],
    ["CLOIDs placed twice", r.cloidsReused, r.cloidsReused === 0 ? "ok" : "VIOLATION"],
    ["position-divergence trips", r.divergenceTrips, r.divergenceTrips === 0 ? "ok" : "VIOLATION"],
    ["resting after the last shutdown", r.restingAfterShutdown, r.restingAfterShutdown === 0 ? "ok" : "VIOLATION"],
    ["partial journal lines repaired at a start", r.partialLinesRepaired, ""],
  ];
  const w = Math.max(...rows.map((x) => x[0].length));
  const out = [`crash-restart soak: ${r.options.hours} h, ${r.assets.length} assets (${r.assets.join(", ")}), seed ${r.options.seed}, faults ${r.options.faults}, wall ${(r.wallMs / 1000).toFixed(0)} s`, ""];
  for (const [k, v, s] of rows) out.push(`${k.padEnd(w)}  ${String(v).padStart(10)}  ${s}`);
  out.push("", "injected (crash-restart): kill without shutdown ×" + r.crashes.length + `, of them mid-write (partial last line) ×${r.crashes.filter((c) => c.partialLine).length}`);
  out.push("injected (venue faults): " + (Object.entries(r.faultsInjected).map(([k, v]) => `${k} ×${v}`).join(", ") || "none"));
  out.push("", "kills (virtual h):  " + r.crashes.map((c) => `${(c.time / 3_600_000).toFixed(2)}→${(c.restartAt / 3_600_000).toFixed(2)} (resting ${c.restingAtKill})`).join(", "));
  out.push("sessions:  " + r.sessions.map((s, i) => `#${i} inherited ${s.inherited} recovered ${s.recovered} trips [${s.trips.join(",")}]`).join("; "));
  out.push("", r.ok ? "every invariant held" : "INVARIANT BROKEN", "");
  return out.join("\n");
}
