// Whole-pipeline replay throughput: `quoteflow replay` (registry-composed pipelines + ExecutionSink +
// in-process PaperVenue on a VirtualTimeScheduler) over the 35-min djienne BTC+ETH recording, beside
// a parse-only pass over the same CSVs. Goal: replay ≥ ¼ of the parse rate.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { runReplay } from "../../app/replay.js";
import { readDjienneBooks, readDjienneTrades } from "../../sources/recordings/index.js";
import type { BenchRow } from "./table.js";
import { realDataDir } from "./data.js";

const DJIENNE = join(realDataDir(), "hyperliquid/djienne_avellaneda_calibration");

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(DJIENNE)) return [];
  const t0 = performance.now();
  let events = 0;
  for (const asset of ["BTC", "ETH"]) {
    events += readDjienneBooks(join(DJIENNE, `orderbooks_${asset}.csv`), asset).length;
    events += readDjienneTrades(join(DJIENNE, `trades_${asset}.csv`), asset).length;
  }
  const parseMs = performance.now() - t0;
  const parseRate = events / (parseMs / 1000);

  const out = mkdtempSync(join(tmpdir(), "qf-bench-replay-"));
  try {
    const t1 = performance.now();
    const result = await runReplay({
      data: DJIENNE,
      outDir: out,
      journalDir: out,
      seed: 1,
      faults: "realistic",
      log: pino({ level: "silent" }),
      stamp: "bench",
    });
    const replayMs = performance.now() - t1;
    const rate = events / (replayMs / 1000);
    return [
      {
        name: `replay 35-min BTC+ETH, whole pipeline + paper venue on virtual time (${events} book+trade events, ${Object.values(result.data.perAsset).reduce((n, a) => n + a.fills, 0)} fills)`,
        value: rate,
        unit: "events/s",
        baseline: { name: "parse-only, same CSVs (parse + replay wall " + ((parseMs + replayMs) / 1000).toFixed(1) + " s)", value: parseRate, unit: "events/s" },
        ratio: rate / parseRate,
        ratioLabel: "replay / parse",
        goal: "≥ 0.25",
        met: rate / parseRate >= 0.25,
      },
    ];
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
