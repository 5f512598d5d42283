// The scale benchmark's small version in `npm test`: 10 synthetic assets on the paper venue (a
// child process, `quoteflow sim --synthetic`), the service quoting all of them as a live client
// (another child, `quoteflow run --venue hyperliquid --api-url`), 20 s measured — the budget
// invariants of the 100-asset run hold, read from the venue's own account (GET /usage). Plus the
// pieces the benchmark stands on: the venue's per-IP WebSocket accounting and its caps, distinct
// synthetic prices per name, and the Prometheus reader.
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { SimAddressBudget, SimIpWeightWindow, startPaperServer, syntheticAssetFor, type PaperServer } from "../../sim/index.js";
import { syntheticOnly } from "../../app/run.js";
import { SIM_WS_MAX_SUBSCRIPTIONS, SIM_WS_MAX_USERS, type SimUsageReport } from "../../sim/usage.js";
import { CURRENT, measureScale, scaleNames } from "../../proof/bench/scale/measure.js";
import { histogramQuantile, metricByLabel, metricSum } from "../../proof/bench/scale/prometheus.js";

const servers: PaperServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const s of servers.splice(0)) await s.close();
});

async function open(url: string): Promise<{ ws: WebSocket; frames: { channel: string; data?: unknown }[] }> {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const frames: { channel: string; data?: unknown }[] = [];
  ws.on("message", (d) => frames.push(JSON.parse(d.toString()) as { channel: string; data?: unknown }));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { ws, frames };
}

async function until(what: string, ok: () => boolean, ms = 5_000): Promise<void> {
  for (let t = 0; !ok(); t += 20) {
    if (t > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the paper venue's per-IP account (GET /usage)", () => {
  it("keeps what an IP was charged, refused and peaked at, and what an address was refused", () => {
    const w = new SimIpWeightWindow(10, 1000);
    expect([w.tryConsume(0, 6), w.tryConsume(100, 4), w.tryConsume(200, 3), w.tryConsume(1000, 3), w.tryConsume(1100, 5), w.tryConsume(1150, 3)]).toEqual([true, true, false, true, true, false]);
    expect(w).toMatchObject({ charged: 18, refused: 2, refusedWeight: 6, peak: 10 });
    expect(w.used(1150)).toBe(8);
    const b = new SimAddressBudget(2);
    expect([b.check(0, 2, false).ok, b.check(1, 1, false).ok, b.check(2, 1, false).ok]).toEqual([true, false, false]);
    expect(b.refused).toBe(2);
  });

  it("counts WS frames and posts per IP, refuses the 11th user and reports what it charged", async () => {
    const s = await startPaperServer({ market: syntheticOnly(["S001"], 1).market, seed: 1, faults: "none", port: 0 });
    servers.push(s);
    const { ws, frames } = await open(s.wsUrl);
    const user = (i: number) => "0x" + i.toString(16).padStart(40, "0");
    for (let i = 1; i <= SIM_WS_MAX_USERS + 1; i++) ws.send(JSON.stringify({ method: "subscribe", subscription: { type: "orderUpdates", user: user(i) } }));
    ws.send(JSON.stringify({ method: "post", id: 1, request: { type: "info", payload: { type: "allMids" } } }));
    await until("the post's answer", () => frames.some((f) => f.channel === "post"));
    const errors = frames.filter((f) => f.channel === "error").map((f) => String(f.data));
    expect(errors).toEqual([`Cannot track more than ${SIM_WS_MAX_USERS} total users. {"type":"orderUpdates","user":"${user(SIM_WS_MAX_USERS + 1)}"}`]);
    const u = (await (await fetch(`${s.url}/usage`)).json()) as SimUsageReport;
    expect(u.ips).toHaveLength(1);
    expect(u.ips[0]!.ws).toMatchObject({ messages: SIM_WS_MAX_USERS + 2, posts: 1, subscriptions: SIM_WS_MAX_USERS, refusedSubscriptions: 1, users: SIM_WS_MAX_USERS, lastMinute: SIM_WS_MAX_USERS + 2, overLimit: 0 });
    // a WS post info request is charged IP weight like HTTP (allMids: 2)
    expect(u.ips[0]!.weight).toMatchObject({ charged: 2, lastMinute: 2, peakMinute: 2, refused: 0, refusedWeight: 0, limit: 1200 });
    // unsubscribing and closing give the slots back
    ws.send(JSON.stringify({ method: "unsubscribe", subscription: { type: "orderUpdates", user: user(1) } }));
    await until("the unsubscribe ack", () => frames.filter((f) => f.channel === "subscriptionResponse").length === SIM_WS_MAX_USERS + 1);
    expect(s.usage().ips[0]!.ws).toMatchObject({ subscriptions: SIM_WS_MAX_USERS - 1, users: SIM_WS_MAX_USERS - 1 });
    ws.close();
    await until("the close", () => s.usage().ips[0]!.ws.subscriptions === 0);
    expect(s.usage().ips[0]!.ws.users).toBe(0);
  });

  it(`refuses a connection's subscription past ${SIM_WS_MAX_SUBSCRIPTIONS} per IP and keeps serving`, async () => {
    const names = scaleNames(SIM_WS_MAX_SUBSCRIPTIONS / 2 + 1);
    const s = await startPaperServer({ market: syntheticOnly(names, 1).market, seed: 1, faults: "none", port: 0 });
    servers.push(s);
    const { ws, frames } = await open(s.wsUrl);
    for (const coin of names) {
      ws.send(JSON.stringify({ method: "subscribe", subscription: { type: "l2Book", coin } }));
      ws.send(JSON.stringify({ method: "subscribe", subscription: { type: "trades", coin } }));
    }
    await until("every answer", () => frames.filter((f) => f.channel === "subscriptionResponse" || f.channel === "error").length === names.length * 2, 15_000);
    const errors = frames.filter((f) => f.channel === "error").map((f) => String(f.data));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^Cannot track more than 1000 subscriptions per IP\. \{"type":"l2Book","coin":"S501"\}/);
    expect(s.usage().ips[0]!.ws).toMatchObject({ subscriptions: SIM_WS_MAX_SUBSCRIPTIONS, refusedSubscriptions: 2 });
    ws.send(JSON.stringify({ method: "ping" }));
    await until("the pong", () => frames.some((f) => f.channel === "pong"));
  });
});

