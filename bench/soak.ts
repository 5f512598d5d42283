// Heap after a 24 h virtual soak vs after 1 h of the same run (2 assets, hostile faults, the whole
// service and the in-process paper venue on virtual time), both after a full GC. Growth beyond a
// few percent means something keeps per-event state. QF_BENCH_SOAK_HOURS shortens the run.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { runSoak } from "../app/soak/harness.js";
import type { BenchRow } from "./table.js";

function collector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export async function run(): Promise<BenchRow[]> {
  const hours = Number(process.env["QF_BENCH_SOAK_HOURS"] ?? "24");
  const gc = collector();
  // the harness takes its start/end heap after globalThis.gc when there is one
  (globalThis as { gc?: () => void }).gc = gc;
  let at1h: number | undefined;
  const r = await runSoak({
    hours,
    assets: 2,
    seed: 1,
    faults: "hostile",
    onProgress: (p) => {
      if (at1h === undefined && p.virtualMs >= 3_600_000) at1h = heapAfterGc(gc);
    },
  });
  const end = r.heapEndBytes; // taken (after GC) at the last virtual instant, before shutdown
  const h1 = at1h ?? r.heapStartBytes;
  const growth = end / h1 - 1;
  return [
    {
      name: `heap after a ${hours} h virtual soak (2 assets, hostile; ${r.fillsVenue} fills, ${r.marketEvents} market events)`,
      value: end / 2 ** 20,
      unit: "MB",
      baseline: { name: "after 1 h of the same run", value: h1 / 2 ** 20, unit: "MB" },
      ratio: end / h1,
      ratioLabel: `${(growth * 100).toFixed(1)}% growth`,
      goal: "≤ 5% growth",
      met: growth <= 0.05,
    },
    {
      name: `soak speed (${hours} h virtual, invariants ${r.ok ? "held" : "BROKEN"})`,
      value: r.virtualMs / 3_600_000 / (r.wallMs / 1000),
      unit: "virtual h/s",
    },
  ];
}
