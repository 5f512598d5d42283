// What the paper server keeps beside the exchange's ledger: who may act (accounts, agents), the
// recent prints and the candles made from them. /info, /exchange and the WS pushes read it.
import type { PaperExchange, SimTrade } from "./exchange.js";
import { SimCandles } from "./candles.js";
import { SimVenueAccounts } from "./venueAccounts.js";

export interface SimServerState {
  readonly exchange: PaperExchange;
  readonly accounts: SimVenueAccounts;
  readonly candles: SimCandles;
  /** The last 30 prints per coin (WS trades snapshot, info recentTrades). */
  readonly recentTrades: Map<string, SimTrade[]>;
}

export function simServerState(exchange: PaperExchange, accounts = new SimVenueAccounts()): SimServerState {
  return { exchange, accounts, candles: new SimCandles(), recentTrades: new Map() };
}

/** Remember prints for recentTrades and the candles. */
export function simRecordTrades(state: SimServerState, asset: string, trades: readonly SimTrade[]): void {
  const ring = state.recentTrades.get(asset) ?? [];
  ring.push(...trades);
  if (ring.length > 30) ring.splice(0, ring.length - 30);
  state.recentTrades.set(asset, ring);
  for (const t of trades) state.candles.onTrade(asset, t.time, t.px, t.sz);
}
