// A short fuzz in `npm test`: 20,000 malformed inputs across every boundary plus 200 requests to
// the paper venue server over loopback. No crash, every bad input rejected with a message, harmless
// changes harmless, refused requests leave the venue as it was.
import { describe, expect, it } from "vitest";
import { runFuzz } from "../../proof/fuzz/run.js";
import { renderFuzzTable } from "../../proof/fuzz/table.js";

describe("fuzz (20k frames)", () => {
  it("rejects every bad input with a message and never crashes", async () => {
    const r = await runFuzz({ frames: 20_000, seed: 1, loopback: 200 });
    const table = renderFuzzTable(r);
    expect(r.findings, table).toEqual([]);
    for (const t of r.targets) {
      expect(t.frames, t.target).toBeGreaterThan(0);
      expect(t.bad, t.target).toBeGreaterThan(0);
      expect(t.badRejected, t.target).toBe(t.bad);
      expect(t.crashes, t.target).toBe(0);
      expect(t.stateChanged, t.target).toBe(0);
    }
    expect(r.loopback?.requests).toBe(200);
    expect(r.loopback?.serverErrors).toBe(0);
    expect(r.loopback?.connectionErrors).toBe(0);
    expect(r.ok).toBe(true);
  }, 300_000);
});
