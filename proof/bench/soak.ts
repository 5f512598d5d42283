// Heap of the service after a 24 h virtual soak vs after 1 h of the same run (2 assets, hostile
// faults, the whole service and the in-process paper venue on virtual time), after a full GC.
//
// The soak also keeps histories that grow with every fill by design — the paper venue's ledger
// (every fill, order record and injected fault: the exchange's truth), the service's report lists
// (markouts, samples) and the checker's per-fill records. At each measuring point those are
// measured with everything (the "total" row) and then released, so the first row is the state
// the service itself carries. QF_BENCH_SOAK_HOURS shortens the run.
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { runSoak, type SoakCheckpoint } from "../soak/harness.js";
import type { BenchRow } from "./table.js";

function collector(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

export async function run(): Promise<BenchRow[]> {
  const hours = Number(process.env["QF_BENCH_SOAK_HOURS"] ?? "24");
  const gc = collector();
  (globalThis as { gc?: () => void }).gc = gc; // the harness's own start/end heap figures
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const release = (c: SoakCheckpoint) => {
    const acct = c.venue.exchange.account(c.venue.user);
    (acct.fills as unknown[]).length = 0;
    acct.orders.clear();
    acct.cloidToOid.clear();
    (c.venue.exchange.faults as unknown[]).length = 0;
    c.service.markouts.length = 0;
    c.service.samples.length = 0;
    c.checker.forgetHistory();
  };
  const points: { total: number; service: number }[] = [];
  const r = await runSoak({
    hours,
    assets: 2,
    seed: 1,
    faults: "hostile",
    onCheckpoint: (c) => {
      if ((points.length === 0 && c.virtualMs >= 3_600_000) || (c.last && points.length === 1)) {
        const total = heap();
        release(c);
        points.push({ total, service: heap() });
      }
    },
  });
  const [h1, end] = points;
  if (!h1 || !end) throw new Error(`bench/soak: the run (${hours} h) is too short to measure at 1 h and at the end`);
  const growth = end.service / h1.service - 1;
  const totalGrowth = end.total / h1.total - 1;
  return [
    {
      name: `service heap after a ${hours} h virtual soak (2 assets, hostile; ${r.fillsVenue} fills, ${r.marketEvents} market events)`,
      value: end.service / 2 ** 20,
      unit: "MB",
      baseline: { name: "after 1 h of the same run", value: h1.service / 2 ** 20, unit: "MB" },
      ratio: end.service / h1.service,
      ratioLabel: `${(growth * 100).toFixed(1)}% growth`,
      goal: "≤ 5% growth",
      met: growth <= 0.05,
    },
    {
      name: `total heap incl. the paper venue's ledger, report lists and checker records (${hours} h)`,
      value: end.total / 2 ** 20,
      unit: "MB",
      baseline: { name: "after 1 h", value: h1.total / 2 ** 20, unit: "MB" },
      ratio: end.total / h1.total,
      ratioLabel: `${(totalGrowth * 100).toFixed(1)}% growth`,
    },
    {
      name: `soak speed (${hours} h virtual, invariants ${r.ok ? "held" : "BROKEN"})`,
      value: r.virtualMs / 3_600_000 / (r.wallMs / 1000),
      unit: "virtual h/s",
    },
  ];
}
