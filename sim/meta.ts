// The simulated universe: the real mainnet `meta` universe recorded in the Python SDK's
// cassette (tests/cassettes/info_test, test_get_info.json), asset ids by index (BTC = 0).
import { assetDex, perpAssetId, type AssetMeta } from "../streams/market.js";

const CASSETTE_UNIVERSE: readonly (readonly [string, number])[] = [
  ["BTC", 5], ["ETH", 4], ["ATOM", 2], ["MATIC", 1], ["DYDX", 1], ["SOL", 2], ["AVAX", 2], ["BNB", 3],
  ["APE", 1], ["OP", 1], ["LTC", 2], ["ARB", 1], ["DOGE", 0], ["INJ", 1], ["SUI", 1], ["kPEPE", 0],
  ["CRV", 1], ["LDO", 1], ["LINK", 1], ["STX", 1], ["RNDR", 1], ["CFX", 0], ["FTM", 0], ["GMX", 2],
  ["SNX", 1], ["XRP", 0], ["BCH", 3], ["APT", 2],
];

export interface SimMetaOptions {
  /** Extra assets (synthetic markets for names not in the cassette universe), appended in order. */
  readonly extra?: readonly { readonly name: string; readonly szDecimals: number; readonly maxLeverage?: number }[];
}

/** The perp universe as `meta` reports it: cassette assets first (same ids as mainnet then), extras after. */
export function simUniverse(options: SimMetaOptions = {}): AssetMeta[] {
  const out: AssetMeta[] = CASSETTE_UNIVERSE.map(([name, szDecimals], id) => ({
    name,
    id,
    szDecimals,
    maxLeverage: 50,
    isSpot: false,
  }));
  // HIP-3 names (`dex:COIN`) go on their builder-deployed dex, dexes indexed after the main one in
  // the order they first appear, assets in meta order (FACTS §5.1 asset ids)
  const dexes = simPerpDexNames(options.extra?.map((e) => e.name) ?? []);
  const hip3: AssetMeta[] = [];
  const perDex = new Map<string, number>();
  for (const e of options.extra ?? []) {
    if (out.some((a) => a.name === e.name) || hip3.some((a) => a.name === e.name)) continue;
    const dex = assetDex(e.name);
    if (dex === "") {
      out.push({ name: e.name, id: out.length, szDecimals: e.szDecimals, maxLeverage: e.maxLeverage ?? 20, isSpot: false });
      continue;
    }
    const index = perDex.get(dex) ?? 0;
    perDex.set(dex, index + 1);
    hip3.push({ name: e.name, id: perpAssetId(dexes.indexOf(dex) + 1, index), szDecimals: e.szDecimals, maxLeverage: e.maxLeverage ?? 10, isSpot: false });
  }
  return [...out, ...hip3];
}

/** The builder-deployed dexes named by `assets` (`xyz` of `xyz:GOLD`), in first-seen order: perp dex index 1, 2, …. */
export function simPerpDexNames(assets: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of assets) {
    const d = assetDex(a);
    if (d !== "" && !out.includes(d)) out.push(d);
  }
  return out;
}

/** Universe covering `assets`: unknown names get szDecimals 2 (documented default). */
export function simUniverseFor(assets: readonly string[]): AssetMeta[] {
  const known = new Set(CASSETTE_UNIVERSE.map(([n]) => n));
  return simUniverse({ extra: assets.filter((a) => !known.has(a)).map((name) => ({ name, szDecimals: 2 })) });
}
