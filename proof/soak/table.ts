// The soak's report: one Markdown table (readable on a terminal, pasteable into the README), each
// invariant beside what it must be, then the first violation with the seed to replay it.
import type { SoakResult } from "./harness.js";
import { soakHip3Rows } from "./hip3.js";

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

function secs(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(2)} s`;
}

function mark(ok: boolean): string {
  return ok ? "ok" : "**FAIL**";
}

/** The command that reproduces a result. */
export function soakCommand(r: SoakResult): string {
  const budget = r.options.addressBudget !== undefined ? ` --address-budget ${r.options.addressBudget}` : "";
  const hip3 = (r.options.hip3Assets?.length ?? 0) > 0 ? ` --hip3 ${r.options.hip3Assets!.join(",")}` : "";
  const dexes = (r.options.perpDexs ?? []).map((d) => ` --dex ${dexFlag(d)}`).join("");
  const config = r.options.configPath !== undefined ? ` --config ${r.options.configPath}` : "";
  return `npm run soak -- --hours ${r.options.hours} --assets ${r.options.assets} --seed ${r.options.seed} --faults ${r.options.faults}${budget}${config}${hip3}${dexes}`;
}

function dexFlag(d: NonNullable<SoakResult["options"]["perpDexs"]>[number]): string {
  const knobs = [
    d.growthMode ? "growth" : undefined,
    d.deployerFeeScale !== undefined ? `feeScale=${d.deployerFeeScale}` : undefined,
    d.oiCapUsd !== undefined ? `oiCap=${d.oiCapUsd}` : undefined,
    d.onlyIsolated ? "isolated" : undefined,
  ].filter((k) => k !== undefined);
  return knobs.length > 0 ? `${d.name}:${knobs.join(",")}` : d.name;
}

export function renderSoakTable(r: SoakResult): string {
  const byTrigger = new Map<string, number>();
  for (const t of r.trips) byTrigger.set(t.trigger, (byTrigger.get(t.trigger) ?? 0) + 1);
  const trips = byTrigger.size === 0 ? "none" : [...byTrigger].map(([k, n]) => `${k} ${n}`).join(", ");
  const catTripped = r.catastrophes.filter((c) => c.tripped).length;
  const faults = Object.entries(r.faultsInjected)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(", ");
  const hours = r.virtualMs / 3_600_000;
  const rows: [string, string, string, string][] = [
    ["fills lost (venue has, never applied)", String(r.fillsLost), "0", mark(r.fillsLost === 0)],
    ["fills double-counted", String(r.fillsDoubleCounted), "0", mark(r.fillsDoubleCounted === 0)],
    ["fills at the venue / applied", `${r.fillsVenue} / ${r.fillsApplied}`, "equal", mark(r.fillsVenue === r.fillsApplied)],
    ["position error after reconciliation (max, coins)", `${r.maxReconcileError} over ${r.reconciles} reconciliations`, "0", mark(r.counts.positionAfterReconcile === 0)],
    ["longest drift window (ours ≠ venue)", `${secs(r.longestDriftMs)} (${r.longestDriftAsset || "—"}; ${r.driftWindows} windows)`, "reported", "—"],
    ["quotes resting while a gate was closed, beyond reaction time", `${r.restingWhileGated} (reaction ${secs(r.reactionMs)}; slowest gate→flat ${secs(r.longestGateToFlatMs)} of ${r.gateClosures} closures)`, "0", mark(r.restingWhileGated === 0)],
    ["placements sent while a gate was closed (at the venue's submit)", `${r.placedWhileGated} (queued placements/modifies dropped at a closed gate: ${r.droppedAtGate})`, "0", mark(r.placedWhileGated === 0)],
    ["placements sent inside the cancel reserve", `${r.placementsInReserve} of ${r.placementsSent}`, "0", mark(r.placementsInReserve === 0)],
    ["rate-limit answers caused by placements", `${r.placementsRateLimited} (all rate-limit answers: ${r.rateLimitedAnswers})`, "0", mark(r.placementsRateLimited === 0)],
    ["rate-limit answers (any request)", String(r.rateLimitedAnswers), "0", mark(r.counts.rateLimitedAnswer === 0 && r.placementsRateLimited === 0)],
    ["address budget past its cap (checked every tick)", `${r.counts.addressPastCap} (peak use ${(r.maxAddressUse * 100).toFixed(1)}% of the cap)`, "0", mark(r.counts.addressPastCap === 0)],
    ["orders still resting after shutdown", String(r.restingAfterShutdown), "0", mark(r.restingAfterShutdown === 0)],
    ["kill-switch trips by reason", trips, "—", mark(r.counts.badKillTrip === 0)],
    ["catastrophic faults injected / tripped the switch", `${r.catastrophes.length} / ${catTripped} (dropouts of ${secs(r.catastrophes[0] ? r.catastrophes[0].until - r.catastrophes[0].time : 0)})`, "equal", mark(catTripped === r.catastrophes.length)],
    ["faults injected by the venue", faults || "none", "—", "—"],
    ["user events lost to dropouts (recovered by snapshot/reconcile)", String(r.lostUserEvents), "—", "—"],
    ["events processed (book + trade into the pipeline; all market events)", `${r.events} ; ${r.marketEvents}`, "—", "—"],
    ["sink: intents, batches, race fills, quota refusals, status queries", `${r.sink.intents}, ${r.sink.batchesSent}, ${r.sink.raceFills}, ${r.sink.quotaRefused}, ${r.sink.statusQueries}`, "—", "—"],
    ["address budget used / cap at the end", `${r.quotaUsed} / ${r.quotaCap}`, "—", "—"],
    // only with quota.reserve: a soak without it keeps its table
    ...(r.sink.reserveBought > 0 ? [<[string, string, string, string]>["requests bought (reserveRequestWeight) / USDC the venue debited", `${r.sink.reserveBought} / ${r.reserveDebitedUsd.toFixed(4)}`, "0.0005 USDC each", mark(Math.abs(r.reserveDebitedUsd - r.sink.reserveBought * 0.0005) < 1e-9)]] : []),
    ...(r.hip3 ? soakHip3Rows(r.hip3) : []),
    ["virtual hours per wall second", `${(hours / (r.wallMs / 1000)).toFixed(2)} (${hours.toFixed(2)} h in ${secs(r.wallMs)})`, "—", "—"],
    ["heap at start / end, after GC (peak seen between steps, before GC)", `${mb(r.heapStartBytes)} / ${mb(r.heapEndBytes)} (${mb(r.heapPeakBytes)})`, "—", "—"],
  ];
  const head = `quoteflow soak — ${r.options.hours} h virtual, ${r.assets.length} assets (${r.assets.join(", ")}), seed ${r.options.seed}, faults ${r.options.faults}`;
  const table = ["| invariant / figure | value | must be | |", "|---|---|---|---|", ...rows.map((x) => `| ${x.join(" | ")} |`)].join("\n");
  const first = r.violations[0];
  const tail = r.ok
    ? `all invariants held — reproduce: ${soakCommand(r)}`
    : first === undefined
      ? `INVARIANT BROKEN (seed ${r.options.seed}): the quota ledger believed a larger address cap than the venue gave (see the address cap row)\nreproduce: ${soakCommand(r)}`
      : `INVARIANT BROKEN (seed ${r.options.seed}); first violation at virtual ${new Date(first.time).toISOString()}: ${first.kind}: ${first.detail}\nreproduce: ${soakCommand(r)}`;
  return `${head}\n\n${table}\n\n${tail}\n`;
}
