// reserveRequestWeight over loopback: the live client (HyperliquidVenue) against the paper server
// `npm run sim` starts (startPaperServer, 127.0.0.1, ephemeral port). The signed action is
// accepted, the account is debited 0.0005 USDC a request from what it could withdraw and credited
// the requests (userRateLimit's nRequestsSurplus); a purchase the balance cannot pay is refused
// with the venue's text and changes nothing; and the execution sink, started with its address
// budget nearly spent and `reserve` on, buys by itself and its breaker closes. Last, the same
// against `npm run sim` itself (the CLI in a child process on an ephemeral loopback port).
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { NEVER, asyncScheduler, filter, firstValueFrom, timeout, type Subscription } from "rxjs";
import { QuotaThrottleHandle } from "../../../operators/quotaThrottle.js";
import { HyperliquidVenue } from "../../../sources/hyperliquid/index.js";
import { startPaperServer, syntheticMarket, type PaperServer } from "../../../sim/index.js";
import { SIM_RESERVE_FUNDS_TEXT } from "../../../sim/reserveWeight.js";
import { ExecutionSink, type SinkEvent } from "../../../sinks/executionSink.js";
import { throttleOn } from "../../sinks/sinkHarness.js";
import { order } from "../../sim/helpers.js";

const KEY = "0x" + "56".repeat(32); // test-only key
const ADDR = new Wallet(KEY).address.toLowerCase();

let server: PaperServer | undefined;
let child: ChildProcess | undefined;
const venues: HyperliquidVenue[] = [];
const subs: Subscription[] = [];
afterEach(async () => {
  for (const s of subs.splice(0)) s.unsubscribe();
  for (const v of venues.splice(0)) await v.close();
  await server?.close();
  server = undefined;
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM"); // the sim this spec started, by its handle
    await exited;
  }
  child = undefined;
});

async function setup(): Promise<HyperliquidVenue> {
  const market = syntheticMarket({ assets: [{ name: "BTC", startPx: 100_000 }], seed: 3, bookIntervalMs: 200, uninformedPerSec: 0, informedPerSec: 0 });
  server = await startPaperServer({ market, seed: 3, faults: "none", statePushMs: 300, fund: { [ADDR]: 1000 } });
  const venue = new HyperliquidVenue({ baseUrl: server.url, wallet: KEY, userAddress: ADDR });
  venues.push(venue);
  return venue;
}

