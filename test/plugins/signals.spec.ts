// The example strategy's signals travel intent → order → fill → the journal's fill line, and a
// fill-stage operator from a plugin composes from config and sees every fill (with its signals).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tap } from "rxjs";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { JournalLine } from "../../analytics/journal.js";
import { packageRoot } from "../../sources/paths.js";
import { definePlugin } from "../../app/plugins.js";
import { defineOperator } from "../../app/registry.js";
import { decodeWith } from "../../streams/codec.js";
import type { FillEvent } from "../../streams/fill.js";
import { paperHarness } from "../../testing/index.js";

const dir = mkdtempSync(join(tmpdir(), "qf-signals-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const AS_KEYS = ["as_reservationBps", "as_halfSpreadBps", "as_sigmaBps", "as_inventoryUnits", "as_regime", "as_limited"];

describe("strategy signals at fill time (examples/plugin.ts on the paper venue)", () => {
  it("every fill's journal line carries the Avellaneda–Stoikov signals of the intent its order was placed for, beside the market snapshot; a fill-stage plugin operator sees the same fills", async () => {
    const seen: FillEvent[] = [];
    const fillRecorder = definePlugin({
      operators: { recordFills: defineOperator({ stage: "fill", create: () => tap<FillEvent>((f) => seen.push(f)) }) },
    });
    const config = parse(readFileSync(join(packageRoot(), "examples", "config.yaml"), "utf8")) as Record<string, any>;
    config["plugins"] = [join(packageRoot(), "examples", "plugin.ts")];
    config["defaults"].operators.push("recordFills");
    const paper = await paperHarness({ config, plugins: [fillRecorder], seed: 7, journal: { dir, stamp: "signals" } });
    paper.advance(20 * 60_000);
    const venueFills = paper.fills();
    await paper.stop();

    expect(venueFills.length).toBeGreaterThan(5);
    const lines = readFileSync(paper.service.journal!.path, "utf8").trim().split("\n").map((l) => decodeWith(JournalLine, JSON.parse(l), "journal"));
    expect(lines.every((l) => l.ok)).toBe(true);
    const fills = lines.flatMap((l) => (l.ok && l.value.type === "fill" ? [l.value] : []));
    expect(fills.map((f) => f.tid).sort()).toEqual(venueFills.map((f) => f.tid).sort());
    for (const f of fills) {
      const signals = f.signals as unknown as Record<string, unknown>;
      for (const k of AS_KEYS) expect(signals, `fill ${f.tid}`).toHaveProperty(k);
      expect(["long", "short", "flat"]).toContain(signals["as_regime"]);
      // the market snapshot is still there, beside them
      expect(typeof signals["midAtPlacement"]).toBe("number");
      expect(signals["source"]).toBe(f.signals.source);
    }
    // a string signal groups markouts: join the markout lines to their fills by tid
    const regimeOf = new Map(fills.map((f) => [f.tid, (f.signals as unknown as Record<string, string>)["as_regime"]]));
    const markouts = lines.flatMap((l) => (l.ok && l.value.type === "markout" ? [l.value] : []));
    expect(markouts.length).toBeGreaterThan(0);
    const groups = new Set(markouts.map((m) => regimeOf.get(m.tid)));
    expect([...groups].every((g) => g !== undefined)).toBe(true);

    // the fill stage saw each fill once, with the signals its order was placed with
    expect(seen.map((f) => f.tid).sort()).toEqual(venueFills.map((f) => f.tid).sort());
    for (const f of seen) expect(Object.keys(f.signals ?? {}).sort()).toEqual([...AS_KEYS].sort());
  }, 120_000);
});

describe("an order keeps the signals it was placed with", () => {
  it("while later intents carry newer signals, the resting orders (kept by the ladder diff) keep their placement's", async () => {
    let n = 0;
    const steady = definePlugin({
      strategies: {
        // a price far from the market on a coarse grid, so the same order is kept intent after intent
        steady: (_p: unknown, ctx) => (market) => {
          n++;
          if (market.fair === undefined) return { asset: market.asset, time: market.time, bids: [], asks: [] };
          const px = ctx.grid.roundPrice(Math.floor((market.fair * 0.98) / 100) * 100, true);
          return { asset: market.asset, time: market.time, bids: [{ px, sz: ctx.grid.sizeForUsd(15, px), source: "base_ladder" }], asks: [], signals: { n, placedFor: "steady" } };
        },
      },
    });
    const paper = await paperHarness({ config: { assets: { BTC: null }, defaults: { ...defaultsWith({ strategy: { name: "steady" } }) } }, plugins: [steady], seed: 4 });
    paper.advance(60_000);
    const live = paper.service.sink.liveOrders("BTC");
    const latest = n;
    await paper.stop();
    expect(live).toHaveLength(1);
    const placedAt = live[0]!.signals?.["n"];
    expect(typeof placedAt).toBe("number");
    expect(latest).toBeGreaterThan(50);
    expect(placedAt as number).toBeLessThan(latest - 50);
    expect(live[0]!.signals?.["placedFor"]).toBe("steady");
  }, 60_000);
});

function defaultsWith(extra: Record<string, unknown>): Record<string, unknown> {
  const file = parse(readFileSync(join(packageRoot(), "config", "default.yaml"), "utf8")) as Record<string, Record<string, unknown>>;
  return { ...file["defaults"], ...extra };
}
