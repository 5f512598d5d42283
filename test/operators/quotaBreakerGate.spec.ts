import { describe, it } from "vitest";
import { createQuotaThrottleHandle, quotaBreakerGate, quotaThrottle, type QuotaThrottleState } from "../../operators/index.js";
import { emptyIntent, type ActionBatch, type QuoteIntent } from "../../streams/index.js";
import { marbles } from "../marbles.js";

function intent(time: number, asset = "BTC"): QuoteIntent {
  return { asset, time, bids: [{ px: 99, sz: 1, source: "base_ladder" }], asks: [{ px: 101, sz: 1, source: "base_ladder" }] };
}
function state(time: number, breakerOpen: boolean, headroom = breakerOpen ? 0.05 : 0.5): QuotaThrottleState {
  const base = { time, headroom, ipHeadroom: 1, addressHeadroom: headroom, breakerOpen, limited: "none" as const, nextSlotAt: null, queuedCancels: 0 };
  return breakerOpen ? { ...base, reason: { kind: "QuotaBreaker", headroom, threshold: 0.1 } } : base;
}
const breaker = (headroom: number) => ({ kind: "QuotaBreaker" as const, headroom, threshold: 0.1 });

describe("quotaBreakerGate", () => {
  it(
    "passes intents while the breaker is closed (happy path)",
    marbles((m) => {
      const states = m.hot("  f-------", { f: state(0, false) });
      const source = m.hot("  -a-b-c-|", { a: intent(1), b: intent(3), c: intent(5) });
      m.expect(source.pipe(quotaBreakerGate(states))).toBeObservable("-a-b-c-|", { a: intent(1), b: intent(3), c: intent(5) });
      m.expect(states).toHaveSubscriptions("^------!");
    }),
  );

  it(
    "closes at once with an empty QuotaBreaker intent, swallows, and re-emits the latest when the breaker closes",
    marbles((m) => {
      const states = m.hot("  f-----t------f--", { f: state(0, false), t: state(6, true) });
      const source = m.hot("  -a--b---c-d-----e|", { a: intent(1), b: intent(4), c: intent(8), d: intent(10), e: intent(16) });
      m.expect(source.pipe(quotaBreakerGate(states))).toBeObservable("-a--b-x------d--e|", {
        a: intent(1),
        b: intent(4),
        x: emptyIntent("BTC", 6, breaker(0.05)),
        d: intent(10),
        e: intent(16),
      });
    }),
  );

  it(
    "announces a breaker that opened before any intent with the first intent",
    marbles((m) => {
      const states = m.hot("  t", { t: state(0, true) });
      const source = m.hot("  --a-b|", { a: intent(2, "ETH"), b: intent(4, "ETH") });
      m.expect(source.pipe(quotaBreakerGate(states))).toBeObservable("--x--|", { x: emptyIntent("ETH", 2, breaker(0.05)) });
    }),
  );

  it(
    "follows a real quotaThrottle: traded volume closes the breaker and the quotes come back",
    marbles((m) => {
      const handle = createQuotaThrottleHandle();
      const volume = m.hot("   ------v", { v: 2_000 });
      const actions = m.hot("  -------", {} as Record<string, ActionBatch>);
      const throttled = actions.pipe(
        quotaThrottle({ seed: { cumVlm: 0, nRequestsCap: 10_000, nRequestsSurplus: 0, nRequestsUsed: 9_500 }, handle, feedback: { volume$: volume } }, m.scheduler),
      );
      // the throttle must be subscribed for its state to move
      m.expect(throttled).toBeObservable("-------");
      const source = m.hot("   -a--b---c|", { a: intent(1), b: intent(4), c: intent(8) });
      m.expect(source.pipe(quotaBreakerGate(handle.state$))).toBeObservable("-x----b-c|", {
        x: emptyIntent("BTC", 1, breaker(0.05)),
        b: intent(4),
        c: intent(8),
      });
    }),
  );

  it(
    "completes with an empty intent source",
    marbles((m) => {
      const states = m.hot("  f-", { f: state(0, false) });
      m.expect(m.cold("|").pipe(quotaBreakerGate(states))).toBeObservable("|");
      m.expect(states).toHaveSubscriptions("(^!)");
    }),
  );

  it(
    "stays silent on a never intent source",
    marbles((m) => {
      const states = m.hot("  f-t-", { f: state(0, false), t: state(2, true) });
      m.expect(m.cold("-").pipe(quotaBreakerGate(states))).toBeObservable("-");
    }),
  );

  it(
    "passes intent-source and state errors through",
    marbles((m) => {
      const states = m.hot("  f---", { f: state(0, false) });
      const source = m.hot("  -a-#", { a: intent(1) }, new Error("quoter"));
      m.expect(source.pipe(quotaBreakerGate(states))).toBeObservable("-a-#", { a: intent(1) }, new Error("quoter"));
      const badStates = m.hot("  f-#", { f: state(0, false) }, new Error("throttle"));
      const other = m.hot("      -a---", { a: intent(1) });
      m.expect(other.pipe(quotaBreakerGate(badStates))).toBeObservable("-a#", { a: intent(1) }, new Error("throttle"));
      m.expect(other).toHaveSubscriptions("^-!");
    }),
  );

  it(
    "unsubscribes from both inputs when the consumer unsubscribes",
    marbles((m) => {
      const states = m.hot("  f------", { f: state(0, false) });
      const source = m.hot("  -a-b-c-", { a: intent(1), b: intent(3), c: intent(5) });
      m.expect(source.pipe(quotaBreakerGate(states)), "^---!").toBeObservable("-a-b-", { a: intent(1), b: intent(3) });
      m.expect(source).toHaveSubscriptions("^---!");
      m.expect(states).toHaveSubscriptions("^---!");
    }),
  );
});
