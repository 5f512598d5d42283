import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AccountLockedError, FillJournal, acquireAccountLock, readJournalHistory } from "../../analytics/journal.js";
import type { VenueFill } from "../../streams/fill.js";

const ACC = "0xAbC0000000000000000000000000000000000001";
const header = (account: string, startTime: number, cloidSeed?: string) =>
  JSON.stringify({ type: "header", format: 2, version: "t", mode: "live", venue: "v", account, configDigest: "d", seed: null, faults: null, startTime, assets: [], markoutHorizonsMs: [], ...(cloidSeed ? { cloidSeed } : {}) });
const fillLineText = (asset: string, tid: number, time: number) => JSON.stringify({ type: "fill", tid, asset, time, side: "buy", price: 1, size: 1, fee: 0, oid: 1, cloid: null, flag: "matched" });
const vf = (tid: number, time: number, asset = "BTC"): VenueFill => ({ tid, oid: tid, cloid: null, asset, isBuy: true, size: 0.01, price: 100, time, fee: 0.001, crossed: false });

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "qf-history-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("readJournalHistory", () => {
  it("collects the account's fills by (asset, tid), the last fill time and the largest CLOID prefix; other accounts' files are passed over", () => {
    writeFileSync(join(dir, "fills-live-1.jsonl"), [header(ACC.toLowerCase(), 1000, "00000000000003e8"), fillLineText("BTC", 7, 1100), fillLineText("ETH", 7, 1200)].join("\n") + "\n");
    writeFileSync(join(dir, "fills-live-2.jsonl"), [header(ACC, 2000, "00000000000007d0"), fillLineText("BTC", 9, 2100)].join("\n") + "\n");
    writeFileSync(join(dir, "fills-live-3.jsonl"), [header("0xother", 3000, "0000000000000fff"), fillLineText("BTC", 11, 9999)].join("\n") + "\n");
    const h = readJournalHistory(dir, ACC);
    expect(h.files).toEqual(["fills-live-1.jsonl", "fills-live-2.jsonl"]);
    expect([...h.fills].sort()).toEqual(["BTC:7", "BTC:9", "ETH:7"]);
    expect(h.lastFillTime).toBe(2100);
    expect(h.firstStartTime).toBe(1000);
    expect(h.lastCloidSeed).toBe(0x7d0n);
    expect(h.partialLines).toBe(0);
  });

  it("skips a partial last line (a process killed mid-write) with a count, and with repair cuts the file back to its last whole line", () => {
    const whole = [header(ACC, 1000), fillLineText("BTC", 1, 1100)].join("\n") + "\n";
    const path = join(dir, "fills-live-1.jsonl");
    writeFileSync(path, whole + fillLineText("BTC", 2, 1200).slice(0, 40));
    const readOnly = readJournalHistory(dir, ACC);
    expect(readOnly.partialLines).toBe(1);
    expect([...readOnly.fills]).toEqual(["BTC:1"]);
    expect(readOnly.repaired).toEqual([]);
    expect(readFileSync(path, "utf8")).not.toBe(whole);
    const repaired = readJournalHistory(dir, ACC, { repair: true });
    expect(repaired.repaired).toEqual(["fills-live-1.jsonl"]);
    expect(readFileSync(path, "utf8")).toBe(whole);
    expect(readJournalHistory(dir, ACC).partialLines).toBe(0);
  });

  it("counts a whole line that is not JSON and goes on", () => {
    writeFileSync(join(dir, "fills-live-1.jsonl"), [header(ACC, 1000), "garbage", '{"type":"fill", broken', fillLineText("BTC", 3, 1300)].join("\n") + "\n");
    const h = readJournalHistory(dir, ACC);
    expect(h.badLines).toBe(2);
    expect([...h.fills]).toEqual(["BTC:3"]);
  });

  it("is empty for a missing directory", () => {
    const h = readJournalHistory(join(dir, "nope"), ACC);
    expect(h.files).toEqual([]);
    expect(h.lastFillTime).toBeUndefined();
  });
});

describe("FillJournal across sessions", () => {
  it("writes a fill an earlier session journaled not again, and a recovered fill once, marked recovered", async () => {
    writeFileSync(join(dir, "fills-live-1.jsonl"), [header(ACC, 1000), fillLineText("BTC", 1, 1100)].join("\n") + "\n");
    const history = readJournalHistory(dir, ACC);
    const j = new FillJournal(dir, "live-2", history);
    j.open(JSON.parse(header(ACC, 2000)) as never, () => 2000);
    expect(j.recovered(vf(1, 1100))).toBe(false);
    expect(j.recovered(vf(2, 1500))).toBe(true);
    expect(j.recovered(vf(2, 1500))).toBe(false);
    expect(j.duplicatesSkipped).toBe(2);
    expect(j.recoveredFills).toBe(1);
    await j.close();
    const lines = readFileSync(j.path, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const fills = lines.filter((l) => l["type"] === "fill");
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatchObject({ tid: 2, asset: "BTC", recovered: true, flag: "recovered", time: 1500 });
    const all = readJournalHistory(dir, ACC);
    expect([...all.fills].sort()).toEqual(["BTC:1", "BTC:2"]);
  });
});

describe("acquireAccountLock", () => {
  it("refuses a second live process on the account, takes over a dead one's lock, and releases", () => {
    const a = acquireAccountLock(dir, ACC, 111, (pid) => pid === 111);
    expect(() => acquireAccountLock(dir, ACC, 222, (pid) => pid === 111)).toThrow(AccountLockedError);
    expect(() => acquireAccountLock(dir, ACC, 222, (pid) => pid === 111)).toThrow(/already quoted by pid 111/);
    // 111 died without releasing (kill -9): 222 takes over and says whose lock it was.
    const b = acquireAccountLock(dir, ACC, 222, (pid) => pid === 222);
    expect(b.stalePid).toBe(111);
    a.release(); // not its lock any more: left alone
    expect(existsSync(b.path)).toBe(true);
    b.release();
    expect(existsSync(b.path)).toBe(false);
  });
});