describe("synthetic markets for many names", () => {
  it("give each name its own start price, with size decimals that keep a $20 order expressible", () => {
    const specs = scaleNames(200).map((n) => syntheticAssetFor(n));
    expect(new Set(specs.map((s) => s.startPx)).size).toBeGreaterThan(195);
    for (const s of specs) {
      expect(s.startPx).toBeGreaterThanOrEqual(0.5);
      expect(s.startPx).toBeLessThan(5000);
      const coins = Math.floor((20 / s.startPx) * 10 ** s.szDecimals) / 10 ** s.szDecimals;
      expect(coins * s.startPx).toBeGreaterThan(10);
    }
    expect(syntheticAssetFor("BTC")).toEqual({ name: "BTC", startPx: 100_000, szDecimals: 5 });
    expect(syntheticAssetFor("S042")).toEqual(syntheticAssetFor("S042"));
  });
});

describe("the benchmark's Prometheus reader", () => {
  const before = ['# HELP x_bucket', 'lat_bucket{asset="A",le="0.001"} 1', 'lat_bucket{asset="A",le="0.01"} 1', 'lat_bucket{asset="A",le="+Inf"} 1', "lat_count 1"].join("\n");
  const after = [
    'lat_bucket{asset="A",le="0.001"} 50',
    'lat_bucket{asset="B",le="0.001"} 48',
    'lat_bucket{asset="A",le="0.01"} 51',
    'lat_bucket{asset="B",le="0.01"} 50',
    'lat_bucket{asset="A",le="+Inf"} 51',
    'lat_bucket{asset="B",le="+Inf"} 50',
    'lat_count{asset="A"} 51',
    'lat_count{asset="B"} 50',
    'w_total{purpose="actions"} 7',
    'w_total{purpose="account"} 3',
    'w_total{purpose="actions",x="y"} 1',
  ].join("\n");
  it("sums series, groups them by a label and reads a histogram quantile between two scrapes", () => {
    expect(metricSum(after, "w_total")).toBe(11);
    expect(metricByLabel(after, "w_total", "purpose")).toEqual({ actions: 8, account: 3 });
    // 100 observations between the scrapes, 97 of them ≤ 1 ms
    expect(histogramQuantile(before, after, "lat", 0.9)).toBe(0.001);
    expect(histogramQuantile(before, after, "lat", 0.99)).toBe(0.01);
    expect(histogramQuantile(after, after, "lat", 0.99)).toBeNaN();
  });
});

describe("npm run bench -- scale, small: 10 assets from one IP as a live client", () => {
  it("stays inside Hyperliquid's per-IP budgets with every asset resting and no rate-limited answer", { timeout: 180_000 }, async () => {
    const f = await measureScale(10, 20, CURRENT, 5);
    // the venue's account of the one IP: weight (HTTP + WS posts) and WS frames, scaled to a minute
    expect(f.weightPerMin).toBeGreaterThan(0);
    expect(f.weightPerMin).toBeLessThanOrEqual(1200);
    expect(f.weightPeakMinute).toBeLessThanOrEqual(1200);
    expect(f.weightRefusedPerMin).toBe(0);
    expect(f.wsPerMin).toBeLessThanOrEqual(2000);
    expect(f.wsPeakMinute).toBeLessThanOrEqual(2000);
    expect(f.rateLimited).toBe(0);
    expect(f.subscriptions).toBeLessThanOrEqual(SIM_WS_MAX_SUBSCRIPTIONS);
    expect(f.restingMin).toBe(10);
    expect(f.restingEnd).toBe(10);
    // the client's own view agrees that actions went out and were charged
    expect(f.weightByPurpose["actions"] ?? 0).toBeGreaterThan(0);
    expect(f.cpuCore).toBeGreaterThan(0);
  });
});
