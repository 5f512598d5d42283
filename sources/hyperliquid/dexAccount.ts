// Account state across perp dexes (FACTS §13: HIP-3 `clearinghouseState` / `openOrders` take a
// `dex`; the main dex is `""`). Each dex's snapshot holds only that dex's positions and orders, so
// one account snapshot is their union: an order on `xyz:GOLD` is reconciled against the xyz dex's
// open orders and never against the main dex's (which do not list it), and vice versa.
import { EMPTY, type Observable, defer, mergeMap, of } from "rxjs";
import type { AccountSnapshot, OpenOrder, Position } from "../../streams/index.js";

export interface DexState {
  readonly time: number;
  readonly accountValue: number;
  /** clearinghouseState `withdrawable` (what reserveRequestWeight may be paid from). */
  readonly withdrawable?: number;
  readonly positions: readonly Position[];
}

/**
 * One snapshot from every dex's (state, open orders). Time: the oldest state's (the sink's
 * fill-in-flight rules then hold for every dex). Account value: the main dex's (UNCONFIRMED whether
 * HIP-3 dexes hold separate collateral; the paper venue shares one account across dexes).
 */
export function mergeDexSnapshots(parts: readonly { readonly dex: string; readonly state: DexState; readonly orders: readonly OpenOrder[] }[], openOrdersIncluded = true): AccountSnapshot {
  const main = parts.find((p) => p.dex === "") ?? parts[0];
  const snap: AccountSnapshot = {
    time: Math.min(...parts.map((p) => p.state.time)),
    accountValue: main?.state.accountValue ?? 0,
    ...(main?.state.withdrawable !== undefined && Number.isFinite(main.state.withdrawable) ? { withdrawable: main.state.withdrawable } : {}),
    positions: parts.flatMap((p) => p.state.positions.filter((x) => belongs(x.asset, p.dex))),
    openOrders: parts.flatMap((p) => p.orders.filter((o) => belongs(o.asset, p.dex))),
  };
  return openOrdersIncluded ? snap : { ...snap, openOrdersIncluded: false };
}

/** A dex's answer speaks for its own assets only (a stray row of another dex is not its truth). */
function belongs(asset: string, dex: string): boolean {
  const i = asset.indexOf(":");
  return (i > 0 ? asset.slice(0, i) : "") === dex;
}

export type DexPart =
  | { readonly dex: string; readonly kind: "state"; readonly state: DexState }
  | { readonly dex: string; readonly kind: "orders"; readonly orders: readonly OpenOrder[] };

/**
 * Pushed parts (WS `clearinghouseState` and `openOrders` of each dex, every ~4–5 s) → paired
 * snapshots: one goes out once every dex has sent a fresh state and fresh orders since the last.
 */
export function pairDexPushes(parts$: Observable<DexPart>, dexes: readonly string[]): Observable<AccountSnapshot> {
  return defer(() => {
    const states = new Map<string, DexState>();
    const orders = new Map<string, readonly OpenOrder[]>();
    return parts$.pipe(
      mergeMap((p) => {
        if (p.kind === "state") states.set(p.dex, p.state);
        else orders.set(p.dex, p.orders);
        if (!dexes.every((d) => states.has(d) && orders.has(d))) return EMPTY;
        const snap = mergeDexSnapshots(dexes.map((d) => ({ dex: d, state: states.get(d)!, orders: orders.get(d)! })));
        states.clear();
        orders.clear();
        return of(snap);
      }),
    );
  });
}
