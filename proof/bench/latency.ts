// Tick-to-action latency with 20 assets: over loopback against the paper venue server (a child
// process; the live client decodes the WS frame, runs the pipeline and the sink, signs and writes
// the post) beside the same service against the in-process PaperVenue (no transport, no signing).
// Measured on the synchronous path from the book's arrival to the action leaving.
import { setTimeout as sleep } from "node:timers/promises";
import { percentile, startChildPaperServer, startInProcessRun, startLoopbackRun, type LiveRun } from "../soak/live.js";
import type { BenchRow } from "./table.js";

const ASSETS = 20;
const WARMUP_MS = 5_000;
const MEASURE_MS = 20_000;

async function measure(run: LiveRun): Promise<{ p50: number; p99: number; n: number; total: number }> {
  await sleep(WARMUP_MS);
  run.samples.length = 0;
  const before = run.actions();
  await sleep(MEASURE_MS);
  const after = run.actions();
  const sorted = [...run.samples].sort((a, b) => a - b);
  await run.stop();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length, total: after.total - before.total };
}

export async function run(): Promise<BenchRow[]> {
  const inproc = await measure(await startInProcessRun(ASSETS, 1));
  const server = await startChildPaperServer(ASSETS, 1);
  let loop;
  try {
    loop = await measure(await startLoopbackRun(server.url, ASSETS));
  } finally {
    server.stop();
  }
  return [
    {
      name: `tick-to-action p50, loopback paper server, ${ASSETS} assets (${loop.n} of ${loop.total} actions)`,
      value: loop.p50 * 1000,
      unit: "µs",
      baseline: { name: `in-process, no signing (${inproc.n} actions)`, value: inproc.p50 * 1000, unit: "µs" },
      ratio: loop.p50 / inproc.p50,
    },
    {
      name: `tick-to-action p99, loopback paper server, ${ASSETS} assets`,
      value: loop.p99 * 1000,
      unit: "µs",
      baseline: { name: "in-process, no signing", value: inproc.p99 * 1000, unit: "µs" },
      ratio: loop.p99 / inproc.p99,
      goal: "p99 ≤ 1 ms",
      met: loop.p99 <= 1,
    },
  ];
}
