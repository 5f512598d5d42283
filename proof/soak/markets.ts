// The soak's market: n synthetic assets (latent price with jumps, a reference venue that leads the
// traded book by 50–500 ms) from sim/synthetic.ts, named after real perps so the paper venue's
// universe gives them their real size decimals.
import { syntheticMarket, type SimMarket } from "../../sim/index.js";

/** Name, start price and size decimals of the assets a soak quotes, in order. */
const SOAK_ASSETS: readonly (readonly [string, number, number])[] = [
  ["BTC", 100_000, 5],
  ["ETH", 3_500, 4],
  ["SOL", 150, 2],
  ["AVAX", 35, 2],
  ["BNB", 600, 3],
  ["LTC", 90, 2],
  ["LINK", 15, 1],
  ["ARB", 1.2, 1],
  ["OP", 2.5, 1],
  ["APT", 9, 2],
  ["ATOM", 8, 2],
  ["INJ", 25, 1],
  ["SUI", 1.5, 1],
  ["BCH", 400, 3],
  ["GMX", 30, 2],
  ["LDO", 2, 1],
  ["CRV", 0.6, 1],
  ["SNX", 3, 1],
  ["STX", 2, 1],
  ["DYDX", 2, 1],
];

export interface SoakAssetSpec {
  readonly name: string;
  readonly startPx: number;
  readonly szDecimals: number;
}

/** The first `n` soak assets (beyond the list: SYN21, SYN22, … at 100 with 2 size decimals). */
export function soakAssets(n: number): SoakAssetSpec[] {
  const out: SoakAssetSpec[] = [];
  for (let i = 0; i < n; i++) {
    const row = SOAK_ASSETS[i];
    out.push(row ? { name: row[0], startPx: row[1], szDecimals: row[2] } : { name: `SYN${i + 1}`, startPx: 100, szDecimals: 2 });
  }
  return out;
}

/** A synthetic market for the soak assets, `durationMs` long (Infinity: endless). */
export function soakMarket(assets: readonly SoakAssetSpec[], seed: number, durationMs = Infinity): SimMarket {
  return syntheticMarket({
    assets: assets.map((a) => ({ name: a.name, startPx: a.startPx, szDecimals: a.szDecimals })),
    seed,
    durationMs,
  });
}
