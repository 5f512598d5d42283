// quoteflow/testing: what you need to marble-test your own operators and strategies on virtual
// time — the marbles helper, builders for books, trades, fills, intents and market states, a
// factory context, and a PaperVenue harness that runs the whole service with your plugins.
export { marbles, marblesFor, type Marbles } from "./marbles.js";
export { book, trade, fill, intent, marketState, defaultQuoterParams, type BookSpec } from "./builders.js";
export { testContext, testStrategyContext } from "./context.js";
export { paperHarness, type PaperHarness, type PaperHarnessOptions } from "./paper.js";
export { emptyIntent } from "../streams/intent.js";
export type { BookEvent, TradeEvent, MidEvent } from "../streams/market.js";
export type { FillEvent } from "../streams/fill.js";
export type { QuoteIntent, QuoteLevel, StrategySignals } from "../streams/intent.js";
export type { QuoteGateReason } from "../streams/gate.js";
