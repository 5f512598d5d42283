// The execution core without streams: step(state, input, now) → { state, commands, events }.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { initialSinkState, step } from "../../sinks/core.js";
import type { SinkState } from "../../sinks/core.js";
import type { SinkCommand, SinkInput } from "../../sinks/sinkTypes.js";
import type { ActionBatch } from "../../streams/actions.js";
import type { QuoteIntent } from "../../streams/intent.js";

const cfg = { cloidSeed: 3, deadMan: false as const };

function ladder(mid: number, asset = "BTC"): QuoteIntent {
  return {
    asset,
    time: 0,
    bids: [{ px: mid - 1, sz: 1, source: "base_ladder" }],
    asks: [{ px: mid + 1, sz: 1, source: "base_ladder" }],
  };
}

/** Fold inputs the way the shell does: each input, then a flush when something is dirty. */
function fold(s: SinkState, inputs: readonly SinkInput[], now = 0): { commands: SinkCommand[]; events: ReturnType<typeof step>["events"][number][] } {
  const commands: SinkCommand[] = [];
  const events: ReturnType<typeof step>["events"][number][] = [];
  for (const input of inputs) {
    for (const i of [input, ...(input.kind === "flush" ? [] : [{ kind: "flush" } as const])]) {
      const out = step(s, i, now);
      commands.push(...out.commands);
      events.push(...out.events);
    }
  }
  return { commands, events };
}

const batches = (cs: readonly SinkCommand[]): ActionBatch[] => cs.flatMap((c) => (c.kind === "submit" ? [c.batch] : []));

describe("step", () => {
  it("turns an intent into one placement batch, registered as pending-new", () => {
    const s = initialSinkState(cfg, 0);
    const { commands } = fold(s, [{ kind: "intent", intent: ladder(100) }]);
    const b = batches(commands);
    expect(b).toHaveLength(1);
    expect(b[0]!.type).toBe("order");
    expect(s.store.open("BTC").map((o) => o.state)).toEqual(["pending-new", "pending-new"]);
  });

  it("answers: the ack rests the orders; a fill moves the position and says so", () => {
    const s = initialSinkState(cfg, 0);
    const placed = batches(fold(s, [{ kind: "intent", intent: ladder(100) }]).commands)[0]!;
    if (placed.type !== "order") throw new Error("expected an order batch");
    const result = { ok: true as const, type: "order" as const, statuses: placed.orders.map((_, i) => ({ kind: "resting" as const, oid: 10 + i })) };
    fold(s, [{ kind: "executor", event: { kind: "result", batch: placed, result, time: 5, latencyMs: 5 } }], 5);
    expect(s.store.open("BTC").map((o) => o.state)).toEqual(["resting", "resting"]);
    const bid = placed.orders.find((o) => o.isBuy)!;
    const { events, commands } = fold(s, [{ kind: "fill", fill: { tid: 1, oid: 10, cloid: bid.cloid, asset: "BTC", isBuy: true, size: 0.5, price: bid.px, time: 6, fee: 0, crossed: false } }], 6);
    expect(events.map((e) => e.type)).toEqual(["markoutInput", "fill", "position"]);
    expect(events.find((e) => e.type === "position")).toMatchObject({ asset: "BTC", position: 0.5, cause: "fill" });
    expect(events.find((e) => e.type === "fill")).toMatchObject({ flag: "matched", positionAfter: 0.5, orderAgeMs: 6 });
    expect(commands).toContainEqual({ kind: "volume", usd: 0.5 * bid.px });
  });

  it("refuses a bad intent with a message and changes nothing", () => {
    const s = initialSinkState(cfg, 0);
    const crossed = { asset: "BTC", time: 0, bids: [{ px: 101, sz: 1, source: "base_ladder" }], asks: [{ px: 100, sz: 1, source: "base_ladder" }] } as QuoteIntent;
    const { commands, events } = fold(s, [{ kind: "intent", intent: crossed }]);
    expect(commands).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "badInput" });
    expect(s.store.size).toBe(0);
    expect(s.metrics.badIntents).toBe(1);
  });

  it("never sends a placement while the kill switch is active, whatever the intents (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 10, max: 1000, noNaN: true }), fc.constantFrom("BTC", "ETH")), { minLength: 1, maxLength: 30 }), (mids) => {
        const s = initialSinkState(cfg, 0);
        fold(s, [{ kind: "intent", intent: ladder(100) }, { kind: "kill", detail: "test" }]);
        const { commands } = fold(
          s,
          mids.map(([m, a]): SinkInput => ({ kind: "intent", intent: ladder(Math.round(m * 100) / 100, a) })),
          1,
        );
        expect(batches(commands).filter((b) => b.type === "order" || b.type === "batchModify")).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});
