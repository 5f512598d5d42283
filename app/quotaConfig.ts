// The config's `quota` section: the address budget's reserve and breaker, cross-asset batching and
// where the quota authority lives (memory or a shared Redis).
import * as t from "io-ts";
import { strictStruct } from "../streams/codec.js";
import { Percent, section } from "./configTypes.js";

const quotaProps = {
  /** Placements and modifies never eat into this share of the address budget (cancels may). */
  reservePct: Percent,
  /** Below this headroom new quotes stop (breaker, with hysteresis) and a gate reason is reported. */
  breakerPct: Percent,
};
/** `memory` (one process, the default) or `redis://[user:password@]host[:port][/db]` (rediss:// for TLS). */
export const QuotaStore = new t.Type<string, string, unknown>(
  'a quota store: "memory" or a Redis URL such as "redis://127.0.0.1:6379/0"',
  (u): u is string => typeof u === "string",
  (u, c) => (typeof u === "string" && (u === "memory" || isRedisUrl(u)) ? t.success(u) : t.failure(u, c)),
  t.identity,
);

function isRedisUrl(u: string): boolean {
  try {
    const url = new URL(u);
    return (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "" && /^(\/\d{0,2})?$/.test(url.pathname) && (url.port === "" || Number(url.port) > 0);
  } catch {
    return false;
  }
}

const quotaOptionalProps = {
  /**
   * "crossAsset" (default): the actions of all assets of one step go out as one request per kind;
   * "perAsset": each asset's batches go out on their own (the baseline `bench -- scale` measures).
   */
  batching: t.keyof({ crossAsset: null, perAsset: null }),
  /** Where the quota authority lives: `memory` (default) or a Redis URL shared by every process of the account (README "Scale-out with Redis"). */
  store: QuotaStore,
  /** The IP scope in the store: processes behind one public IP use the same name (default "default"). */
  scope: t.refinement(t.string, (s) => /^[A-Za-z0-9_.:-]{1,64}$/.test(s), "a scope name (1–64 of A–Z a–z 0–9 _ . : -)"),
};
// the section names its required keys (store and scope are optional: README "Scale-out with Redis")
export const QuotaConfig = strictStruct(quotaProps, quotaOptionalProps, section("the quota section", quotaProps));
export type QuotaConfig = t.TypeOf<typeof QuotaConfig>;
