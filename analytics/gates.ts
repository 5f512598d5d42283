// Which gate holds each asset closed, and for how long, read from the gated intents themselves:
// a closed gate emits an empty intent with its reason, an open pipeline emits a ladder.
import type { QuoteIntent } from "../streams/intent.js";
import { gateReasonLabel } from "../streams/gate.js";
/** The two gate metrics (app/metrics.ts has them as prom-client instruments). */
export interface GateMetrics {
  readonly gateClosed: { set(labels: { asset: string; reason: string }, value: number): void };
  readonly gateClosedSeconds: { inc(labels: { asset: string; reason: string }, value: number): void };
}

interface AssetGate {
  reason: string | undefined;
  since: number;
  readonly closedMs: Map<string, number>;
}

export class GateTracker {
  private readonly assets = new Map<string, AssetGate>();

  constructor(
    private readonly now: () => number,
    private readonly metrics?: GateMetrics,
  ) {}

  private entry(asset: string): AssetGate {
    let e = this.assets.get(asset);
    if (!e) {
      e = { reason: undefined, since: this.now(), closedMs: new Map() };
      this.assets.set(asset, e);
    }
    return e;
  }

  private account(asset: string, e: AssetGate, at: number): void {
    if (e.reason === undefined) return;
    const ms = Math.max(0, at - e.since);
    e.closedMs.set(e.reason, (e.closedMs.get(e.reason) ?? 0) + ms);
    this.metrics?.gateClosedSeconds.inc({ asset, reason: e.reason }, ms / 1000);
    e.since = at;
  }

  /** Feed every gated intent of every asset. */
  observe(intent: QuoteIntent): void {
    const closed = intent.bids.length === 0 && intent.asks.length === 0 && intent.reason !== undefined;
    this.set(intent.asset, closed ? gateReasonLabel(intent.reason!) : undefined);
  }

  /** The asset is closed for `reason` from now on (undefined: open). */
  set(asset: string, reason: string | undefined): void {
    const e = this.entry(asset);
    if (reason === e.reason) return;
    const at = this.now();
    this.account(asset, e, at);
    if (e.reason !== undefined) this.metrics?.gateClosed.set({ asset, reason: e.reason }, 0);
    if (reason !== undefined) this.metrics?.gateClosed.set({ asset, reason }, 1);
    e.reason = reason;
    e.since = at;
  }

  /** The reason the asset is closed now (undefined: quoting). */
  closedReason(asset: string): string | undefined {
    return this.assets.get(asset)?.reason;
  }

  /** Bring the time-closed totals up to now (before a scrape or a report). */
  settle(): void {
    const at = this.now();
    for (const [asset, e] of this.assets) this.account(asset, e, at);
  }

  /** Milliseconds closed, per asset and reason, up to the last settle. */
  totals(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [asset, e] of this.assets) out[asset] = Object.fromEntries(e.closedMs);
    return out;
  }
}

/** Sum of several trackers' totals (pipeline gates and the sink's own gates). */
export function mergeGateTotals(...all: Record<string, Record<string, number>>[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const t of all)
    for (const [asset, reasons] of Object.entries(t))
      for (const [reason, ms] of Object.entries(reasons)) (out[asset] ??= {})[reason] = (out[asset]?.[reason] ?? 0) + ms;
  return out;
}
