// The hot series (app/metricCells.ts) against prom-client's own inc/observe: after any sequence
// of increments and observations, with scrapes anywhere between them, /metrics says the same.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Counter, Histogram, Registry } from "prom-client";
import { HOT_HISTOGRAM_MAX_PENDING, HotCounter, HotHistogram } from "../../app/metricCells.js";
import { createMetrics } from "../../app/metrics.js";

type Op = { kind: "inc"; asset: string; action: string; n: number } | { kind: "observe"; asset: string; v: number } | { kind: "scrape" };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("inc" as const), asset: fc.constantFrom("BTC", "ETH", "xyz:XYZ100"), action: fc.constantFrom("placed", "cancelled"), n: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 50 })) }),
  fc.record({ kind: fc.constant("observe" as const), asset: fc.constantFrom("BTC", "ETH"), v: fc.double({ min: 0, max: 100, noNaN: true }) }),
  fc.constant({ kind: "scrape" as const }),
);

function pair(): { hot: Registry; plain: Registry; apply: (o: Op) => Promise<void> } {
  const hot = new Registry();
  const plain = new Registry();
  const cells = new HotCounter<"asset" | "action">(["asset", "action"]);
  const hist = new HotHistogram<"asset">(["asset"]);
  cells.attach(new Counter({ name: "c_total", help: "c", labelNames: ["asset", "action"], registers: [hot], collect: () => cells.fold() }));
  hist.attach(new Histogram({ name: "h", help: "h", labelNames: ["asset"], buckets: [0.5, 5, 50], registers: [hot], collect: () => hist.fold() }));
  const c = new Counter({ name: "c_total", help: "c", labelNames: ["asset", "action"], registers: [plain] });
  const h = new Histogram({ name: "h", help: "h", labelNames: ["asset"], buckets: [0.5, 5, 50], registers: [plain] });
  return {
    hot,
    plain,
    apply: async (o) => {
      if (o.kind === "inc") {
        cells.add(o.n, o.asset, o.action);
        c.inc({ asset: o.asset, action: o.action }, o.n);
      } else if (o.kind === "observe") {
        hist.observe(o.v, o.asset);
        h.observe({ asset: o.asset }, o.v);
      } else await hot.metrics();
    },
  };
}

describe("hot metric series", () => {
  it("scrape the same text as prom-client's own inc and observe, whenever the scrapes come", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const p = pair();
        for (const o of ops) await p.apply(o);
        expect(await p.hot.metrics()).toBe(await p.plain.metrics());
        // a second scrape folds nothing twice
        expect(await p.hot.metrics()).toBe(await p.plain.metrics());
      }),
      { numRuns: 200 },
    );
  });

  it("refuse a negative or non-finite increment at the call, naming the metric, and change nothing", async () => {
    const reg = new Registry();
    const cells = new HotCounter<"purpose">(["purpose"]);
    cells.attach(new Counter({ name: "w_total", help: "w", labelNames: ["purpose"], registers: [reg], collect: () => cells.fold() }));
    cells.add(3, "actions");
    expect(() => cells.add(-1, "actions")).toThrow(/w_total: expected a finite increment ≥ 0, got -1/);
    expect(() => cells.add(Number.NaN, "actions")).toThrow(/got NaN/);
    expect(() => cells.add(Infinity, "actions")).toThrow(/got Infinity/);
    expect(await reg.metrics()).toContain('w_total{purpose="actions"} 3');
    const hist = new HotHistogram<"asset">(["asset"]);
    hist.attach(new Histogram({ name: "t", help: "t", labelNames: ["asset"], registers: [reg], collect: () => hist.fold() }));
    expect(() => hist.observe(Number.NaN, "BTC")).toThrow(/histogram t: expected a finite value, got NaN/);
    expect(await reg.metrics()).not.toContain('t_count{asset="BTC"}');
  });

  it("hold back at most HOT_HISTOGRAM_MAX_PENDING observations when nobody scrapes", async () => {
    const reg = new Registry();
    const hist = new HotHistogram<"asset">(["asset"]);
    const h = hist.attach(new Histogram({ name: "t2", help: "t", labelNames: ["asset"], buckets: [1], registers: [reg] }));
    for (let i = 0; i < HOT_HISTOGRAM_MAX_PENDING; i++) hist.observe(0.5, "BTC");
    // no collect hook on this one: what prom-client holds is what was folded on the cap
    const counted = (await h.get()).values.find((v) => v.metricName === "t2_count")?.value;
    expect(counted).toBe(HOT_HISTOGRAM_MAX_PENDING);
  });

  it("serve the service's hot counters on its registry beside the ones counted directly", async () => {
    const m = createMetrics({ collectDefaults: false });
    m.orders.inc({ asset: "BTC", action: "placed" }, 2);
    m.hot.orders.add(3, "BTC", "placed");
    m.hot.ipWeight.add(5, "actions");
    m.hot.fills.add(1, "ETH", "maker", "none");
    m.hot.tickToAction.observe(0.0003, "BTC");
    const text = await m.registry.metrics();
    expect(text).toContain('quoteflow_orders_total{asset="BTC",action="placed"} 5');
    expect(text).toContain('quoteflow_ip_weight_total{purpose="actions"} 5');
    expect(text).toContain('quoteflow_fills_total{asset="ETH",source="maker",flag="none"} 1');
    expect(text).toContain('quoteflow_tick_to_action_seconds_bucket{le="0.0005",asset="BTC"} 1');
  });
});
