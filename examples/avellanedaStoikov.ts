// A custom strategy: Avellaneda–Stoikov (2008) in basis points of the fair price. One bid and one
// ask around a reservation price that moves against the inventory; the spread widens with the
// volatility the quoter measures. Its own state goes out as signals on every intent, so the
// journal's fill lines say what the strategy thought when each order was placed.
import * as t from "io-ts";
import { defineStrategy, type PriceGrid, type QuoteIntent, type QuoteLevel, type QuoterMarketState, type QuoterPosition } from "quoteflow";

const positive = (name: string) =>
  new t.Type<number, number, unknown>(name, (u): u is number => typeof u === "number" && u > 0 && Number.isFinite(u), (u, c) => (typeof u === "number" && u > 0 && Number.isFinite(u) ? t.success(u) : t.failure(u, c)), t.identity);

export const AvellanedaStoikovParams = t.exact(
  t.type({
    /** Risk aversion, per bp. */
    gamma: positive("gamma: a number > 0"),
    /** Decay of fill intensity with distance from the mid, per bp. */
    kappa: positive("kappa: a number > 0"),
    /** Horizon T − t, in book updates (the volatility is per update). */
    horizonUpdates: positive("horizonUpdates: a number > 0"),
    /** Size of each quote, USD; also the inventory unit q is counted in. */
    levelSizeUsd: positive("levelSizeUsd: a number > 0"),
    /** Floor of the half-spread, bps. */
    minHalfSpreadBps: positive("minHalfSpreadBps: a number > 0"),
    /** Beyond this |position| (USD) only the reducing side is quoted. */
    maxPositionUsd: positive("maxPositionUsd: a number > 0"),
  }),
  "AvellanedaStoikovParams",
);
export type AvellanedaStoikovParams = t.TypeOf<typeof AvellanedaStoikovParams>;

/**
 * The quote for one market state (pure):
 *
 * - σ² = the quoter's EWMA variance of the fair price (bps² per update), q = position / quote size;
 * - reservation r = fair · (1 − q·γ·σ²·T / 1e4);
 * - half-spread δ/2 = max(minHalfSpreadBps, (γσ²T + (2/γ)·ln(1 + γ/κ)) / 2);
 * - prices rounded passively onto the grid and never through the touch.
 */
export function avellanedaStoikovQuote(market: QuoterMarketState, position: QuoterPosition, p: AvellanedaStoikovParams, grid: PriceGrid): QuoteIntent {
  const { asset, time, book, fair } = market;
  const bestBid = book?.bids[0]?.px;
  const bestAsk = book?.asks[0]?.px;
  if (fair === undefined || bestBid === undefined || bestAsk === undefined) return { asset, time, bids: [], asks: [] };
  const unit = grid.sizeForUsd(p.levelSizeUsd, fair);
  const q = position.szi / unit;
  const variance = market.varianceBps2;
  const riskBps = p.gamma * variance * p.horizonUpdates;
  const reservationBps = -q * riskBps + 0; // + 0: no −0 in the signals
  const halfSpreadBps = Math.max(p.minHalfSpreadBps, (riskBps + (2 / p.gamma) * Math.log(1 + p.gamma / p.kappa)) / 2);
  const r = fair * (1 + reservationBps / 1e4);
  const notional = position.szi * fair;
  const limited = Math.abs(notional) >= p.maxPositionUsd;
  const source = limited ? "recovery" : "base_ladder";
  const bidPx = grid.roundPrice(Math.min(r * (1 - halfSpreadBps / 1e4), bestAsk - grid.tick(bestAsk)), true);
  const askPx = grid.roundPrice(Math.max(r * (1 + halfSpreadBps / 1e4), bestBid + grid.tick(bestBid)), false);
  const bids: QuoteLevel[] = limited && position.szi > 0 ? [] : [{ px: bidPx, sz: grid.sizeForUsd(p.levelSizeUsd, bidPx), source }];
  const asks: QuoteLevel[] = limited && position.szi < 0 ? [] : [{ px: askPx, sz: grid.sizeForUsd(p.levelSizeUsd, askPx), source }];
  return {
    asset,
    time,
    bids,
    asks,
    signals: {
      as_reservationBps: reservationBps,
      as_halfSpreadBps: halfSpreadBps,
      as_sigmaBps: Math.sqrt(variance),
      as_inventoryUnits: q,
      as_regime: q > 0.5 ? "long" : q < -0.5 ? "short" : "flat",
      as_limited: limited,
    },
  };
}

/** The plugin entry: `strategy: { name: avellanedaStoikov, params: { gamma: 0.1, … } }`. */
export const avellanedaStoikov = defineStrategy<AvellanedaStoikovParams>({
  params: AvellanedaStoikovParams,
  description: "Avellaneda–Stoikov: one bid and one ask around an inventory-skewed reservation price, spread from volatility",
  create: (params, ctx) => (market, position) => avellanedaStoikovQuote(market, position, params, ctx.grid),
});
