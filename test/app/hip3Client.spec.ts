// HIP-3 in the client: config names (`dex:COIN`), the dexes a config follows, an unlisted dex as a
// config error naming the asset's path, the halt gate (marbles), and the Hyperliquid venue's meta,
// account snapshots and IP weight per dex against the paper server on loopback.
import { firstValueFrom } from "rxjs";
import * as t from "io-ts";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { ConfigError, type OperatorCatalog, defaultConfigPath, resolveConfig } from "../../app/config.js";
import { addressCreditOf, configDexes, dexConfigError, haltGate } from "../../app/hip3.js";
import { syntheticOnly } from "../../app/run.js";
import { startPaperServer } from "../../sim/server.js";
import { HlUnknownDexError, HyperliquidVenue } from "../../sources/hyperliquid/venue.js";
import { emptyIntent, type QuoteIntent } from "../../streams/intent.js";
import { decodeHlPerpDexs, haltRefusals, isHaltText } from "../../streams/wire/hip3.js";
import { marbles } from "../marbles.js";

const catalog: OperatorCatalog = { staleGate: { params: t.exact(t.type({ maxAgeMs: t.number })) as t.Type<unknown> } };
const shipped = () => parse(readFileSync(defaultConfigPath(), "utf8")) as Record<string, any>;
const configWith = (assets: Record<string, null>) => ({ ...shipped(), assets, defaults: { ...shipped()["defaults"], operators: [{ staleGate: { maxAgeMs: 10000 } }] } });

const intent = (time: number): QuoteIntent => ({ asset: "xyz:GOLD", time, bids: [{ px: 2_599, sz: 0.01, source: "base_ladder" }], asks: [{ px: 2_601, sz: 0.01, source: "base_ladder" }] });

describe("HIP-3 config", () => {
  it('accepts "xyz:GOLD" beside BTC and follows the xyz dex; a malformed HIP-3 name is a problem naming its path', () => {
    const ok = resolveConfig(configWith({ BTC: null, "xyz:GOLD": null }), catalog);
    expect(ok.assets.map((a) => a.asset)).toEqual(["BTC", "xyz:GOLD"]);
    expect(configDexes(["BTC", "xyz:GOLD", "xyz:SILVER", "abc:X"])).toEqual(["xyz", "abc"]);
    expect(configDexes(["BTC", "ETH"])).toEqual([]);
    let problems: readonly string[] = [];
    try {
      resolveConfig(configWith({ BTC: null, "XYZ:GOLD": null, "xyz:": null }), catalog);
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toContainEqual(expect.stringMatching(/^\$\.assets\.XYZ:GOLD: expected a HIP-3 asset name <dex>:<COIN>/));
    expect(problems).toContainEqual(expect.stringMatching(/^\$\.assets\.xyz:: expected a HIP-3 asset name/));
  });

  it("a dex the venue does not list becomes a config error naming each of its assets' paths", () => {
    const err = dexConfigError(new HlUnknownDexError("paper", "zzz", ["xyz"]), ["BTC", "zzz:GOLD", "zzz:OIL"], "paper");
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      '$.assets.zzz:GOLD: venue paper has no perp dex "zzz" (perpDexs lists: xyz)',
      '$.assets.zzz:OIL: venue paper has no perp dex "zzz" (perpDexs lists: xyz)',
    ]);
    const other = new Error("socket hang up");
    expect(dexConfigError(other, ["BTC"], "paper")).toBe(other);
  });

  it("credits 0.1 address request per USDC on a growth-mode asset, 1 elsewhere", () => {
    const credit = addressCreditOf(() => [
      { name: "BTC", id: 0, szDecimals: 5, maxLeverage: 50, isSpot: false },
      { name: "xyz:GOLD", id: 110_000, szDecimals: 3, maxLeverage: 10, isSpot: false, growthMode: true },
    ]);
    expect([credit("BTC"), credit("xyz:GOLD"), credit("unknown")]).toEqual([1, 0.1, 1]);
  });
});

