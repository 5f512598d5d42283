// The terminal status line: one line per asset every few seconds, for a person watching.

export interface AssetStatus {
  readonly asset: string;
  readonly mid: number | undefined;
  /** Our best resting bid and ask (undefined: none resting). */
  readonly bid: number | undefined;
  readonly ask: number | undefined;
  /** Signed position (coins). */
  readonly position: number;
  readonly pnl: number;
  /** Why quoting is closed, or undefined when the gates are open. */
  readonly closedBy: string | undefined;
  readonly fills: number;
  /** Smallest headroom (0..1) across the rate-limit budgets, when known. */
  readonly quotaHeadroom: number | undefined;
}

function px(x: number | undefined): string {
  if (x === undefined) return "—";
  return x >= 1000 ? x.toFixed(1) : x >= 1 ? x.toFixed(3) : x.toPrecision(5);
}

/** `BTC  mid 109755.5  bid 109733.0 / ask 109778.0  pos +0.00020  pnl +0.12  fills 3  gates open  quota 99.8%` */
export function formatStatusLine(s: AssetStatus): string {
  const pos = (s.position >= 0 ? "+" : "") + s.position.toPrecision(3);
  const pnl = (s.pnl >= 0 ? "+" : "") + s.pnl.toFixed(2);
  const quota = s.quotaHeadroom === undefined ? "—" : `${(s.quotaHeadroom * 100).toFixed(1)}%`;
  return [
    s.asset.padEnd(5),
    `mid ${px(s.mid)}`,
    `bid ${px(s.bid)} / ask ${px(s.ask)}`,
    `pos ${pos}`,
    `pnl ${pnl}`,
    `fills ${s.fills}`,
    `gates ${s.closedBy ? `closed (${s.closedBy})` : "open"}`,
    `quota ${quota}`,
  ].join("  ");
}
