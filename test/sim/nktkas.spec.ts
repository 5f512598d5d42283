// A third-party client pointed at `npm run sim` as a user points their bot: the real CLI
// (`tsx app/cli.ts sim`) in a child process on an ephemeral loopback port, driven with
// @nktkas/hyperliquid (its HTTP and WebSocket transports, InfoClient, ExchangeClient,
// SubscriptionClient) through the flows a market maker runs — metadata, book and trades,
// balance and positions, ALO place / cancel / cancel again / cloid / modify / batch / cancel all,
// an IOC fill, scheduleCancel, every WS subscription, and the agent flow (master approves, the
// agent trades for the master).
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { WebSocket as WsWebSocket } from "ws";
import { ExchangeClient, HttpTransport, InfoClient, SubscriptionClient, WebSocketTransport } from "@nktkas/hyperliquid";

// test-only keys (not secrets)
const master = new Wallet("0x" + "5a".repeat(32));
const agent = new Wallet("0x" + "6b".repeat(32));
const builder = new Wallet("0x" + "7c".repeat(32)).address;

let child: ChildProcess | undefined;
let url = "";
let wsUrl = "";
let ws: WebSocketTransport | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  child = spawn(process.execPath, ["--import", "tsx", "app/cli.ts", "sim", "--port", "0", "--synthetic", "BTC", "--faults", "none", "--seed", "3"], { stdio: ["ignore", "pipe", "pipe"] });
  const lines = createInterface({ input: child.stdout! });
  url = await new Promise<string>((resolve, reject) => {
    child!.once("exit", (code) => reject(new Error(`sim exited with ${code}`)));
    lines.once("line", (l) => resolve(l.trim()));
  });
  wsUrl = url.replace(/^http/, "ws") + "/ws";
}, 60_000);

afterAll(async () => {
  await ws?.close().catch(() => undefined);
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM"); // the sim we started, by its handle
    await exited;
  }
});

