// The latency bench's attribution of requests to the books that caused them (proof/bench/tickCause.ts):
// on or off the book's call stack, and whether the process was preempted while a book's own
// request was on its way out (the counter is read at the book's arrival and at the request).
import { describe, expect, it } from "vitest";
import { TickCause } from "../../proof/bench/tickCause.js";
import type { OrderStore } from "../../sinks/orderStore.js";

/** Just the four store calls TickCause wraps: every placement is accepted. */
function fakeStore(): OrderStore {
  const store = {
    registerPlacement: () => ({ ok: true }),
    requestModify: () => ({ ok: true }),
    requestCancel: () => true,
    byOid: () => undefined,
  };
  return store as unknown as OrderStore;
}

function place(store: OrderStore, cloid: string): void {
  store.registerPlacement({ cloid } as never, {} as never, 0);
}

describe("TickCause", () => {
  it("flags an on-stack sample when the switch counter moved between the book and its request, and only then", () => {
    let switches = 10;
    const cause = new TickCause({ switches: () => switches });
    const store = fakeStore();
    cause.watch(store);
    cause.tick(() => {
      place(store, "0xa");
      cause.sent(["0xa"]);
    });
    cause.tick(() => {
      place(store, "0xb");
      switches += 1; // preempted while this book was handled
      cause.sent(["0xb"]);
    });
    expect(cause.stackedSpans.map((s) => s.switched)).toEqual([false, true]);
    expect(cause.stacked).toEqual(cause.stackedSpans.map((s) => s.ms));
    expect(cause.counts()).toEqual({ total: 2, caused: 2, onStack: 2 });
  });

  it("keeps a request held past its book's stack out of the on-stack spans", () => {
    const cause = new TickCause({ switches: () => 0 });
    const store = fakeStore();
    cause.watch(store);
    cause.tick(() => place(store, "0xc"));
    cause.sent(["0xc"]); // the coalescer's window let it out later
    cause.sent(["0xunknown"]); // carries nothing a book caused: counted, not timed
    expect(cause.later).toHaveLength(1);
    expect(cause.stackedSpans).toHaveLength(0);
    expect(cause.counts()).toEqual({ total: 2, caused: 1, onStack: 0 });
  });

  it("flags nothing without a counter, and reset forgets the spans", () => {
    const cause = new TickCause();
    const store = fakeStore();
    cause.watch(store);
    cause.tick(() => {
      place(store, "0xd");
      cause.sent(["0xd"]);
    });
    expect(cause.stackedSpans).toEqual([expect.objectContaining({ switched: false })]);
    cause.reset();
    expect(cause.stackedSpans).toHaveLength(0);
    expect(cause.stacked).toHaveLength(0);
  });
});
