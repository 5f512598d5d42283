import { readFileSync } from "node:fs";
import { NEVER, type Observable, of } from "rxjs";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type ServiceConfig, defaultConfigPath, resolveConfig } from "../../app/config.js";
import { composeAssetPipeline } from "../../app/pipeline.js";
import { catalogOf, operatorRegistry } from "../../app/registry.js";
import type { BookEvent, QuoteIntent } from "../../streams/index.js";

function configWith(overrides: Record<string, unknown>): ServiceConfig {
  const file = parse(readFileSync(defaultConfigPath(), "utf8")) as Record<string, unknown>;
  return resolveConfig({ ...file, assets: overrides }, catalogOf(operatorRegistry), "test");
}

function book(asset: string, time: number, bid: number, ask: number): BookEvent {
  return { asset, time, bids: [{ px: bid, sz: 1, n: 1 }], asks: [{ px: ask, sz: 1, n: 1 }] };
}

interface Emitted {
  readonly frame: number;
  readonly intent: QuoteIntent;
}

/** Runs every asset of `config` on virtual time over the given book marbles; returns each asset's gated intents. */
function run(config: ServiceConfig, books: Record<string, (ts: TestScheduler) => Observable<BookEvent>>): Record<string, Emitted[]> {
  const out: Record<string, Emitted[]> = {};
  const ts = new TestScheduler((a, e) => expect(a).toEqual(e));
  ts.run(() => {
    for (const assetConfig of config.assets) {
      const seen: Emitted[] = (out[assetConfig.asset] = []);
      const pipeline = composeAssetPipeline(assetConfig, {
        book$: books[assetConfig.asset]!(ts),
        userEvents$: of({ time: 0 }), // one user event at start, then silence (userStaleGate at 60 s is beyond the run)
        position$: NEVER,
        scheduler: ts,
        szDecimals: assetConfig.asset === "BTC" ? 5 : 4,
      });
      pipeline.intents$.subscribe((intent) => seen.push({ frame: ts.now(), intent }));
    }
    ts.flush();
  });
  return out;
}

const gateOps = (names: string[]) => ({ operators: names.map((n) => (n === "staleGate" ? { staleGate: { maxAgeMs: 1000 } } : n)) });

// Books at 0 and 100 ms, the second one crossed; then silence (the feed died).
const feeds = {
  BTC: (ts: TestScheduler) => ts.createHotObservable("a 99ms b", { a: book("BTC", 0, 100_000, 100_001), b: book("BTC", 100, 100_002, 100_001) }),
  ETH: (ts: TestScheduler) => ts.createHotObservable("a 99ms b", { a: book("ETH", 0, 4000.1, 4000.2), b: book("ETH", 100, 4000.3, 4000.2) }),
};
const reasons = (xs: Emitted[]) => xs.map((x) => `${x.frame}:${x.intent.reason?.kind ?? "quote"}`);

