// The report in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) renders it offline and measures every label: no SVG text outside its chart or
// over another, no HTML label or table wider than its box, no request leaving the file. Skipped,
// with the reason printed, where Chromium is not installed (`apt-get install chromium`).
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../app/logger.js";
import { runReplay } from "../../app/replay.js";
import { barChart } from "../../analytics/charts.js";
import { REPORT_CSS } from "../../analytics/report.js";
import { CHROMIUM, chromiumAvailable, renderAndCheck } from "./chromium.js";

const dir = mkdtempSync(join(tmpdir(), "qf-browser-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const available = chromiumAvailable();
if (!available) console.log(`browser spec skipped: ${CHROMIUM} not found (apt-get install -y chromium to run it)`);
// Set QF_SCREENSHOTS=<dir> to keep full-page PNGs of what was checked.
const shots = process.env["QF_SCREENSHOTS"];

describe.skipIf(!available)("the report in headless Chromium", () => {
  it("renders offline with every label inside its chart, none overlapping, nothing wider than the page", async () => {
    const r = await runReplay({ outDir: join(dir, "reports"), journalDir: join(dir, "analytics"), seed: 1, faults: "realistic", minutes: 10, log: silentLogger(), stamp: "browser" });
    if (shots) mkdirSync(shots, { recursive: true });
    for (const width of [1000, 1400]) {
      const result = await renderAndCheck(r.reportPath, { width, ...(shots ? { screenshot: join(shots, `report-${width}.png`) } : {}) });
      expect(result.problems, JSON.stringify(result.problems.slice(0, 5), null, 1)).toEqual([]);
      expect(result.externalRequests).toEqual([]);
      expect(result.svgs).toBeGreaterThanOrEqual(12);
      expect(result.texts).toBeGreaterThan(100);
    }
  }, 120_000);

  it("keeps a bar's value text inside its chart when the bar spans the whole axis (a 100% inventory bin)", async () => {
    const { writeFileSync } = await import("node:fs");
    const f = join(dir, "bars.html");
    const bars = [
      { label: "ETH · 0 … 50 $", value: 100, color: "#f58518" },
      { label: "BTC · -50 … 0 $", value: 83.9, color: "#4c78a8" },
      { label: "BTC · short", value: -12.5, color: "#4c78a8", text: "−12.5 % of session, below zero" },
    ];
    writeFileSync(f, `<!doctype html><html><head><meta charset="utf-8"><style>${REPORT_CSS}</style></head><body>${barChart("Inventory distribution", bars, "% of session")}</body></html>`);
    for (const width of [1000, 1400]) {
      const result = await renderAndCheck(f, { width });
      expect(result.problems, JSON.stringify(result.problems.slice(0, 5), null, 1)).toEqual([]);
      expect(result.texts).toBeGreaterThanOrEqual(6);
    }
  }, 60_000);

  it("catches a clipped label (the check is not blind)", async () => {
    const { writeFileSync } = await import("node:fs");
    const f = join(dir, "clipped.html");
    writeFileSync(f, `<!doctype html><html><body><svg viewBox="0 0 200 100" width="200" height="100" aria-label="t"><text x="190" y="50" font-size="11">60.2 min</text><text x="10" y="50">a</text><text x="12" y="50">b</text></svg><p style="width:40px;white-space:nowrap;overflow:hidden">a very long label</p></body></html>`);
    const result = await renderAndCheck(f);
    expect(result.problems.map((p) => p.kind).sort()).toEqual(["outside-svg", "overflow", "overlap"]);
  }, 60_000);
});
