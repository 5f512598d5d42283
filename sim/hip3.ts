// HIP-3 builder-deployed perp dexes on the paper venue (FACTS §5.1, §13 end): which dex each asset
// trades on, the dex's fee scale, growth mode, open-interest cap, isolated-only margin and the
// deployer's halt. PaperExchange asks it four questions: the fee scale of a fill, the address-budget
// credit of a fill, whether an order is refused (halt, OI cap), and which assets a halt takes.
//
// Confirmed (FACTS §13, OFFICIAL `trading/fees`, `hip-3-builder-deployed-perpetuals`): names
// `dex:COIN`, ids `100000 + dex index × 10000 + index in meta`, `scaleIfHip3 = s < 1 ? s + 1 : 2s`,
// growth mode reduces fees and "L1 user rate limit contributions" by 90 %, a halt "cancels all
// orders and settles positions to the current mark price".
// UNCONFIRMED (modelled as stated here): how the fee scale and growth mode compose (product); the
// refusal texts of a halted asset and of an order past the OI cap (the cap text is the one
// DOC-ERR text FACTS §5.7 lists); the order status a halt's cancels carry
// (`canceled`, plus a `nonUserCancel` user event); that a settlement is booked as a closing fill at the
// mark with no fee; that the OI cap is a notional in USDC per asset; that margin and the address
// budget are shared across dexes (FACTS §13: assume shared).
import { assetDex } from "../streams/market.js";

/** One builder-deployed dex's knobs. */
export interface SimPerpDexSpec {
  /** Short name, the prefix of its coins (`xyz`). */
  readonly name: string;
  readonly fullName?: string;
  readonly deployer?: string;
  /** `deployerFeeScale` (0 … 3). Default 1 (fees × 2). */
  readonly deployerFeeScale?: number;
  /** Growth mode: fees and address-budget credit × 0.1. Default false. */
  readonly growthMode?: boolean;
  /** Open-interest cap per asset, USDC notional (Σ |szi| × mark over all accounts). Default none. */
  readonly oiCapUsd?: number;
  /** Isolated margin only (`onlyIsolated`, `marginMode: "strictIsolated"`). Default false. */
  readonly onlyIsolated?: boolean;
}

/** The refusal texts (UNCONFIRMED for the halt; the OI text is FACTS §5.7's). */
export const SIM_HIP3_TEXT = {
  halted: "Trading is halted for this asset by its deployer.",
  oiCap: "Order would increase open interest while open interest is capped",
  onlyIsolated: "Cross margin is not allowed on this dex (isolated only).",
} as const;

/** Growth mode's factor on fees and on the address-budget credit per USDC traded (FACTS §13). */
export const SIM_GROWTH_MODE_SCALE = 0.1;

/** `scaleIfHip3` of OFFICIAL `trading/fees`. */
export function simHip3FeeMultiplier(deployerFeeScale: number): number {
  return deployerFeeScale < 1 ? deployerFeeScale + 1 : deployerFeeScale * 2;
}

export interface SimPerpDex extends Required<Omit<SimPerpDexSpec, "fullName" | "deployer" | "oiCapUsd">> {
  readonly index: number;
  readonly fullName: string;
  readonly deployer: string;
  readonly oiCapUsd: number | null;
}

export interface SimHaltRecord {
  readonly asset: string;
  readonly dex: string;
  readonly time: number;
}

/** `meta` facts a HIP-3 dex adds to its assets (the in-process venue's meta() carries them as the wire's does). */
export function simHip3Meta<M extends { readonly name: string }>(hip3: SimHip3, m: M): M & { growthMode?: boolean; onlyIsolated?: boolean } {
  const d = hip3.dexOf(m.name);
  if (!d) return m;
  return { ...m, ...(d.growthMode ? { growthMode: true } : {}), ...(d.onlyIsolated ? { onlyIsolated: true } : {}) };
}

export class SimHip3 {
  /** Builder-deployed dexes, perp dex index 1, 2, … (index 0, the main dex, is not listed). */
  readonly dexes: readonly SimPerpDex[];
  readonly halts: SimHaltRecord[] = [];
  readonly #halted = new Set<string>();
  readonly #byName = new Map<string, SimPerpDex>();