describe("per-asset composition", () => {
  it("removing an operator for one asset changes only that asset's output", () => {
    const both = run(configWith({ BTC: gateOps(["staleGate", "crossedBookGate"]), ETH: gateOps(["crossedBookGate", "staleGate"]) }), feeds);
    const ethWithout = run(configWith({ BTC: gateOps(["staleGate", "crossedBookGate"]), ETH: gateOps(["crossedBookGate"]) }), feeds);
    expect(ethWithout["BTC"]).toEqual(both["BTC"]);
    expect(ethWithout["ETH"]).not.toEqual(both["ETH"]);
    // With the staleGate, ETH's silence closes the gate 1000 ms after the last book; without it, nothing is said.
    expect(reasons(both["ETH"]!)).toContain("1100:StaleData");
    expect(reasons(ethWithout["ETH"]!).some((r) => r.endsWith("StaleData"))).toBe(false);
  });

  it("reordering the gates of one asset changes only that asset's output", () => {
    const a = run(configWith({ BTC: gateOps(["staleGate", "crossedBookGate"]), ETH: gateOps(["staleGate", "crossedBookGate"]) }), feeds);
    const b = run(configWith({ BTC: gateOps(["staleGate", "crossedBookGate"]), ETH: gateOps(["crossedBookGate", "staleGate"]) }), feeds);
    expect(b["BTC"]).toEqual(a["BTC"]);
    // stale → crossed: the crossed gate is closed when the stale gate's empty intent reaches it, so it is swallowed.
    expect(reasons(a["ETH"]!)).toEqual(["0:quote", "100:CrossedBook"]);
    // crossed → stale: the stale gate is last and says why at 1100.
    expect(reasons(b["ETH"]!)).toEqual(["0:quote", "100:CrossedBook", "1100:StaleData"]);
  });

  it("defaults apply to assets without an override, and the quoter's ladder reaches the output", () => {
    const cfg = configWith({ BTC: null });
    const out = run(cfg, { BTC: (ts) => ts.createHotObservable("a", { a: book("BTC", 0, 100_000, 100_001) }) });
    const first = out["BTC"]![0]!.intent;
    expect(first.bids).toHaveLength(cfg.assets[0]!.quoter.levels);
    expect(first.bids[0]!.px).toBeLessThan(100_000.5);
    expect(first.asks[0]!.px).toBeGreaterThan(100_000.5);
  });
});

describe("the probe's counts in and out of each operator", () => {
  const books = "a 99ms b 99ms c 99ms a";
  const values = { a: book("BTC", 0, 100_000, 100_001), b: book("BTC", 100, 100_002, 100_001), c: book("BTC", 200, 100_003, 100_004) };
  function counts(kind: "flow" | "counter"): { calls: string[]; n: Map<string, number>; intents: number; books: number } {
    const calls: string[] = [];
    const n = new Map<string, number>();
    const bump = (a: string, op: string, d: string) => {
      calls.push(`${op} ${d}`);
      n.set(`${a} ${op} ${d}`, (n.get(`${a} ${op} ${d}`) ?? 0) + 1);
    };
    const probe = kind === "flow" ? { flow: bump } : { flow: () => expect.fail("flow called although counter is bound"), counter: (a: string, op: string, d: string) => () => bump(a, op, d) };
    let intents = 0;
    const ts = new TestScheduler((x, y) => expect(x).toEqual(y));
    const cfg = configWith({ BTC: null });
    ts.run(() => {
      const p = composeAssetPipeline(cfg.assets[0]!, { book$: ts.createHotObservable(books, values), userEvents$: of({ time: 0 }), position$: NEVER, scheduler: ts, szDecimals: 5, probe });
      p.intents$.subscribe(() => intents++);
      ts.flush();
    });
    return { calls, n, intents, books: 4 };
  }

  it("counts every book into the first operator and every intent out of the last, the same through flow() and a bound counter", () => {
    const f = counts("flow");
    const c = counts("counter");
    expect(c.calls).toEqual(f.calls);
    const first = f.calls[0]!.split(" ")[0]!;
    expect(f.n.get(`BTC ${first} in`)).toBe(f.books);
    const last = f.calls[f.calls.length - 1]!.split(" ")[0]!;
    expect(f.n.get(`BTC ${last} out`)).toBe(f.intents);
    expect(f.intents).toBeGreaterThan(0);
  });

  it("what leaves one operator of a stage enters the next, counted in that order (out, then in)", () => {
    const { calls, n } = counts("flow");
    const ops = [...new Set(calls.map((c) => c.split(" ")[0]!))];
    expect(ops.length).toBeGreaterThan(2);
    for (let i = 0; i + 1 < ops.length; i++) {
      const out = calls.indexOf(`${ops[i]} out`);
      // within a stage an operator's out is followed at once by the next one's in; the book stage
      // ends in a share, which the quoter reads from
      if (calls[out + 1] === `${ops[i + 1]} in`) expect(n.get(`BTC ${ops[i]} out`)).toBe(n.get(`BTC ${ops[i + 1]} in`));
      expect(calls.indexOf(`${ops[i + 1]} in`)).toBeGreaterThan(calls.indexOf(`${ops[i]} in`));
    }
  });
});