describe("haltGate", () => {
  it(
    "closes the halted asset's quoting with DexHalted at once and drops every later intent",
    marbles((m) => {
      const source = m.hot("  -a--b-----c--d-|", { a: intent(1), b: intent(4), c: intent(10), d: intent(13) });
      const halts = m.hot("   -------h--------", { h: { asset: "xyz:GOLD", dex: "xyz", detail: "Trading is halted", time: 7 } });
      const expected = "      -a--b--(e|)";
      m.expect(source.pipe(haltGate("xyz:GOLD", halts))).toBeObservable(expected, {
        a: intent(1),
        b: intent(4),
        e: emptyIntent("xyz:GOLD", 7, { kind: "DexHalted", dex: "xyz", detail: "Trading is halted" }),
      });
      m.expect(source).toHaveSubscriptions("^------!");
    }),
  );

  it(
    "ignores another asset's halt, passes errors through, and is a no-op without a halts stream",
    marbles((m) => {
      const source = m.hot("  -a--b--#", { a: intent(1), b: intent(4) });
      const halts = m.hot("   --h------", { h: { asset: "xyz:SILVER", dex: "xyz", detail: "halted", time: 2 } });
      m.expect(source.pipe(haltGate("xyz:GOLD", halts))).toBeObservable("-a--b--#", { a: intent(1), b: intent(4) });
      m.expect(source.pipe(haltGate("xyz:GOLD", undefined))).toBeObservable("-a--b--#", { a: intent(1), b: intent(4) });
    }),
  );
});

describe("HIP-3 wire", () => {
  it("decodes perpDexs (index 0 null), spots halt refusals by placement", () => {
    const r = decodeHlPerpDexs([null, { name: "xyz", fullName: "XYZ", deployer: "0x1", deployerFeeScale: "1.0", assetToStreamingOiCap: [] }, { name: "flx" }]);
    expect(r).toEqual({ ok: true, value: [{ index: 1, name: "xyz", deployerFeeScale: 1 }, { index: 2, name: "flx", deployerFeeScale: null }] });
    expect(decodeHlPerpDexs([null, { fullName: "no name" }]).ok).toBe(false);
    expect(isHaltText("Trading is halted for this asset by its deployer. asset=110000")).toBe(true);
    expect(isHaltText("Order must have minimum value of $10.")).toBe(false);
    const batch = { type: "order", orders: [{ asset: "BTC" }, { asset: "xyz:GOLD" }] };
    expect(haltRefusals(batch, { ok: true, type: "order", statuses: [{ kind: "resting", oid: 1 }, { kind: "rejected", code: "Other", error: "Trading is halted" }] })).toEqual([["xyz:GOLD", "Trading is halted"]]);
  });
});

describe("HyperliquidVenue with a HIP-3 dex (paper server on loopback)", () => {
  it("meta lists xyz:GOLD with id 110000 beside the main dex; account() covers both dexes; an unlisted dex errors naming it", async () => {
    const paper = await startPaperServer({ market: syntheticOnly(["BTC", "xyz:GOLD"], 3).market, seed: 3, faults: "none", port: 0, perpDexs: [{ name: "xyz", growthMode: true }] });
    const user = "0x00000000000000000000000000000000000a11ce";
    const venue = new HyperliquidVenue({ baseUrl: paper.url, userAddress: user, dexes: ["xyz"] });
    const stranger = new HyperliquidVenue({ baseUrl: paper.url, userAddress: user, dexes: ["zzz"] });
    try {
      const metas = await firstValueFrom(venue.meta());
      const gold = metas.find((m) => m.name === "xyz:GOLD");
      expect(gold).toMatchObject({ id: 110_000, szDecimals: 3, growthMode: true });
      expect(metas.find((m) => m.name === "BTC")?.id).toBe(0);
      // a resting GOLD order on the xyz dex and a BTC one on the main dex, placed straight on the exchange
      paper.exchange.submit(user, { type: "order", orders: [{ asset: "xyz:GOLD", isBuy: true, px: 2_000, sz: 0.01, tif: "Alo", reduceOnly: false, cloid: "0x" + "1".padStart(32, "0") }] }, () => undefined);
      paper.exchange.submit(user, { type: "order", orders: [{ asset: "BTC", isBuy: true, px: 90_000, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: "0x" + "2".padStart(32, "0") }] }, () => undefined);
      await new Promise((r) => setTimeout(r, 400));
      const snap = await firstValueFrom(venue.account());
      expect(snap.openOrders.map((o) => o.asset).sort()).toEqual(["BTC", "xyz:GOLD"]);
      await expect(firstValueFrom(stranger.meta())).rejects.toThrow(/perp dex "zzz" is not listed by perpDexs \(listed: xyz\)/);
    } finally {
      await venue.close();
      await stranger.close();
      await paper.close();
    }
  }, 30_000);
});