describe("reserveRequestWeight: live client against the paper server (loopback)", () => {
  it("buys: debited 0.0005 USDC a request from withdrawable, credited in userRateLimit; refused with the venue's text when the balance cannot pay", async () => {
    const venue = await setup();
    const before = await firstValueFrom(venue.rateLimit().pipe(timeout(10_000)));
    const acct = server!.exchange.account(ADDR);
    const balance0 = acct.balance;
    const ok = await firstValueFrom(venue.submit({ type: "reserveRequestWeight", weight: 1000 }).pipe(timeout(10_000)));
    expect(ok).toEqual({ ok: true, type: "reserveRequestWeight" });
    const after = await firstValueFrom(venue.rateLimit().pipe(timeout(10_000)));
    // DOC-INFO: surplus = max(0, reserved − used): the purchase itself was one request
    expect(after.nRequestsSurplus).toBe(1000 - (before.nRequestsUsed + 1));
    expect(after.nRequestsCap).toBe(before.nRequestsCap);
    expect(balance0 - acct.balance).toBeCloseTo(0.5, 9);
    const snap = await firstValueFrom(venue.account().pipe(timeout(10_000)));
    expect(snap.withdrawable).toBeCloseTo(1000 - 0.5, 6);
    expect(snap.accountValue).toBeCloseTo(1000 - 0.5, 6);
    // 10,000,000 requests = 5000 USDC > the 999.5 the account could withdraw
    const refused = await firstValueFrom(venue.submit({ type: "reserveRequestWeight", weight: 10_000_000 }).pipe(timeout(10_000)));
    expect(refused).toMatchObject({ ok: false, error: SIM_RESERVE_FUNDS_TEXT, rateLimited: false });
    expect(acct.budget.reserved).toBe(1000);
    expect(balance0 - acct.balance).toBeCloseTo(0.5, 9);
  });

  it("the sink, its budget nearly spent and reserve on, buys by itself and its breaker closes", async () => {
    const venue = await setup();
    // 92% of the address budget spent before this session (headroom 0.08: the breaker opens at once)
    server!.exchange.account(ADDR).budget.charge(9200);
    const handle = new QuotaThrottleHandle();
    const sink = new ExecutionSink(
      venue,
      { cloidSeed: 9, deadMan: false, reserve: { usdPerDay: 0.5 }, executor: { throttle: throttleOn(handle, {}, asyncScheduler) } },
    );
    const events: SinkEvent[] = [];
    subs.push(sink.events$.subscribe((e) => events.push(e)));
    subs.push(sink.connect({ intents$: NEVER, fills$: NEVER, quotaState$: handle.state$ }));
    const bought = await firstValueFrom(sink.events$.pipe(filter((e): e is Extract<SinkEvent, { type: "reserve" }> => e.type === "reserve" && e.state !== "sent"), timeout(15_000)));
    expect(bought).toMatchObject({ type: "reserve", state: "bought", weight: 1000, usdToday: 0.5 });
    const acct = server!.exchange.account(ADDR);
    expect(acct.budget.reserved).toBe(1000);
    expect(acct.budget.reservePaidUsd).toBe(0.5);
    // the throttle's cap grew by 1000: 10,000 + 1000 − 9201 used → headroom 0.16 ≥ 0.15, the breaker closes
    await firstValueFrom(handle.state$.pipe(filter((s) => !s.breakerOpen), timeout(5000)));
    expect(handle.state.addressHeadroom).toBeCloseTo((11_000 - 9201) / 11_000, 2);
    expect(sink.metrics.reserveRequestsBought).toBe(1000);
    expect(events.filter((e) => e.type === "reserve" && e.state === "sent")).toHaveLength(1);
  });

  it("against `npm run sim` (the CLI, a child process): the live client buys, and a sink with reserve on buys by itself", async () => {
    child = spawn(process.execPath, ["--import", "tsx", "app/cli.ts", "sim", "--port", "0", "--synthetic", "BTC", "--faults", "none", "--seed", "3"], { stdio: ["ignore", "pipe", "pipe"] });
    const lines = createInterface({ input: child.stdout! });
    const url = await new Promise<string>((resolve, reject) => {
      child!.once("exit", (code) => reject(new Error(`sim exited with ${code}`)));
      lines.once("line", (l) => resolve(l.trim()));
    });
    const venue = new HyperliquidVenue({ baseUrl: url, wallet: KEY, userAddress: ADDR });
    venues.push(venue);
    const before = await firstValueFrom(venue.account().pipe(timeout(15_000)));
    // one address request spent (an order the venue rejects still counts): headroom 0.9999
    const rejected = await firstValueFrom(venue.submit({ type: "order", orders: [order(1, 0.001, true, "Alo", 1)] }).pipe(timeout(15_000)));
    expect(rejected).toMatchObject({ ok: true, statuses: [{ kind: "rejected", code: "MinTradeNtl" }] });
    // the sink: any headroom below 1 buys, within 0.5 USD a day
    const handle = new QuotaThrottleHandle();
    const sink = new ExecutionSink(venue, { cloidSeed: 10, deadMan: false, reserve: { usdPerDay: 0.5, belowHeadroom: 1 }, executor: { throttle: throttleOn(handle, {}, asyncScheduler) } });
    const seen: SinkEvent[] = [];
    subs.push(sink.events$.subscribe((e) => seen.push(e)));
    subs.push(sink.connect({ intents$: NEVER, fills$: NEVER, quotaState$: handle.state$ }));
    await firstValueFrom(sink.events$.pipe(filter((e) => e.type === "reserve" && e.state === "bought"), timeout(15_000)));
    // DOC-INFO: surplus = reserved − used (the order and the purchase)
    expect((await firstValueFrom(venue.rateLimit().pipe(timeout(15_000)))).nRequestsSurplus).toBe(1000 - 2);
    const mid = await firstValueFrom(venue.account().pipe(timeout(15_000)));
    expect(before.withdrawable! - mid.withdrawable!).toBeCloseTo(0.5, 6);
    expect(seen.filter((e) => e.type === "reserve" && e.state === "sent")).toHaveLength(1);
    // and the live client on its own
    expect(await firstValueFrom(venue.submit({ type: "reserveRequestWeight", weight: 1000 }).pipe(timeout(15_000)))).toEqual({ ok: true, type: "reserveRequestWeight" });
    expect((await firstValueFrom(venue.rateLimit().pipe(timeout(15_000)))).nRequestsSurplus).toBe(2000 - 3);
    const last = await firstValueFrom(venue.account().pipe(timeout(15_000)));
    expect(before.withdrawable! - last.withdrawable!).toBeCloseTo(1, 6);
  }, 60_000);
});
