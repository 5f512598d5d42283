// A custom gate: stop quoting while the recent trade flow is one-sided (toxic for a passive
// quoter: someone informed is sweeping one side), reopen when the window slides past it.
import * as t from "io-ts";
import { type MonoTypeOperatorFunction, type Observable, type SchedulerLike, type Subscription, asyncScheduler } from "rxjs";
import { defineOperator, type QuoteIntent, type TradeEvent } from "quoteflow";
import { quoteGate } from "quoteflow/operators";

export interface ToxicityGateOptions {
  /** How far back the flow is measured (ms of scheduler time). */
  readonly windowMs: number;
  /** |buy − sell| / (buy + sell) of the window's volume at or above which the gate closes, 0..1. */
  readonly threshold: number;
  /** Fewer trades than this in the window never close it. */
  readonly minTrades: number;
}

/**
 * Closes while the aggressor flow of the last `windowMs` is one-sided; reopens (re-emitting the
 * latest intent) the moment the trades that made it so leave the window.
 *
 * ```
 * trades$ (buys):  a 99ms b 99ms c                 windowMs 1000, threshold 0.8, minTrades 3
 * source:          q
 * toxicityGate:    q 199ms x 799ms q               x = empty intent, PluginGate (at c);
 *                                                  q again at 1000 ms, when a leaves the window
 * ```
 *
 * @param trades$ the asset's public trades; its errors error the output.
 * @param scheduler time source (arrival times and the window's expiry), default `asyncScheduler`.
 */
export function toxicityGate(trades$: Observable<TradeEvent>, options: ToxicityGateOptions, scheduler: SchedulerLike = asyncScheduler): MonoTypeOperatorFunction<QuoteIntent> {
  const { windowMs, threshold, minTrades } = options;
  if (!(windowMs > 0) || !(threshold > 0 && threshold <= 1) || !(minTrades >= 1)) throw new RangeError(`toxicityGate: expected windowMs > 0, 0 < threshold ≤ 1, minTrades ≥ 1, got ${JSON.stringify(options)}`);
  return quoteGate(trades$, { open: true }, (gate) => {
    const window: { readonly at: number; readonly buy: number; readonly sell: number }[] = [];
    let buy = 0;
    let sell = 0;
    let timer: Subscription | undefined;

    function evaluate(): void {
      const now = scheduler.now();
      // a trade exactly windowMs old has left the window
      while (window.length > 0 && window[0]!.at <= now - windowMs) {
        const old = window.shift()!;
        buy -= old.buy;
        sell -= old.sell;
      }
      timer?.unsubscribe();
      timer = undefined;
      const total = buy + sell;
      const imbalance = total > 0 ? (buy - sell) / total : 0;
      if (window.length >= minTrades && Math.abs(imbalance) >= threshold) {
        gate.close({ kind: "PluginGate", gate: "toxicityGate", detail: `${imbalance > 0 ? "buy" : "sell"} flow ${Math.abs(imbalance).toFixed(2)} of ${window.length} trades in ${windowMs} ms` }, now);
        // look again when the oldest trade leaves (a fresh top-level action, not a chained one)
        timer = scheduler.schedule(evaluate, window[0]!.at + windowMs - now);
      } else {
        gate.reopen();
      }
    }

    return {
      control(trade) {
        window.push({ at: scheduler.now(), buy: trade.side === "buy" ? trade.sz : 0, sell: trade.side === "sell" ? trade.sz : 0 });
        if (trade.side === "buy") buy += trade.sz;
        else sell += trade.sz;
        evaluate();
      },
      intentTime: () => scheduler.now(),
      teardown: () => timer?.unsubscribe(),
    };
  });
}

export const ToxicityGateParams = t.exact(t.type({ windowMs: t.number, threshold: t.number, minTrades: t.number }), "{ windowMs, threshold, minTrades }");

/** The plugin entry: `operators: [ …, { toxicityGate: { windowMs: 2000, threshold: 0.8, minTrades: 5 } } ]`. */
export const toxicityGateOperator = defineOperator({
  stage: "intent",
  params: ToxicityGateParams,
  description: "closes while the last windowMs of trade flow is one-sided (|buy − sell| / volume ≥ threshold)",
  create: (p, ctx) => toxicityGate(ctx.trades$, p, ctx.scheduler),
});
