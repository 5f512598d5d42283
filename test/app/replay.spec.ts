// `quoteflow replay` end to end on virtual time: the report exists, opens as a standalone HTML
// file, and says what the run did (cross-checked against the fill journal it wrote).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JournalLine, journalHorizons } from "../../analytics/journal.js";
import { silentLogger } from "../../app/logger.js";
import { djienneDir } from "../../app/run.js";
import { runReplay } from "../../app/replay.js";
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
    // Markout curves: one point per journaled horizon (the configured 500 ms / 2 s / 10 s and the
    // 0–60 s curve), over the fills whose markout at that horizon completed.
    const all = result.data.markouts.curves.all;
    expect(all.map((p) => p.horizonMs)).toEqual(journalHorizons([500, 2000, 10000]));
    expect(all.map((p) => p.horizonMs)).toEqual(expect.arrayContaining([500, 2000, 10000]));
    const completeAt = (h: number) => markoutLines.filter((m) => m.horizons.some((x) => x.horizonMs === h && x.complete && x.markoutBps !== null)).length;
    for (const p of all) expect(p.n).toBe(completeAt(p.horizonMs));
    expect(markoutLines.length).toBe(fillLines.length);
    expect(html).toContain(`all (n=${completeAt(0)})`);
    // Samples cover the replayed span; orders were placed.
    for (const asset of result.data.assets) expect(result.data.series.byAsset[asset]!.length).toBeGreaterThan(10);
    expect(result.data.totals.orders.placed).toBeGreaterThan(0);
    // The journal's figures are the service's: fills, volume, fees and PnL per asset (within a cent).
    for (const asset of result.data.assets) {
      const s = result.data.service[asset]!;
      const p = result.data.perAsset[asset]!;
      expect(p.fills).toBe(s.fills);
      expect(p.volumeUsd).toBeCloseTo(s.volumeUsd, 2);
      expect(p.feesUsd).toBeCloseTo(s.fees, 2);
      expect(Math.abs(p.pnlUsd - s.pnl)).toBeLessThan(0.01);
      const d = p.pnl;
      expect(Math.abs(d.spreadCaptureUsd + d.adverseSelectionUsd + d.inventoryUsd + d.feesUsd + d.fundingUsd - d.totalUsd)).toBeLessThan(0.01);
    }
    expect(result.summary).toContain("markout (all fills)");
  }, 180_000);
});
