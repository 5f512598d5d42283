// HIP-3 builder-deployed perp dexes on the wire (FACTS §5.1, §13 end): the `perpDexs` answer, the
// asset-id offset of a dex, and the deployer-halt refusal. Per-dex `meta`, `clearinghouseState`,
// `openOrders` and `allMids` take the same shapes as the main dex's with a `dex` field (info.ts, ws.ts).
import * as t from "io-ts";
import { perpAssetId } from "../market.js";
import { type Decoded, decodeWith } from "../codec.js";
import type { BatchResult } from "../actions.js";
import { DecimalString, nullable } from "./scalars.js";

/** One `perpDexs` entry (NK `perpDexs.ts`); index 0 is `null`, the main dex. Unknown fields pass. */
export const HlPerpDex = t.intersection(
  [t.type({ name: t.string }), t.partial({ fullName: nullable(t.string), deployer: nullable(t.string), deployerFeeScale: nullable(DecimalString) })],
  "HlPerpDex",
);
export type HlPerpDex = t.TypeOf<typeof HlPerpDex>;

export const HlPerpDexs = t.array(t.union([t.null, HlPerpDex]), "HlPerpDexs");
export type HlPerpDexs = t.TypeOf<typeof HlPerpDexs>;

/** A listed perp dex: its index (1, 2, … for builder-deployed ones), name and fee scale. */
export interface PerpDexInfo {
  readonly index: number;
  readonly name: string;
  readonly deployerFeeScale: number | null;
}

export function decodeHlPerpDexs(data: unknown, what = "info perpDexs"): Decoded<PerpDexInfo[]> {
  const r = decodeWith(HlPerpDexs, data, what);
  if (!r.ok) return r;
  const out: PerpDexInfo[] = [];
  r.value.forEach((d, index) => {
    if (d !== null) out.push({ index, name: d.name, deployerFeeScale: d.deployerFeeScale == null ? null : Number(d.deployerFeeScale) });
  });
  return { ok: true, value: out };
}

/** The asset id of a dex's first asset: `meta {dex}` index i has id `offset + i`. */
export function perpDexIdOffset(index: number): number {
  return perpAssetId(index, 0);
}

/**
 * A refusal that means the asset is halted by its deployer (HIP-3 `haltTrading`). The live text is
 * UNCONFIRMED: matched loosely on "halted" (the paper venue's text:
 * `Trading is halted for this asset by its deployer.`).
 */
export function isHaltText(text: string): boolean {
  return /\bhalted\b/i.test(text);
}

/** The placements of `batch` that `result` refused because their asset is halted: `[asset, text]` pairs. */
export function haltRefusals(batch: { readonly type: string; readonly orders?: readonly { readonly asset: string }[]; readonly modifies?: readonly { readonly order: { readonly asset: string } }[] }, result: BatchResult): [string, string][] {
  if (!result.ok || (result.type !== "order" && result.type !== "batchModify")) return [];
  const assets = batch.type === "order" ? (batch.orders ?? []).map((o) => o.asset) : batch.type === "batchModify" ? (batch.modifies ?? []).map((m) => m.order.asset) : [];
  const out: [string, string][] = [];
  result.statuses.forEach((st, i) => {
    const asset = assets[i];
    if (st.kind === "rejected" && asset !== undefined && isHaltText(st.error)) out.push([asset, st.error]);
  });
  return out;
}
