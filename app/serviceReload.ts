// A config reload: everything is composed before anything is applied, so a factory that throws
// (a plugin's) or an unknown asset refuses the whole change and the running pipelines stay.
import type { Logger } from "pino";
import { Subject, type Observable } from "rxjs";
import type { AssetMeta, BookEvent } from "../streams/market.js";
import type { AssetRuntime } from "./assetRuntime.js";
import { type AssetConfig, type ServiceConfig, checkAssetsOffered, sameConfigValue } from "./config.js";
import type { AssetPipeline } from "./pipeline.js";
import type { Registries } from "./plugins.js";

export interface ReloadResult {
  readonly recomposed: string[];
  readonly added: string[];
  readonly removed: string[];
  readonly restartNeeded: string[];
}

/** What a reload changes in the service. */
export interface ReloadHost {
  readonly log: Logger;
  readonly assets: ReadonlyMap<string, AssetRuntime>;
  readonly universe: readonly AssetMeta[];
  readonly venueName: string;
  registries: Registries;
  compose(config: AssetConfig, book$: Observable<BookEvent>, meta: AssetMeta): AssetPipeline;
  addAsset(config: AssetConfig): void;
  /** Cancel what rests on the asset (an empty ladder) and stop its streams. */
  removeAsset(asset: string): void;
  setConfig(next: ServiceConfig): void;
}

const sameJson = sameConfigValue;

/**
 * Apply a new config. Assets whose operator chain or quoter changed get a freshly composed
 * pipeline (the sink keeps every order: the new pipeline's first ladder is diffed against what
 * rests, so what it would not quote is cancelled and the rest stays). Risk and reconciliation
 * settings are the sink's and apply at the next start. Returns the re-composed assets.
 */
export function applyReload(host: ReloadHost, next: ServiceConfig, registries?: Registries): ReloadResult {
  const log = host.log;
  const recomposed: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  const restartNeeded: string[] = [];
  // Everything is composed before anything is applied: a factory that throws (a plugin's) or an
  // unknown asset refuses the whole change and the running pipelines stay as they were.
  const previous = host.registries;
  const pluginsChanged = registries !== undefined && registries !== previous;
  if (registries) host.registries = registries;
  const swaps: { rt: AssetRuntime; pipeline: AssetPipeline }[] = [];
  const before = new Map([...host.assets.values()].map((rt) => [rt.asset, rt.pipeline$.value.config]));
  try {
    for (const a of next.assets) {
      const rt = host.assets.get(a.asset);
      if (!rt) {
        if (!host.universe.some((m) => m.name === a.asset)) throw new Error(`config asset ${a.asset} is not traded on venue ${host.venueName}`);
        host.compose(a, new Subject<BookEvent>(), host.universe.find((m) => m.name === a.asset)!);
        continue;
      }
      const old = rt.pipeline$.value.config;
      if (pluginsChanged || !sameJson(old.operators, a.operators) || !sameJson(old.quoter, a.quoter) || !sameJson(old.strategy, a.strategy) || old.risk.maxPositionUsd !== a.risk.maxPositionUsd)
        swaps.push({ rt, pipeline: host.compose(a, rt.book$, rt.meta) });
    }
  } catch (err) {
    host.registries = previous;
    throw err;
  }
  for (const { rt, pipeline } of swaps) {
    rt.pipeline$.next(pipeline);
    recomposed.push(rt.asset);
  }
  for (const a of next.assets) {
    const rt = host.assets.get(a.asset);
    if (!rt) {
      checkAssetsOffered([a.asset], host.universe.map((m) => m.name), host.venueName);
      host.addAsset(a);
      added.push(a.asset);
      continue;
    }
    const was = before.get(a.asset) ?? a;
    if (!sameJson(was.reconciliation, a.reconciliation) || !sameJson(was.risk, a.risk) || !sameJson(was.markouts, a.markouts)) restartNeeded.push(a.asset);
  }
  for (const asset of host.assets.keys()) {
    if (next.assets.some((a) => a.asset === asset)) continue;
    host.removeAsset(asset);
    removed.push(asset);
  }
  host.setConfig(next);
  log.info({ recomposed, added, removed, restartNeeded }, restartNeeded.length ? "config applied (risk/reconciliation changes take effect at the next start)" : "config applied");
  return { recomposed, added, removed, restartNeeded };
}
