// The journal is machine-friendly: DuckDB (@duckdb/node-api, the binary ships inside the package;
// it installs and runs on Node 20) reads it with read_json, the README's queries give the figures
// the report gives.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, describe, expect, it } from "vitest";
import { loadJournal } from "../../analytics/load.js";
import { tearsheet } from "../../analytics/tearsheet.js";
import { silentLogger } from "../../app/logger.js";
import { runReplay } from "../../app/replay.js";

const dir = mkdtempSync(join(tmpdir(), "qf-duckdb-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the journal in DuckDB", () => {
  it("loads with read_json: fills, markouts (unnested horizons), header and summary agree with the tearsheet", async () => {
    const r = await runReplay({ outDir: join(dir, "reports"), journalDir: join(dir, "analytics"), seed: 2, faults: "realistic", minutes: 8, log: silentLogger(), stamp: "duck" });
    const file = r.data.journalPath!;
    const ts = tearsheet(loadJournal(file));
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    try {
      const rows = async (sql: string) => (await c.runAndReadAll(sql.replaceAll("$J", `read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited', sample_size = -1)`))).getRowObjectsJson() as Record<string, unknown>[];
      // One table of every line; `type` tells them apart.
      const types = await rows("SELECT type, count(*) AS n FROM $J GROUP BY type ORDER BY type");
      expect(types.map((t) => t["type"])).toEqual(["fill", "header", "markout", "sample", "summary"]);
      // Fills by asset (the README's first query).
      const fills = await rows("SELECT asset, count(*) AS fills, sum(price * size) AS volume, sum(fee) AS fees, count(*) FILTER (WHERE side = 'buy') AS buys FROM $J WHERE type = 'fill' GROUP BY asset ORDER BY asset");
      expect(fills.length).toBe(ts.assets.length);
      for (const f of fills) {
        const p = ts.perAsset[String(f["asset"])]!;
        expect(Number(f["fills"])).toBe(p.fills);
        expect(Number(f["buys"])).toBe(p.buys);
        expect(Number(f["volume"])).toBeCloseTo(p.volumeUsd, 4);
        expect(Number(f["fees"])).toBeCloseTo(p.feesUsd, 6);
      }
      // The markout curve: unnest the horizons of the markout lines, complete ones only.
      const curve = await rows("SELECT h.horizonMs AS horizon, count(*) AS n, avg(h.markoutBps) AS bps FROM (SELECT unnest(horizons) AS h FROM $J WHERE type = 'markout') WHERE h.complete GROUP BY 1 ORDER BY 1");
      expect(curve.map((x) => Number(x["horizon"]))).toEqual(ts.markouts.curves.all.map((p) => p.horizonMs));
      curve.forEach((x, i) => {
        expect(Number(x["n"])).toBe(ts.markouts.curves.all[i]!.n);
        expect(Number(x["bps"])).toBeCloseTo(ts.markouts.curves.all[i]!.meanBps, 4);
      });
      // Run metadata and the closing tallies.
      const [h] = await rows("SELECT mode, seed, faults, configDigest, markoutHorizonsMs FROM $J WHERE type = 'header'");
      expect(h).toMatchObject({ mode: "replay", faults: "realistic", configDigest: ts.run.configDigest });
      expect(Number(h!["seed"])).toBe(2); // BIGINT comes back as a string in JSON rows
      const a0 = ts.assets[0]!;
      const [s] = await rows(`SELECT orders."${a0}".placed AS placed, orders."${a0}".cancelled AS cancelled FROM $J WHERE type = 'summary'`);
      expect(Number(s!["placed"])).toBe(ts.perAsset[a0]!.orders.placed);
      expect(Number(s!["cancelled"])).toBe(ts.perAsset[a0]!.orders.cancelled);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  }, 120_000);
});
