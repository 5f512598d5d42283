// HIP-3 assets in the soak (`--hip3 xyz:GOLD --dex xyz:growth`): their synthetic markets, and the
// quota figures by dex — USDC traded on each dex and the address-budget requests it earned (1 per
// USDC on the main dex, 0.1 on a growth-mode dex, FACTS §13) — beside the venue's cap and the cap
// the service's quota ledger believes (it must never believe more than the venue gives).
import { assetDex } from "../../streams/market.js";
import type { PaperVenue } from "../../sim/index.js";
import type { SoakAssetSpec } from "./markets.js";

const KNOWN: Readonly<Record<string, readonly [number, number]>> = { GOLD: [2_600, 3], SILVER: [30, 2], TSLA: [250, 3], NVDA: [120, 3] };

/** Soak specs of HIP-3 assets (`xyz:GOLD`: start 2600, 3 size decimals; unknown coins 100 / 2). */
export function soakHip3Assets(names: readonly string[]): SoakAssetSpec[] {
  return names.map((name) => {
    const [px, sd] = KNOWN[name.slice(name.indexOf(":") + 1)] ?? [100, 2];
    return { name, startPx: px, szDecimals: sd };
  });
}

export interface SoakDexQuota {
  readonly dex: string;
  readonly growthMode: boolean;
  /** USDC traded on the dex by the soak's account (venue truth). */
  readonly volumeUsd: number;
  /** Address-budget requests that volume earned at the venue. */
  readonly credit: number;
}

export interface SoakHip3Figures {
  readonly byDex: readonly SoakDexQuota[];
  /** The venue's address cap (cap + surplus) at the end. */
  readonly venueCap: number;
  /** What the service's quota ledger believed the cap was at the end (undefined without a throttle). */
  readonly ledgerCap: number | undefined;
}

/** The quota figures by dex from the venue's truth of the soak's account. */
export function soakHip3Figures(venue: PaperVenue, ledgerCap: number | undefined): SoakHip3Figures {
  const ex = venue.exchange;
  const byDex = new Map<string, { volumeUsd: number; credit: number }>();
  for (const d of ["", ...ex.hip3.dexes.map((x) => x.name)]) byDex.set(d, { volumeUsd: 0, credit: 0 });
  for (const f of ex.account(venue.user).fills) {
    const row = byDex.get(assetDex(f.fill.asset));
    if (!row || f.fill.fee === 0) continue; // a halt's settlement (no fee) earns nothing
    const usd = f.fill.price * f.fill.size;
    row.volumeUsd += usd;
    row.credit += usd * ex.hip3.creditScale(f.fill.asset);
  }
  const rl = ex.rateLimit(venue.user);
  return {
    byDex: [...byDex].map(([dex, r]) => ({ dex, growthMode: dex !== "" && ex.hip3.dex(dex)?.growthMode === true, ...r })),
    venueCap: rl.nRequestsCap + rl.nRequestsSurplus,
    ledgerCap,
  };
}

/** The table rows (only when the soak has HIP-3 assets: other seeds keep their table). */
export function soakHip3Rows(h: SoakHip3Figures): [string, string, string, string][] {
  const usd = (x: number) => `$${Math.round(x).toLocaleString("en-US")}`;
  const req = (x: number) => Math.floor(x).toLocaleString("en-US");
  const dexes = h.byDex.map((d) => `${d.dex === "" ? "main" : d.dex}${d.growthMode ? " (growth ×0.1)" : ""} ${usd(d.volumeUsd)} → ${req(d.credit)}`).join("; ");
  const ok = h.ledgerCap === undefined || h.ledgerCap <= h.venueCap;
  return [
    ["address credit by dex (USDC traded → requests earned)", dexes, "growth ×0.1", "—"],
    ["address cap: venue / the quota ledger's belief", `${req(h.venueCap)} / ${h.ledgerCap === undefined ? "—" : req(h.ledgerCap)}`, "ledger ≤ venue", ok ? "ok" : "**FAIL**"],
  ];
}