describe("@nktkas/hyperliquid against npm run sim", () => {
  it("loads metadata, book, trades, candles, funding and account state in the venue's shapes", async () => {
    const info = new InfoClient({ transport: new HttpTransport({ apiUrl: url, isTestnet: true }) });
    const meta = await info.meta();
    expect(meta.universe[0]).toMatchObject({ name: "BTC", szDecimals: 5, maxLeverage: 50, marginTableId: 50 });
    const [meta2, ctxs] = await info.metaAndAssetCtxs();
    expect(meta2.universe.length).toBe(ctxs.length);
    const btc = await until("a BTC book", async () => ((await info.l2Book({ coin: "BTC" }))?.levels[0].length ? info.l2Book({ coin: "BTC" }) : undefined));
    expect(Number(btc!.levels[0][0]!.px)).toBeLessThan(Number(btc!.levels[1][0]!.px));
    const ctx = (await info.metaAndAssetCtxs())[1][0]!;
    expect(ctx).toMatchObject({ funding: "0.0000125", premium: "0.0" });
    expect(Number(ctx.markPx)).toBeGreaterThan(0);
    // nSigFigs 2: every price has at most 2 significant figures
    const coarse = await info.l2Book({ coin: "BTC", nSigFigs: 2 });
    expect(coarse!.levels[0].length).toBeGreaterThan(0);
    for (const l of [...coarse!.levels[0], ...coarse!.levels[1]]) expect(Number(Number(l.px).toPrecision(2))).toBe(Number(l.px));
    expect(await info.spotMeta()).toMatchObject({ universe: [], tokens: [{ name: "USDC", index: 0 }] });
    expect((await info.spotMetaAndAssetCtxs())[1]).toEqual([]);
    expect(await info.perpDexs()).toEqual([null]);
    expect(Number((await info.allMids())["BTC"])).toBeGreaterThan(0);
    const trades = await until("recent trades", async () => {
      const t = await info.recentTrades({ coin: "BTC" });
      return t.length > 0 ? t : undefined;
    });
    expect(trades[0]).toMatchObject({ coin: "BTC", users: expect.any(Array) });
    const candles = await info.candleSnapshot({ coin: "BTC", interval: "1m", startTime: Date.now() - 3_600_000 });
    expect(candles.length).toBeGreaterThan(0);
    expect(candles.at(-1)).toMatchObject({ s: "BTC", i: "1m", n: expect.any(Number) });
    // one entry per hour boundary the venue has passed (usually none in a short run)
    for (const f of await info.fundingHistory({ coin: "BTC", startTime: 0 })) expect(f).toMatchObject({ coin: "BTC", fundingRate: "0.0000125", premium: "0.0" });
    expect((await info.predictedFundings())[0]).toMatchObject(["BTC", [["HlPerp", { fundingRate: "0.0000125", fundingIntervalHours: 1 }]]]);
    // a checksummed address is an address
    const state = await info.clearinghouseState({ user: master.address as `0x${string}` });
    expect(state).toMatchObject({ marginSummary: { accountValue: "100000" }, assetPositions: [] });
    expect(await info.spotClearinghouseState({ user: master.address as `0x${string}` })).toEqual({ balances: [] });
    expect(await info.userFees({ user: master.address as `0x${string}` })).toMatchObject({ userAddRate: "0.00015", userCrossRate: "0.00045" });
    expect(await info.userAbstraction({ user: master.address as `0x${string}` })).toBe("default");
    expect(await info.userRateLimit({ user: master.address as `0x${string}` })).toMatchObject({ nRequestsUsed: 0, nRequestsCap: 10_000 });
    // an info type the venue does not serve: HTTP 422, as the real one answers
    const bad = await fetch(`${url}/info`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ type: "noSuchType" }) });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/^Failed to deserialize the JSON body into the target type/);
  }, 60_000);

  it("master approves an agent; the agent trades for the master: ALO place, cancel, cancel again, cloid, modify, batch, cancel all, IOC, scheduleCancel", async () => {
    const http = new HttpTransport({ apiUrl: url, isTestnet: true });
    const info = new InfoClient({ transport: http });
    const boss = new ExchangeClient({ transport: http, wallet: master });
    const bot = new ExchangeClient({ transport: http, wallet: agent });
    const user = master.address.toLowerCase() as `0x${string}`;

    expect(await boss.approveAgent({ agentAddress: agent.address as `0x${string}`, agentName: "mm" })).toEqual({ status: "ok", response: { type: "default" } });
    expect(await info.extraAgents({ user })).toMatchObject([{ address: agent.address.toLowerCase(), name: "mm" }]);
    expect(await info.userRole({ user: agent.address as `0x${string}` })).toEqual({ role: "agent", data: { user } });
    // valid actions the venue accepts without modelling them: HTTP 200 JSON
    expect(await boss.approveBuilderFee({ maxFeeRate: "0.1%", builder: builder as `0x${string}` })).toEqual({ status: "ok", response: { type: "default" } });
    expect(await info.maxBuilderFee({ user, builder: builder as `0x${string}` })).toBe(100);
    expect(await boss.setReferrer({ code: "QUOTEFLOW" })).toEqual({ status: "ok", response: { type: "default" } });
    expect(await bot.updateLeverage({ asset: 0, isCross: true, leverage: 5 })).toEqual({ status: "ok", response: { type: "default" } });

    const book = (await info.l2Book({ coin: "BTC" }))!;
    const bid = Number(book.levels[0][0]!.px);
    const ask = Number(book.levels[1][0]!.px);
    const below = (k: number) => String(Math.floor(bid * (1 - k / 100)));
    const alo = (px: string, c?: `0x${string}`) => ({ a: 0, b: true, p: px, s: "0.001", r: false, t: { limit: { tif: "Alo" as const } }, ...(c ? { c } : {}) });

    // ALO place → resting, on the master's book, with tif and cloid in frontendOpenOrders
    const placed = await bot.order({ orders: [alo(below(1), "0x00000000000000000000000000000001")], grouping: "na" });
    const oid = (placed.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    expect(await info.frontendOpenOrders({ user })).toMatchObject([{ oid, tif: "Alo", cloid: "0x00000000000000000000000000000001", reduceOnly: false, orderType: "Limit" }]);
    expect(await info.openOrders({ user: agent.address as `0x${string}` })).toEqual([]); // the agent holds nothing
    // cancel, then cancel again → the venue's text
    expect(await bot.cancel({ cancels: [{ a: 0, o: oid }] })).toMatchObject({ response: { data: { statuses: ["success"] } } });
    await expect(bot.cancel({ cancels: [{ a: 0, o: oid }] })).rejects.toThrow("Order was never placed, already canceled, or filled. asset=0");
    // by cloid
    await bot.order({ orders: [alo(below(2), "0x00000000000000000000000000000002")], grouping: "na" });
    expect(await bot.cancelByCloid({ cancels: [{ asset: 0, cloid: "0x00000000000000000000000000000002" }] })).toMatchObject({ response: { data: { statuses: ["success"] } } });
    // modify: cancel-replace, same cloid, new oid
    const m = await bot.order({ orders: [alo(below(3), "0x00000000000000000000000000000003")], grouping: "na" });
    const moid = (m.response.data.statuses[0] as { resting: { oid: number } }).resting.oid;
    expect(await bot.modify({ oid: moid, order: alo(below(4), "0x00000000000000000000000000000003") })).toEqual({ status: "ok", response: { type: "default" } });
    const afterModify = await info.frontendOpenOrders({ user });
    expect(afterModify).toMatchObject([{ cloid: "0x00000000000000000000000000000003", limitPx: below(4) }]);
    expect(afterModify[0]!.oid).not.toBe(moid);
    expect(await info.orderStatus({ user, oid: moid })).toMatchObject({ status: "order", order: { status: "canceled" } });
    // batch of two, then cancel all
    const batch = await bot.order({ orders: [alo(below(5)), alo(below(6))], grouping: "na" });
    expect(batch.response.data.statuses).toHaveLength(2);
    const open = await info.frontendOpenOrders({ user });
    expect(open).toHaveLength(3);
    expect(await bot.cancel({ cancels: open.map((o) => ({ a: 0, o: o.oid })) })).toMatchObject({ response: { data: { statuses: ["success", "success", "success"] } } });
    expect(await info.frontendOpenOrders({ user })).toEqual([]);

    // IOC through the ask: filled; fills and position agree on the master
    const ioc = await bot.order({ orders: [{ a: 0, b: true, p: String(Math.ceil(ask * 1.01)), s: "0.002", r: false, t: { limit: { tif: "Ioc" } } }], grouping: "na" });
    const filled = (ioc.response.data.statuses[0] as { filled: { totalSz: string; avgPx: string } }).filled;
    expect(filled.totalSz).toBe("0.002");
    const fills = await info.userFills({ user });
    expect(fills.reduce((s, f) => s + Number(f.sz), 0)).toBeCloseTo(0.002, 10);
    expect(fills.every((f) => f.crossed && f.side === "B")).toBe(true);
    const ch = await info.clearinghouseState({ user });
    expect(ch.assetPositions).toMatchObject([{ position: { coin: "BTC", szi: "0.002", leverage: { type: "cross", value: 5 } } }]);
    expect(Number(ch.assetPositions[0]!.position.liquidationPx)).toBeLessThan(bid);
    expect(Number(ch.assetPositions[0]!.position.marginUsed)).toBeCloseTo(Number(ch.assetPositions[0]!.position.positionValue) / 5, 4);

    // scheduleCancel: armed 10 s ahead, then removed; too early is refused
    expect(await bot.scheduleCancel({ time: Date.now() + 10_000 })).toEqual({ status: "ok", response: { type: "default" } });
    expect(await bot.scheduleCancel()).toEqual({ status: "ok", response: { type: "default" } });
    await expect(bot.scheduleCancel({ time: Date.now() + 1_000 })).rejects.toThrow("at least 5 seconds");
    expect(await bot.noop()).toEqual({ status: "ok", response: { type: "default" } });
  }, 60_000);

  it("serves every subscription a market maker uses, with full-state re-pushes and nSigFigs as part of the identity", async () => {
    ws = new WebSocketTransport({ url: wsUrl, isTestnet: true, reconnect: { WebSocket: WsWebSocket as unknown as typeof WebSocket } });
    const subs = new SubscriptionClient({ transport: ws });
    const http = new HttpTransport({ apiUrl: url, isTestnet: true });
    const bot = new ExchangeClient({ transport: http, wallet: agent });
    const user = master.address.toLowerCase() as `0x${string}`;
    const seen = new Map<string, unknown[]>();
    const on = (name: string) => (data: unknown) => {
      const list = seen.get(name) ?? [];
      list.push(data);
      seen.set(name, list);
    };
    await subs.l2Book({ coin: "BTC" }, on("l2Book"));
    await subs.l2Book({ coin: "BTC", nSigFigs: 3 }, on("l2Book3")); // another subscription, not "Already subscribed"
    await subs.trades({ coin: "BTC" }, on("trades"));
    await subs.bbo({ coin: "BTC" }, on("bbo"));
    await subs.allMids(on("allMids"));
    await subs.candle({ coin: "BTC", interval: "1m" }, on("candle"));
    await subs.activeAssetCtx({ coin: "BTC" }, on("activeAssetCtx"));
    await subs.activeAssetData({ user, coin: "BTC" }, on("activeAssetData"));
    await subs.orderUpdates({ user }, on("orderUpdates"));
    await subs.userFills({ user }, on("userFills"));
    await subs.userEvents({ user }, on("userEvents"));
    await subs.userFundings({ user }, on("userFundings"));
    await subs.clearinghouseState({ user }, on("clearinghouseState"));
    await subs.openOrders({ user }, on("openOrders"));
    await subs.webData3({ user }, on("webData3"));
    await subs.spotState({ user }, on("spotState"));
    await subs.notification({ user }, on("notification"));
    // activity so the event channels have something to say
    const book = await until("book frame", () => seen.get("l2Book")?.at(-1) as { levels: [{ px: string }[], { px: string }[]] } | undefined);
    const ask = Number(book.levels[1][0]!.px);
    await bot.order({ orders: [{ a: 0, b: true, p: String(Math.ceil(ask * 1.01)), s: "0.001", r: false, t: { limit: { tif: "Ioc" } } }], grouping: "na" });
    for (const name of ["l2Book", "l2Book3", "trades", "bbo", "allMids", "candle", "activeAssetCtx", "activeAssetData", "orderUpdates", "userFills", "userEvents", "userFundings", "clearinghouseState", "openOrders", "webData3", "spotState"]) {
      await until(`a ${name} event`, () => (seen.get(name)?.length ? true : undefined));
    }
    const coarse = seen.get("l2Book3")!.at(-1) as { levels: [{ px: string }[], { px: string }[]] };
    for (const l of [...coarse.levels[0], ...coarse.levels[1]]) expect(Number(Number(l.px).toPrecision(3))).toBe(Number(l.px));
    expect(seen.get("clearinghouseState")![0]).toMatchObject({ dex: "", user, clearinghouseState: { marginSummary: expect.any(Object) } });
    expect(seen.get("openOrders")![0]).toMatchObject({ dex: "", user, orders: expect.any(Array) });
    expect(seen.get("userFundings")![0]).toMatchObject({ isSnapshot: true, user });
    expect(seen.get("webData3")![0]).toMatchObject({ userState: { user, agentAddress: null } });
    // the full-state channels are pushed again (~4.5 s), with no trigger
    await until("a re-pushed clearinghouseState", () => ((seen.get("clearinghouseState")?.length ?? 0) >= 2 ? true : undefined), 10_000);
    await until("a re-pushed openOrders", () => ((seen.get("openOrders")?.length ?? 0) >= 2 ? true : undefined), 10_000);
    const last = seen.get("clearinghouseState")!.at(-1) as { clearinghouseState: { assetPositions: { position: { szi: string } }[] } };
    expect(Number(last.clearinghouseState.assetPositions[0]!.position.szi)).toBeCloseTo(0.003, 10);
  }, 60_000);
});
