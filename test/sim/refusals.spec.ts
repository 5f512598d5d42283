// What the paper venue refuses, with the venue's text (FACTS §5.7, §13; third-party captures named
// in sim/texts.ts): nonce rules per signer, expiresAfter, the reference-price band, builder fee
// approval, scheduleCancel rules, reserveRequestWeight buying address requests, vaultAddress,
// strict accounts and agent expiry. Over the wire (raw signed bodies) and, for the daily trigger
// cap, in-process on virtual time.
import { afterEach, describe, expect, it } from "vitest";
import { Wallet } from "ethers";
import type { ActionBatch } from "../../streams/actions.js";
import { HL_USER_SIGNED_TYPES, encodeAction, signUserSignedActionSync, signedExchangeBody } from "../../streams/wire/index.js";
import { PaperVenue, SIM_NONCE_FUTURE_MS, SIM_NONCE_PAST_MS, replayMarket, simReplayScheduler, simUniverse, startPaperServer, type PaperServer, type PaperServerOptions } from "../../sim/index.js";
import { ALICE, T0, book, order } from "./helpers.js";

const master = new Wallet("0x" + "81".repeat(32)); // test-only keys
const agent = new Wallet("0x" + "82".repeat(32));
const M = master.address.toLowerCase();
const assets = new Map(simUniverse().map((m) => [m.name, m]));

let servers: PaperServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(extra: Partial<PaperServerOptions> = {}): Promise<PaperServer> {
  const books = Array.from({ length: 200 }, (_, i) => book(i * 100, [[100000, 0.5]], [[100001, 0.5]]));
  const s = await startPaperServer({ market: replayMarket({ books }, { inferTakers: false }), seed: 1, faults: "none", ...extra });
  servers.push(s);
  return s;
}

async function post(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: JSON.parse(text) as unknown };
}

let base = Date.now();
const next = () => ++base;
function l1(batch: ActionBatch | Record<string, unknown>, opts: { w?: Wallet; nonce?: number; vaultAddress?: string; expiresAfter?: number } = {}) {
  // a domain batch is encoded; a wire action (has `grouping`, or is not a batch) goes as it is
  const isBatch = ("orders" in batch && !("grouping" in batch)) || "cancels" in batch || batch.type === "scheduleCancel";
  const action = isBatch ? encodeAction(batch as ActionBatch, assets) : batch;
  return signedExchangeBody({ wallet: opts.w ?? master, action, nonce: opts.nonce ?? next(), vaultAddress: opts.vaultAddress ?? null, expiresAfter: opts.expiresAfter ?? null, isMainnet: false });
}
function userSigned(type: "approveAgent" | "approveBuilderFee", fields: Record<string, unknown>, w: Wallet = master) {
  const nonce = next();
  const action = { type, signatureChainId: "0x66eee", hyperliquidChain: "Testnet", ...fields, nonce };
  const [primary, types] = HL_USER_SIGNED_TYPES[type]!;
  const message: Record<string, unknown> = { ...action, agentName: (action as { agentName?: string }).agentName ?? "" };
  return { action, nonce, signature: signUserSignedActionSync({ wallet: w, action: message as typeof message & { signatureChainId: string }, types: { [primary]: [...types] } }) };
}
const alo = (px: number, n: number) => ({ type: "order" as const, orders: [order(px, 0.001, true, "Alo", n)] });
const resp = (r: { json: unknown }) => (r.json as { response: unknown }).response;