  /** `names`: the dexes the universe uses, in index order; `specs` give their knobs (a spec for an unused dex is an error). */
  constructor(names: readonly string[], specs: readonly SimPerpDexSpec[] = []) {
    for (const s of specs) {
      if (!names.includes(s.name)) throw new Error(`hip3: dex "${s.name}" has knobs but no asset (assets name dexes as "${s.name}:COIN")`);
      const scale = s.deployerFeeScale ?? 1;
      if (!(scale >= 0 && scale <= 3)) throw new Error(`hip3: dex "${s.name}": deployerFeeScale must be in [0, 3], got ${scale}`);
      if (s.oiCapUsd !== undefined && !(s.oiCapUsd > 0)) throw new Error(`hip3: dex "${s.name}": oiCapUsd must be > 0, got ${s.oiCapUsd}`);
    }
    this.dexes = names.map((name, i) => {
      const s = specs.find((x) => x.name === name);
      return {
        name,
        index: i + 1,
        fullName: s?.fullName ?? `${name} (paper)`,
        deployer: (s?.deployer ?? "0x" + (i + 1).toString(16).padStart(40, "d")).toLowerCase(),
        deployerFeeScale: s?.deployerFeeScale ?? 1,
        growthMode: s?.growthMode ?? false,
        oiCapUsd: s?.oiCapUsd ?? null,
        onlyIsolated: s?.onlyIsolated ?? false,
      };
    });
    for (const d of this.dexes) this.#byName.set(d.name, d);
  }

  dex(name: string): SimPerpDex | undefined {
    return this.#byName.get(name);
  }

  dexOf(asset: string): SimPerpDex | undefined {
    const d = assetDex(asset);
    return d === "" ? undefined : this.#byName.get(d);
  }

  /** What a fill's fee is multiplied by: 1 on the main dex, `scaleIfHip3 × growthModeScale` on a HIP-3 dex. */
  feeScale(asset: string): number {
    const d = this.dexOf(asset);
    if (!d) return 1;
    return simHip3FeeMultiplier(d.deployerFeeScale) * (d.growthMode ? SIM_GROWTH_MODE_SCALE : 1);
  }

  /** Address-budget requests earned per USDC traded on `asset`: 1, or 0.1 in growth mode. */
  creditScale(asset: string): number {
    return this.dexOf(asset)?.growthMode ? SIM_GROWTH_MODE_SCALE : 1;
  }

  isHalted(asset: string): boolean {
    return this.#halted.has(asset);
  }

  /** Mark `asset` halted; false when it is not a HIP-3 asset or already halted. */
  halt(asset: string, time: number): boolean {
    const d = this.dexOf(asset);
    if (!d || this.#halted.has(asset)) return false;
    this.#halted.add(asset);
    this.halts.push({ asset, dex: d.name, time });
    return true;
  }

  /**
   * Why a new order on `asset` is refused, or undefined: halted, or (not reduce-only) the open
   * interest after it — `oiUsd` now plus the order's notional — above the dex's cap.
   */
  refusal(asset: string, reduceOnly: boolean, oiUsd: () => number, orderUsd: number): string | undefined {
    const d = this.dexOf(asset);
    if (!d) return undefined;
    if (this.#halted.has(asset)) return SIM_HIP3_TEXT.halted;
    if (!reduceOnly && d.oiCapUsd !== null && oiUsd() + orderUsd > d.oiCapUsd) return SIM_HIP3_TEXT.oiCap;
    return undefined;
  }
}

/**
 * A dex's knobs from text (the `--dex` flag): `xyz:growth,feeScale=0.5,oiCap=250000,isolated`
 * (each knob optional; `growth` / `isolated` alone mean on). Throws an Error naming the bad part.
 */
export function simParsePerpDexSpec(text: string): SimPerpDexSpec {
  const m = /^([a-z][a-z0-9]{0,11})(?::(.*))?$/.exec(text.trim());
  if (!m) throw new Error(`expected <dex>[:knob,…] with a lower-case dex name such as xyz, got "${text.slice(0, 80)}"`);
  const name = m[1]!;
  const spec: { -readonly [K in keyof SimPerpDexSpec]: SimPerpDexSpec[K] } = { name };
  for (const part of (m[2] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const [key, value] = part.split("=", 2) as [string, string | undefined];
    const num = (): number => {
      const n = Number(value);
      if (value === undefined || value.trim() === "" || !Number.isFinite(n)) throw new Error(`dex ${name}: ${key} expects a number, got "${value ?? ""}"`);
      return n;
    };
    const bool = (): boolean => {
      if (value === undefined || value === "on" || value === "true") return true;
      if (value === "off" || value === "false") return false;
      throw new Error(`dex ${name}: ${key} expects on|off, got "${value}"`);
    };
    if (key === "feeScale") spec.deployerFeeScale = num();
    else if (key === "growth") spec.growthMode = bool();
    else if (key === "oiCap") spec.oiCapUsd = num();
    else if (key === "isolated") spec.onlyIsolated = bool();
    else throw new Error(`dex ${name}: unknown knob "${key}" (known: feeScale, growth, oiCap, isolated)`);
  }
  return spec;
}

/** `--halt <coin>@<seconds>`: halt a HIP-3 asset that long after the venue starts. */
export function simParseHalt(text: string): { readonly asset: string; readonly afterMs: number } {
  const m = /^([a-z][a-z0-9]*:[A-Za-z0-9]+)@(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!m) throw new Error(`expected <dex>:<COIN>@<seconds>, e.g. xyz:GOLD@60, got "${text.slice(0, 80)}"`);
  return { asset: m[1]!, afterMs: Number(m[2]) * 1000 };
}
