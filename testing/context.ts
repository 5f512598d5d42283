// A context for calling your operator's or strategy's factory in a test: every stream silent
// (NEVER) unless you pass it, the grid of the asset's szDecimals, your scheduler.
import { NEVER, asyncScheduler } from "rxjs";
import { createDataQualityStats } from "../operators/dataQualityGate.js";
import type { QuoterParams } from "../operators/quoter.js";
import { priceGrid } from "../app/pipeline.js";
import type { OperatorContext, StrategyContext } from "../app/registry.js";
import { defaultQuoterParams } from "./builders.js";

type Writable<T> = { -readonly [K in keyof T]?: T[K] };

/** `testContext({ scheduler: m.scheduler, trades$: m.hot("-a-b", { a, b }) })`. */
export function testContext(overrides: Writable<OperatorContext> = {}): OperatorContext {
  const szDecimals = overrides.szDecimals ?? 2;
  const ctx = {
    asset: "BTC",
    szDecimals,
    grid: priceGrid(szDecimals),
    scheduler: asyncScheduler,
    book$: NEVER,
    trades$: NEVER,
    mid$: NEVER,
    fills$: NEVER,
    position$: NEVER,
    sinkEvents$: NEVER,
    userEvents$: NEVER,
    dataQuality: createDataQualityStats(),
    ...overrides,
  };
  return ctx as OperatorContext;
}

/** The same for a strategy factory, with the shipped config's `quoter` parameters unless given. */
export function testStrategyContext(overrides: Writable<OperatorContext> & { readonly quoter?: Partial<QuoterParams> } = {}): StrategyContext {
  const { quoter, ...rest } = overrides;
  return { ...testContext(rest), quoter: { ...defaultQuoterParams(), ...quoter } };
}