describe("paper venue refusals, with the venue's texts", () => {
  it("nonces: duplicates, outside (T − 2 d, T + 1 d), below the least of the 100 kept", async () => {
    const s = await serve();
    const n = next();
    expect((await post(`${s.url}/exchange`, l1(alo(99000, 1), { nonce: n }))).json).toMatchObject({ status: "ok" });
    expect((await post(`${s.url}/exchange`, l1(alo(99000, 2), { nonce: n }))).json).toEqual({ status: "err", response: `Invalid nonce: duplicate nonce ${n}` });
    const old = Date.now() - SIM_NONCE_PAST_MS - 60_000;
    expect(resp(await post(`${s.url}/exchange`, l1(alo(99000, 3), { nonce: old })))).toMatch(new RegExp(`^Invalid nonce: nonce too low ${old} < \\d+$`));
    const future = Date.now() + SIM_NONCE_FUTURE_MS + 60_000;
    expect(resp(await post(`${s.url}/exchange`, l1(alo(99000, 4), { nonce: future })))).toMatch(new RegExp(`^Invalid nonce: nonce too high ${future} > \\d+$`));
    // fill the 100 kept, then one below the least of them (but never used) is too low
    const first = next();
    base += 200;
    for (let i = 0; i < 100; i++) await post(`${s.url}/exchange`, l1({ type: "noop" }, { nonce: first + 100 + i }));
    expect((await post(`${s.url}/exchange`, l1({ type: "noop" }, { nonce: first }))).json).toEqual({ status: "err", response: `Invalid nonce: nonce too low ${first} < ${first + 100}` });
    // a refused nonce changed nothing: the same order with a fresh nonce rests
    expect((await post(`${s.url}/exchange`, l1(alo(99000, 5)))).json).toMatchObject({ status: "ok" });
  });

  it("noop invalidates an order still in flight: the noop (cancel-fast) lands first, the order gets the duplicate text", async () => {
    const s = await serve({ faults: { profile: "none", orderEntryMs: [300, 300], cancelEntryMs: [0, 0] } });
    const n = next();
    const order = post(`${s.url}/exchange`, l1(alo(99000, 1), { nonce: n }));
    const noop = post(`${s.url}/exchange`, l1({ type: "noop" }, { nonce: n }));
    expect((await noop).json).toEqual({ status: "ok", response: { type: "default" } });
    expect((await order).json).toEqual({ status: "err", response: `Invalid nonce: duplicate nonce ${n}` });
    expect(s.exchange.openOrders(M)).toEqual([]);
  });

  it("expiresAfter in the past: refused, and counted 5× against the address budget", async () => {
    const s = await serve();
    const past = Date.now() - 1_000;
    const r = await post(`${s.url}/exchange`, l1(alo(99000, 1), { expiresAfter: past }));
    expect(resp(r)).toMatch(new RegExp(`^Action expired: expiresAfter ${past} < block time \\d+$`));
    expect(s.exchange.rateLimit(M).nRequestsUsed).toBe(5);
    expect(s.exchange.openOrders(M)).toEqual([]);
    expect((await post(`${s.url}/exchange`, l1(alo(99000, 2), { expiresAfter: Date.now() + 60_000 }))).json).toMatchObject({ status: "ok" });
  });

  it("price band: an order more than 80 % from the reference price is refused per order", async () => {
    const s = await serve();
    const r = await post(`${s.url}/exchange`, l1({ type: "order", orders: [order(190_000, 0.001, false, "Alo", 1), order(99_000, 0.001, true, "Alo", 2)] }));
    expect(r.json).toMatchObject({ status: "ok", response: { data: { statuses: [{ error: "Order price cannot be more than 80% away from the reference price asset=0" }, { resting: {} }] } } });
  });

  it("builder fee: refused until approved, and above the approved maximum", async () => {
    const s = await serve();
    const builder = new Wallet("0x" + "83".repeat(32)).address.toLowerCase();
    const withBuilder = (f: number) => ({ ...encodeAction(alo(99000, 1), assets), builder: { b: builder, f } });
    expect((await post(`${s.url}/exchange`, l1(withBuilder(10)))).json).toEqual({ status: "err", response: "Builder fee has not been approved." });
    expect((await post(`${s.url}/exchange`, userSigned("approveBuilderFee", { maxFeeRate: "0.01%", builder }))).json).toEqual({ status: "ok", response: { type: "default" } });
    expect((await post(`${s.url}/exchange`, l1(withBuilder(20)))).json).toEqual({ status: "err", response: "Builder fee has not been approved." });
    expect((await post(`${s.url}/exchange`, l1(withBuilder(10)))).json).toMatchObject({ status: "ok", response: { data: { statuses: [{ resting: {} }] } } });
  });

  it("scheduleCancel: at least 5 s ahead, and only after the volume the venue requires", async () => {
    const s = await serve({ scheduleCancelMinVolume: 1_000_000 });
    expect((await post(`${s.url}/exchange`, l1({ type: "scheduleCancel", time: Date.now() + 60_000 }))).json).toEqual({
      status: "err",
      response: "Cannot set scheduled cancel time until enough volume traded. Required: $1000000.00. Traded: $0.00.",
    });
    const t = await serve();
    expect((await post(`${t.url}/exchange`, l1({ type: "scheduleCancel", time: Date.now() + 1_000 }))).json).toEqual({
      status: "err",
      response: "Scheduled cancel time too early, must be at least 5 seconds after the current time.",
    });
    expect((await post(`${t.url}/exchange`, l1({ type: "scheduleCancel", time: Date.now() + 10_000 }))).json).toEqual({ status: "ok", response: { type: "default" } });
  });

  it("scheduleCancel: at most 10 triggers per UTC day", () => {
    const books = Array.from({ length: 30 }, (_, i) => book(T0 + i * 10_000, [[100, 5]], [[101, 5]]));
    const scheduler = simReplayScheduler(T0);
    const venue = new PaperVenue({ market: replayMarket({ books }, { inferTakers: false }), scheduler, seed: 7, user: ALICE });
    const results: unknown[] = [];
    for (let i = 0; i < 11; i++) scheduler.schedule(() => venue.submit({ type: "scheduleCancel", time: scheduler.now() + 6_000 }).subscribe((r) => results.push(r)), i * 10_000 + 1);
    scheduler.flush();
    expect(results.slice(0, 10).every((r) => (r as { ok: boolean }).ok)).toBe(true);
    expect(results[10]).toMatchObject({ ok: false, error: "Too many scheduled cancel triggers today." });
  });

  it("reserveRequestWeight buys address requests at 0.0005 USDC each", async () => {
    const s = await serve({ addressInitialBuffer: 1 });
    expect((await post(`${s.url}/exchange`, l1(alo(99000, 1)))).json).toMatchObject({ status: "ok" });
    expect(resp(await post(`${s.url}/exchange`, l1(alo(99001, 2))))).toMatch(/^Too many cumulative requests sent \(2 > 1\)/);
    expect((await post(`${s.url}/exchange`, l1({ type: "reserveRequestWeight", weight: 10 }))).json).toEqual({ status: "ok", response: { type: "default" } });
    expect((await post(`${s.url}/exchange`, l1(alo(99002, 3)))).json).toMatchObject({ status: "ok", response: { data: { statuses: [{ resting: {} }] } } });
    expect(s.exchange.rateLimit(M)).toMatchObject({ nRequestsCap: 1 });
    expect(s.exchange.account(M).balance).toBeCloseTo(100_000 - 0.005, 9);
  });

  it("vaultAddress: refused unless a sub-account of the signer's master; a sub-account's orders are booked on it", async () => {
    const s = await serve();
    const stranger = "0x" + "9".repeat(40);
    expect((await post(`${s.url}/exchange`, l1(alo(99000, 1), { vaultAddress: stranger }))).json).toEqual({ status: "err", response: `Vault not registered: ${stranger}` });
    const created = await post(`${s.url}/exchange`, l1({ type: "createSubAccount", name: "mm1" }));
    const sub = (created.json as { response: { type: string; data: string } }).response;
    expect(sub.type).toBe("createSubAccount");
    expect((await post(`${s.url}/exchange`, l1(alo(99000, 2), { vaultAddress: sub.data }))).json).toMatchObject({ status: "ok" });
    expect(s.exchange.openOrders(sub.data)).toHaveLength(1);
    expect(s.exchange.openOrders(M)).toEqual([]);
  });

  it("faucet: a known account that signs for mainnet is not funded a stranger account; it gets the testnet text", async () => {
    const s = await serve();
    expect((await post(`${s.url}/exchange`, l1(alo(99000, 1)))).json).toMatchObject({ status: "ok" });
    const mainnet = signedExchangeBody({ wallet: master, action: encodeAction(alo(99000, 2), assets), nonce: next(), isMainnet: true });
    const r = await post(`${s.url}/exchange`, mainnet);
    expect(resp(r)).toMatch(/^L1 error: User or API Wallet 0x[0-9a-f]{40} does not exist\.$/);
    expect(resp(r)).not.toContain(M);
    expect(s.exchange.users()).toEqual([M]);
  });

  it("strict accounts: an unfunded signer does not exist; an agent acts for its master until it expires", async () => {
    const s = await serve({ accounts: "strict", fund: { [M]: 5_000 } });
    const nobody = new Wallet("0x" + "84".repeat(32));
    expect((await post(`${s.url}/exchange`, l1(alo(99000, 1), { w: nobody }))).json).toEqual({ status: "err", response: `L1 error: User or API Wallet ${nobody.address.toLowerCase()} does not exist.` });
    expect((await post(`${s.url}/exchange`, l1(alo(99000, 1), { w: agent }))).json).toMatchObject({ status: "err" });
    expect((await post(`${s.url}/exchange`, userSigned("approveAgent", { agentAddress: agent.address, agentName: `mm valid_until ${Date.now() + 1_500}` }))).json).toEqual({ status: "ok", response: { type: "default" } });
    expect((await post(`${s.url}/exchange`, l1(alo(99000, 2), { w: agent }))).json).toMatchObject({ status: "ok", response: { data: { statuses: [{ resting: {} }] } } });
    expect(s.exchange.openOrders(M)).toHaveLength(1);
    // an agent cannot sign user-signed actions for itself
    expect(resp(await post(`${s.url}/exchange`, userSigned("approveAgent", { agentAddress: nobody.address, agentName: "x" }, agent)))).toBe(`L1 error: User or API Wallet ${agent.address.toLowerCase()} does not exist.`);
    await new Promise((r) => setTimeout(r, 1_600));
    expect((await post(`${s.url}/exchange`, l1(alo(99000, 3), { w: agent }))).json).toEqual({ status: "err", response: `L1 error: User or API Wallet ${agent.address.toLowerCase()} does not exist.` });
  });
});
