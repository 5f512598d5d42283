// The live protocol client (sources/hyperliquid HyperliquidVenue) against the paper server on
// loopback: the same code that trades on Hyperliquid drives the simulated venue.
import { afterEach, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import { filter, firstValueFrom, timeout, type Subscription } from "rxjs";
import { HyperliquidVenue } from "../../sources/hyperliquid/index.js";
import { replayMarket, startPaperServer, syntheticMarket, type PaperServer } from "../../sim/index.js";
import type { OrderUpdate } from "../../streams/orders.js";
import type { VenueFill } from "../../streams/fill.js";
import { book, cloid, order, trade } from "./helpers.js";

const KEY_A = "0x" + "33".repeat(32); // test-only keys
const KEY_B = "0x" + "44".repeat(32);
const ADDR = new Wallet(KEY_A).address.toLowerCase();

let server: PaperServer | undefined;
const venues: HyperliquidVenue[] = [];
const subs: Subscription[] = [];
afterEach(async () => {
  for (const s of subs.splice(0)) s.unsubscribe();
  for (const v of venues.splice(0)) await v.close();
  await server?.close();
  server = undefined;
});

describe("HyperliquidVenue (the live client) against the paper server", () => {
  it("places an ALO that rests, is filled by replayed trades after its queue, cancels another, and sees position and rate limit", async () => {
    const t0 = 5_000_000;
    const books = [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000].map((t) => book(t0 + t, [[100000, 0.5], [99990, 1]], [[100001, 0.5]]));
    server = await startPaperServer({
      market: replayMarket({ books, trades: [trade(t0 + 4_000, "sell", 100000, 0.3), trade(t0 + 4_500, "sell", 100000, 0.3)] }, { inferTakers: false }),
      seed: 2,
      faults: "none",
    });
    const venue = new HyperliquidVenue({ baseUrl: server.url, wallet: KEY_A, userAddress: ADDR });
    venues.push(venue);
    expect(venue.isMainnet).toBe(false);
    const updates: OrderUpdate[] = [];
    const fills: VenueFill[] = [];
    subs.push(venue.orderUpdates$.subscribe((u) => updates.push(u)));
    subs.push(venue.fills$.subscribe((b) => (b.isSnapshot ? undefined : fills.push(...b.fills))));
    const first = await firstValueFrom(venue.account());
    expect(first).toMatchObject({ accountValue: 100_000, positions: [], openOrders: [] });
    await firstValueFrom(venue.connection$.pipe(filter((c) => c.status === "open"), timeout(10_000)));

    const placed = await firstValueFrom(venue.submit({ type: "order", orders: [order(100000, 0.001, true, "Alo", 1), order(99990, 0.001, true, "Alo", 2)] }));
    expect(placed.ok && placed.type === "order" && placed.statuses.map((s) => s.kind)).toEqual(["resting", "resting"]);
    const [oid1, oid2] = placed.ok && placed.type === "order" ? placed.statuses.map((s) => (s.kind === "resting" ? s.oid : -1)) : [];
    const resting = await firstValueFrom(venue.account());
    expect(resting.openOrders.map((o) => o.oid).sort()).toEqual([oid1, oid2].sort());
    // positions only (clearinghouseState alone): the open orders are left out, and say so
    const slim = await firstValueFrom(venue.account({ openOrders: false }));
    expect(slim).toMatchObject({ accountValue: resting.accountValue, positions: resting.positions, openOrders: [], openOrdersIncluded: false });

    const fill = await firstValueFrom(venue.fills$.pipe(filter((b) => !b.isSnapshot && b.fills.length > 0), timeout(15_000)));
    expect(fill.fills[0]).toMatchObject({ oid: oid1, asset: "BTC", isBuy: true, size: 0.001, price: 100000, crossed: false });

    const cancel = await firstValueFrom(venue.submit({ type: "cancel", cancels: [{ asset: "BTC", oid: oid2! }] }));
    expect(cancel).toEqual({ ok: true, type: "cancel", statuses: [{ kind: "Cancelled" }] });
    const late = await firstValueFrom(venue.submit({ type: "cancel", cancels: [{ asset: "BTC", oid: oid1! }] }));
    expect(late.ok && late.type === "cancel" && late.statuses[0]!.kind).toBe("AlreadyFilled");

    const after = await firstValueFrom(venue.account());
    expect(after.positions).toMatchObject([{ asset: "BTC", szi: 0.001, entryPx: 100000 }]);
    expect(after.openOrders).toEqual([]);
    // batch of 2 counts 2, then two single cancels; the cap grows by 1 per USDC traded (0.001 × 100000) (FACTS §9)
    expect(await firstValueFrom(venue.rateLimit())).toMatchObject({ cumVlm: 100, nRequestsUsed: 4, nRequestsCap: 10_100 });
    expect(updates.filter((u) => u.oid === oid1).map((u) => u.status)).toEqual(["open", "filled"]);
    expect(fills.map((f) => f.oid)).toEqual([oid1]);
    expect(await firstValueFrom(venue.orderStatus({ oid: oid2! }))).toMatchObject({ kind: "known", update: { status: "canceled" } });
  });

  it("a client signing with a key that is not the account's gets the does-not-exist error", async () => {
    // `announced`: the address the client names exists, the stray signer does not (faucet would fund it)
    server = await startPaperServer({ market: replayMarket({ books: [book(0, [[100000, 0.5]], [[100001, 0.5]])] }, { inferTakers: false }), seed: 2, faults: "none", accounts: "announced" });
    const owner = new HyperliquidVenue({ baseUrl: server.url, wallet: KEY_A, userAddress: ADDR });
    const wrong = new HyperliquidVenue({ baseUrl: server.url, wallet: KEY_B, userAddress: ADDR });
    venues.push(owner, wrong);
    await firstValueFrom(owner.account());
    const r = await firstValueFrom(wrong.submit({ type: "order", orders: [order(99000, 0.001, true, "Alo", 1)] }));
    expect(r).toMatchObject({ ok: false, error: `L1 error: User or API Wallet ${new Wallet(KEY_B).address.toLowerCase()} does not exist.` });
  });

  it("under the hostile profile the server stays up and /info agrees with the venue truth", async () => {
    const market = syntheticMarket({ assets: [{ name: "BTC", startPx: 100_000 }], seed: 5, bookIntervalMs: 200, uninformedPerSec: 5, informedPerSec: 2 });
    server = await startPaperServer({ market, seed: 5, faults: { profile: "hostile", dropoutsPerHour: 1_800, dropoutMs: [300, 800] } });
    const venue = new HyperliquidVenue({ baseUrl: server.url, wallet: KEY_A, userAddress: ADDR });
    venues.push(venue);
    await firstValueFrom(venue.account());
    subs.push(venue.fills$.subscribe());
    let k = 0;
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      const b = server.exchange.currentBook("BTC");
      if (b?.bids[0] && b.asks[0]) {
        const batch = { type: "order" as const, orders: [order(b.bids[0].px, 0.001, true, "Gtc", ++k), order(b.asks[0].px, 0.001, false, "Gtc", ++k)] };
        await firstValueFrom(venue.submit(batch)).catch(() => undefined);
        if (k % 6 === 0) await firstValueFrom(venue.submit({ type: "cancelByCloid", cancels: [{ asset: "BTC", cloid: cloid(k - 3) }] })).catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const kinds = new Set(server.exchange.faults.map((f) => f.kind));
    expect(kinds.size).toBeGreaterThan(2);
    // venue truth vs what the client reads over HTTP, once quiet: market stopped, in-flight requests landed
    server.exchange.stop();
    await new Promise((r) => setTimeout(r, 1_000));
    const snap = await firstValueFrom(venue.account());
    const truth = server.exchange.truth(ADDR);
    expect(snap.openOrders.map((o) => o.oid).sort()).toEqual(truth.openOrders.map((o) => o.oid).sort());
    expect(snap.positions.map((p) => [p.asset, p.szi])).toEqual(truth.positions.map((p) => [p.asset, p.szi]));
    expect(truth.fills.length).toBeGreaterThan(0);
  });
});
