// `quota.reserve`: buying address requests with reserveRequestWeight (sinks/reserveWeight.ts).
// Absent (the default): never bought. Unknown keys are errors, every error names its key.
//
//   quota:
//     reserve:
//       usdPerDay: 5          # at most 5 USD a UTC day (10,000 requests at 0.0005 USDC)
//       chunk: 1000           # requests per purchase (0.5 USDC); default 1000
//       belowHeadroom: 0.2    # buy when the address headroom falls below 20%; default 0.2
import * as t from "io-ts";
import { strictStruct } from "../streams/codec.js";
import { RESERVE_DEFAULTS, RESERVE_USDC_PER_REQUEST } from "../sinks/reserveWeight.js";

const where = (name: string, ok: (n: number) => boolean) =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === "number" && ok(u),
    (u, c) => (typeof u === "number" && Number.isFinite(u) && ok(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  );

const reserveProps = {
  /** USD spent on bought requests per UTC day, at most (0.0005 USDC a request). */
  usdPerDay: where(`a number of USD ≥ ${RESERVE_USDC_PER_REQUEST} (one request)`, (n) => n >= RESERVE_USDC_PER_REQUEST && n <= 1_000_000),
};
const reserveOptionalProps = {
  /** Requests per purchase (default 1000 = 0.5 USDC). */
  chunk: where("a whole number of requests between 1 and 10,000,000", (n) => Number.isInteger(n) && n >= 1 && n <= 10_000_000),
  /** Buy when the address headroom falls below this fraction (default 0.2). */
  belowHeadroom: where("a fraction above 0 and at most 1", (n) => n > 0 && n <= 1),
};

export const ReserveConfig = strictStruct(reserveProps, reserveOptionalProps, "the quota.reserve section (an object with usdPerDay, and optionally chunk, belowHeadroom)");
export type ReserveConfig = t.TypeOf<typeof ReserveConfig>;

/**
 * Cross-field checks of `quota.reserve` against the quota section: requests must be bought before
 * the breaker (breakerPct) stops quoting, or buying only ever reopens a closed breaker.
 */
export function reserveConfigProblems(reserve: ReserveConfig | undefined, breakerPct: number): string[] {
  if (reserve === undefined) return [];
  const below = reserve.belowHeadroom ?? RESERVE_DEFAULTS.belowHeadroom;
  if (below * 100 <= breakerPct) return [`$.quota.reserve.belowHeadroom: expected above the breaker's ${breakerPct / 100} (quota.breakerPct ${breakerPct}), so requests are bought before quoting stops, got ${below}`];
  return [];
}
