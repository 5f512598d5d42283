// CPU of the client per quoted asset at Hyperliquid's real message rates (fast l2Book every
// ~0.5 s per asset as FACTS §2.7 measured, trades, our order updates and fills, reconciliation
// every 3 s), over loopback against the paper venue server in a child process, so the figure is
// the client's own process: WS decode, pipelines, sink, signing, HTTP. Two runs (1 and 10 assets)
// give the per-asset slope and the fixed cost; from them, how many assets fit in 25% of a core.
import { setTimeout as sleep } from "node:timers/promises";
import { performance } from "node:perf_hooks";
import { startChildPaperServer, startLoopbackRun } from "../soak/live.js";
import type { BenchRow } from "./table.js";

const WARMUP_MS = 5_000;
const MEASURE_MS = 15_000;

async function cpuOf(nAssets: number): Promise<{ core: number; framesPerSec: number; actionsPerSec: number }> {
  const server = await startChildPaperServer(nAssets, 2);
  try {
    const run = await startLoopbackRun(server.url, nAssets);
    await sleep(WARMUP_MS);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const f0 = run.frames();
    const a0 = run.actions().total;
    await sleep(MEASURE_MS);
    const c = process.cpuUsage(c0);
    const wall = performance.now() - t0;
    const frames = run.frames() - f0;
    const actions = run.actions().total - a0;
    await run.stop();
    return { core: (c.user + c.system) / 1000 / wall, framesPerSec: (frames / wall) * 1000, actionsPerSec: (actions / wall) * 1000 };
  } finally {
    server.stop();
  }
}

export async function run(): Promise<BenchRow[]> {
  const one = await cpuOf(1);
  const ten = await cpuOf(10);
  const perAsset = Math.max(1e-9, (ten.core - one.core) / 9);
  const fixed = Math.max(0, one.core - perAsset);
  const fit = Math.max(0, Math.floor((0.25 - fixed) / perAsset));
  return [
    {
      name: `client CPU per asset (${(ten.framesPerSec / 10).toFixed(1)} WS frames/s and ${(ten.actionsPerSec / 10).toFixed(2)} actions/s per asset)`,
      value: perAsset * 100,
      unit: "% of a core",
      baseline: { name: "fixed cost (timers, reconciliation, runtime)", value: fixed * 100, unit: "% of a core" },
    },
    {
      name: "assets that fit in 25% of a core",
      value: fit,
      unit: "assets",
      baseline: { name: "10-asset run", value: ten.core * 100, unit: "% of a core" },
    },
  ];
}
