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
  /** Which budget that smallest headroom is (`ip`, `address`). */
  readonly quotaBudget?: string | undefined;
  /** Address requests this asset has spent (what the quota throttle let through), when known. */
  readonly addressRequests?: number | undefined;
}

/** A price as the venue would print it: up to 9 significant digits, no trailing zeros, never rounded to a coarser tick. */
export function formatPx(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "—";
  return String(Number(x.toPrecision(9)));
}

/** A signed size with a fixed 5 decimals (Hyperliquid's finest szDecimals for the majors), so the column lines up. */
export function formatPos(x: number): string {
  const v = Math.abs(x) < 5e-6 ? 0 : x;
  return (v >= 0 ? "+" : "-") + Math.abs(v).toFixed(5);
}

function clock(d: Date): string {
  return d.toISOString().slice(11, 19);
}

/** `12:00:05  BTC   mid 109755.5  bid 109733 / ask 109778  pos +0.00020  pnl +0.12  fills 3  gates open  quota address 99.8%` */
export function formatStatusLine(s: AssetStatus, at?: Date): string {
  const pnl = (s.pnl >= 0 ? "+" : "") + s.pnl.toFixed(2);
  const quota = s.quotaHeadroom === undefined ? "—" : `${s.quotaBudget !== undefined ? `${s.quotaBudget} ` : ""}${(s.quotaHeadroom * 100).toFixed(1)}%`;
  return [
    ...(at ? [clock(at)] : []),
    s.asset.padEnd(5),
    `mid ${formatPx(s.mid)}`,
    `bid ${formatPx(s.bid)} / ask ${formatPx(s.ask)}`,
    `pos ${formatPos(s.position)}`,
    `pnl ${pnl}`,
    `fills ${s.fills}`,
    `gates ${s.closedBy ? `closed (${s.closedBy})` : "open"}`,
    `quota ${quota}`,
    ...(s.addressRequests !== undefined ? [`req ${s.addressRequests}`] : []),
  ].join("  ");
}
