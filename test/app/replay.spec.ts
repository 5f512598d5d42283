// `quoteflow replay` end to end on virtual time: the report exists, opens as a standalone HTML
// file, and says what the run did (cross-checked against the fill journal it wrote).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JournalLine } from "../../analytics/journal.js";
import { silentLogger } from "../../app/logger.js";
import { djienneDir } from "../../app/run.js";
import { runReplay } from "../../app/replay.js";
import { markoutCurves } from "../../analytics/report.js";
import { decodeWith } from "../../streams/index.js";

const dir = mkdtempSync(join(tmpdir(), "qf-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The 35-min djienne recording when the research data sits beside the clone (CI has it), else the shipped one.
const data = existsSync(djienneDir()) ? djienneDir() : undefined;

describe("quoteflow replay", () => {
  it(`replays ${data ? "the 35-min BTC+ETH recording" : "the shipped recording"} on virtual time and writes a self-contained report that matches the journal`, async () => {
    const result = await runReplay({
      data,
      outDir: join(dir, "reports"),
      journalDir: join(dir, "analytics"),
      seed: 1,
      faults: "realistic",
      ...(data ? {} : { minutes: 10 }),
      log: silentLogger(),
      stamp: "test",
    });
    const html = readFileSync(result.reportPath, "utf8");
    const journal = readFileSync(result.data.journalPath!, "utf8").trim().split("\n").map((l) => decodeWith(JournalLine, JSON.parse(l), "journal line"));
    expect(journal.every((l) => l.ok)).toBe(true);
    const fillLines = journal.flatMap((l) => (l.ok && l.value.type === "fill" ? [l.value] : []));
    const markoutLines = journal.flatMap((l) => (l.ok && l.value.type === "markout" ? [l.value] : []));

    // Standalone: no scripts, no external resources; inline SVG charts for every section.
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    for (const title of ["PnL by asset", "Inventory (position × mid)", "Markout by horizon and generation source", "Markout by horizon and asset", "Time spent gated, by asset and reason", "Quota headroom"]) {
      expect(html).toContain(`<figcaption>${title.replace("&", "&amp;")}`);
    }
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(5);

    // The summary rows agree with the journal, asset by asset.
    expect(fillLines.length).toBeGreaterThan(0);
    for (const asset of result.data.assets) {
      const n = fillLines.filter((f) => f.asset === asset).length;
      expect(result.data.perAsset[asset]!.fills).toBe(n);
      expect(html).toMatch(new RegExp(`<tr><td>${asset}</td><td>${n}</td>`));
    }
    // Markout curves: one point per configured horizon, over the fills whose markouts were journaled.
    const curves = markoutCurves(result.data.markouts);
    expect(curves["all"]!.map((p) => p.horizonMs)).toEqual([500, 2000, 10000]);
    expect(curves["all"]![0]!.n).toBe(markoutLines.length);
    expect(html).toContain(`all (n=${markoutLines.length})`);
    // Samples cover the replayed span; orders were placed.
    expect(result.data.samples.length).toBeGreaterThan(10);
    expect(result.data.orders["placed"]).toBeGreaterThan(0);
    expect(result.summary).toContain("markout (all fills)");
  }, 180_000);
});
