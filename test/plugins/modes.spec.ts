// Plugins in `replay` and `soak` (run: cli.spec.ts): examples/config.yaml names examples/plugin.ts
// (Avellaneda–Stoikov + toxicityGate), and both modes quote with it.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JournalLine } from "../../analytics/journal.js";
import { silentLogger } from "../../app/logger.js";
import { packageRoot } from "../../sources/paths.js";
import { runReplay } from "../../app/replay.js";
import { runSoak } from "../../proof/soak/harness.js";
import { decodeWith } from "../../streams/codec.js";

const dir = mkdtempSync(join(tmpdir(), "qf-modes-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const configPath = join(packageRoot(), "examples", "config.yaml");

describe("plugins in replay and soak", () => {
  it("replay: the journal's fill lines carry the example strategy's signals", async () => {
    const result = await runReplay({ configPath, outDir: join(dir, "reports"), journalDir: join(dir, "analytics"), seed: 2, faults: "realistic", minutes: 6, log: silentLogger(), stamp: "plugins" });
    const lines = readFileSync(result.data.journalPath!, "utf8").trim().split("\n").map((l) => decodeWith(JournalLine, JSON.parse(l), "journal"));
    const fills = lines.flatMap((l) => (l.ok && l.value.type === "fill" ? [l.value] : []));
    expect(fills.length).toBeGreaterThan(0);
    for (const f of fills) expect(Object.keys(f.signals)).toEqual(expect.arrayContaining(["as_reservationBps", "as_halfSpreadBps", "as_regime"]));
  }, 120_000);

  it("soak: the registry-composed pipelines quote with the plugin's strategy, and the invariants hold", async () => {
    let pluginOrders = 0;
    const r = await runSoak({
      hours: 0.1,
      assets: 2,
      seed: 3,
      faults: "realistic",
      configPath,
      catastropheEveryHours: 0,
      onCheckpoint: (c) => {
        pluginOrders += c.service.sink.liveOrders().filter((o) => typeof o.signals?.["as_regime"] === "string").length;
      },
    });
    expect(r.ok, JSON.stringify(r.violations.slice(0, 3))).toBe(true);
    expect(r.fillsApplied).toBeGreaterThan(0);
    expect(pluginOrders).toBeGreaterThan(0);
  }, 120_000);
});
