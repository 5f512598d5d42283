// OrderStore.prune skips its scan while no record can be due (the oldest terminalAt it knows of
// is younger than the retention). Property: on random histories, at random (also earlier) times,
// it drops exactly what the full scan it replaced drops — every terminal record whose terminalAt
// is at least the retention old — and keeps everything else.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTerminalOrderState } from "../../streams/execution.js";
import { OrderStore } from "../../sinks/orderStore.js";
import { applyStoreMove, type StoreMove } from "./helpers.js";

type Op =
  | { readonly op: StoreMove; readonly n: number; readonly t: number }
  | { readonly op: "prune"; readonly t: number };

const n = fc.integer({ min: 1, max: 3 });
const t = fc.integer({ min: 0, max: 4000 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constantFrom("place", "ack", "cancel", "cancelled", "raced", "fill", "open", "canceledUpdate" as const), n, t }), weight: 5 },
  { arbitrary: fc.record({ op: fc.constant("prune" as const), t }), weight: 1 },
);

/** The rule of the scan prune replaced, read off the records before the prune. */
function due(s: OrderStore, now: number): string[] {
  return [...s.all()].filter((r) => r.terminalAt !== null && isTerminalOrderState(r.state) && now - r.terminalAt >= s.retentionMs).map((r) => r.cloid);
}

describe("OrderStore.prune ≡ the full scan", () => {
  it("drops exactly the terminal records past the retention, on random histories and times", () => {
    let dropped = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 60 }), fc.boolean(), (ops, monotonic) => {
        const s = new OrderStore({ retentionMs: 1000 });
        let clock = 0;
        for (const o of ops) {
          const now = monotonic ? (clock += o.t % 300) : o.t;
          if (o.op === "prune") {
            const want = due(s, now);
            const before = [...s.all()].map((r) => r.cloid);
            expect(s.prune(now)).toBe(want.length);
            dropped += want.length;
            expect([...s.all()].map((r) => r.cloid)).toStrictEqual(before.filter((c) => !want.includes(c)));
            continue;
          }
          applyStoreMove(s, o.op, o.n, now);
        }
      }),
      { numRuns: 2000, seed: 31 },
    );
    expect(dropped).toBeGreaterThan(100); // the histories do end orders and prune them

  });
});
