// HIP-3 in the composition root: which dexes a config names, a followed dex the venue does not list
// as a config error naming its assets' paths, the growth-mode address credit the quota ledger
// counts, and the halt gate (a deployer's halt is venue truth: the asset's intents end with an
// empty ladder whose reason is `DexHalted`, and nothing is re-placed on it until restart).
import { type MonoTypeOperatorFunction, type Observable, defer, filter, map, merge, share, take, takeUntil, tap } from "rxjs";
import type { QuoteIntent } from "../streams/intent.js";
import { emptyIntent } from "../streams/intent.js";
import { type AssetMeta, assetDex } from "../streams/market.js";
import type { VenueHalt } from "../streams/venue.js";
import { HlUnknownDexError } from "../sources/hyperliquid/venue.js";
import { ConfigError } from "./config.js";

/** The builder-deployed dexes `assets` name (`xyz` of `xyz:GOLD`), first-seen order; empty for main-dex assets only. */
export function configDexes(assets: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of assets) {
    const d = assetDex(a);
    if (d !== "" && !out.includes(d)) out.push(d);
  }
  return out;
}

/** A venue error at start that is really a config problem (a dex the venue does not list) → ConfigError naming each asset's path; else the error itself. */
export function dexConfigError(err: unknown, assets: readonly string[], venue: string): unknown {
  if (!(err instanceof HlUnknownDexError)) return err;
  const problems = assets.filter((a) => assetDex(a) === err.dex).map((a) => `$.assets.${a}: venue ${venue} has no perp dex "${err.dex}" (perpDexs lists: ${err.listed.join(", ") || "none"})`);
  return new ConfigError(`for venue ${venue}`, problems.length > 0 ? problems : [err.message]);
}

/**
 * Address-budget requests one USDC traded on `asset` earns (FACTS §9, §13): 1, or 0.1 on a HIP-3
 * asset in growth mode — what the quota ledger adds per fill, so its cap tracks the venue's.
 */
export function addressCreditOf(universe: () => readonly AssetMeta[]): (asset: string) => number {
  return (asset) => (universe().find((m) => m.name === asset)?.growthMode === true ? 0.1 : 1);
}

/**
 * Close `asset`'s quoting for good when the venue reports its deployer halted it: the ladder goes
 * empty at once with reason `DexHalted` (the reconciler cancels what still rests), and every later
 * intent is dropped, so nothing is re-placed on a halted asset. Other assets are untouched.
 *
 * ```
 * intents: -a--b-----c--d--
 * halts$:  ------H(asset)--
 * result:  -a--b-E|          E = empty intent { reason: DexHalted }
 * ```
 */
export function haltGate(asset: string, halts$: Observable<VenueHalt> | undefined, onHalt?: (halt: VenueHalt) => void): MonoTypeOperatorFunction<QuoteIntent> {
  if (halts$ === undefined) return (intents$) => intents$;
  return (intents$) =>
    defer(() => {
      const halt$ = halts$.pipe(
        filter((h) => h.asset === asset),
        take(1),
        share(),
      );
      return merge(
        intents$.pipe(takeUntil(halt$)),
        halt$.pipe(
          tap((h) => onHalt?.(h)),
          map((h) => emptyIntent(asset, h.time, { kind: "DexHalted", dex: h.dex, detail: h.detail })),
        ),
      );
    });
}
