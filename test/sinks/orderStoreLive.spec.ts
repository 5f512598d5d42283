// OrderStore keeps its live (not terminal) records apart so the open-order scans skip the terminal
// ones it retains. Property: on random histories over two assets — placements, acks, cancels,
// fills, updates, status answers that end an order as "inferred" gone and `open` updates that
// revive it, sweeps and prunes — every live view equals the full scan it replaced, in its order.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isTerminalOrderState } from "../../streams/execution.js";
import { OrderStore } from "../../sinks/orderStore.js";
import { applyStoreMove, cloidOf, type StoreMove } from "./helpers.js";

type OpName = StoreMove | "unknown" | "sweep" | "prune";
interface Op {
  readonly op: OpName;
  readonly n: number;
  readonly dt: number;
}

const op: fc.Arbitrary<Op> = fc.record({
  op: fc.constantFrom<OpName>("place", "place", "ack", "cancel", "cancelled", "raced", "fill", "open", "open", "canceledUpdate", "unknown", "unknown", "sweep", "prune"),
  n: fc.integer({ min: 1, max: 6 }),
  dt: fc.integer({ min: 0, max: 400 }),
});

const assetOf = (n: number): string => (n % 2 === 0 ? "ETH" : "BTC");
const live = (s: OrderStore, asset?: string) => [...s.all()].filter((r) => !isTerminalOrderState(r.state) && (asset === undefined || r.asset === asset)).map((r) => r.cloid);

describe("OrderStore's live records ≡ the full scan", () => {
  it("open(), open(asset), live() and restingOrders() list what a scan of every record would, in its order", () => {
    let revived = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 80 }), (ops) => {
        const s = new OrderStore({ retentionMs: 1000, staleAfterMs: 500 });
        let now = 0;
        for (const o of ops) {
          now += o.dt;
          const c = cloidOf(o.n);
          const before = s.get(c)?.state;
          switch (o.op) {
            case "unknown":
              if (s.get(c)) s.applyStatusAnswer(c, { kind: "unknownOid" }, now);
              break;
            case "sweep":
              s.sweepStale(now);
              break;
            case "prune":
              s.prune(now);
              break;
            default:
              applyStoreMove(s, o.op, o.n, now, { asset: assetOf(o.n), fillSize: 0.5 });
          }
          const after = s.get(c)?.state;
          if (before !== undefined && after !== undefined && isTerminalOrderState(before) && !isTerminalOrderState(after)) revived++;
          expect([...s.live()].map((r) => r.cloid)).toStrictEqual(live(s));
          expect(s.open().map((r) => r.cloid)).toStrictEqual(live(s));
          for (const a of ["BTC", "ETH"]) {
            expect(s.open(a).map((r) => r.cloid)).toStrictEqual(live(s, a));
            expect(s.restingOrders(a).map((r) => r.cloid)).toStrictEqual(
              [...s.all()].filter((r) => r.asset === a && (r.state === "resting" || r.state === "partially-filled")).map((r) => r.cloid),
            );
          }
        }
      }),
      { numRuns: 1500, seed: 7 },
    );
    // the histories do revive orders (the one move back out of a terminal state)
    expect(revived).toBeGreaterThan(20);
  });
});
