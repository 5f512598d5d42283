// The hand-written passes of the hot user feeds (orderUpdates, userFills) agree with the io-ts
// codecs they stand in for: on every input, the same ok-ness, the same domain value, and on a
// failure the codec's own message (the fallback names the path). Inputs are valid shapes with
// fields dropped, nulled, retyped or given random decimal strings; plus the real fills recorded
// by the Python SDK's cassettes (../shared, when present).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  HlWsOrders,
  HlWsUserFills,
  decodeHlOrderUpdates,
  decodeHlUserFills,
  decodeWith,
  hlFillToDomain,
  hlOrderToDomain,
  type Decoded,
} from "../../streams/index.js";

const CLOID = "0x" + "ab".repeat(16);

/** What the codec alone says (the specification). */
function byCodecOrders(d: unknown): Decoded<unknown> {
  const r = decodeWith(HlWsOrders, d, "orderUpdates");
  return r.ok ? { ok: true, value: r.value.map(hlOrderToDomain) } : r;
}
function byCodecFills(d: unknown): Decoded<unknown> {
  const r = decodeWith(HlWsUserFills, d, "userFills");
  return r.ok ? { ok: true, value: { user: r.value.user, isSnapshot: r.value.isSnapshot === true, fills: r.value.fills.map(hlFillToDomain) } } : r;
}

let decodedOk = 0;
function same(a: Decoded<unknown>, b: Decoded<unknown>): void {
  expect(a.ok).toBe(b.ok);
  if (a.ok) decodedOk++;
  if (a.ok && b.ok) expect(a.value).toStrictEqual(b.value);
  if (!a.ok && !b.ok) expect(a.error.message).toBe(b.error.message);
}

const ABSENT = Symbol("absent");
/** A field's value: usually the valid one, else absent, null, or something of another type. */
const variant = (valid: fc.Arbitrary<unknown>) =>
  fc.oneof(
    { weight: 12, arbitrary: valid },
    { weight: 1, arbitrary: fc.constant(ABSENT) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.string({ maxLength: 6 }), fc.constant([]), fc.constant({})) },
  );
const decimal = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }).map(String), fc.stringMatching(/^[-+.0-9eE]{0,8}$/), fc.constantFrom("1", "0.5", "-2.25", "1e-5"));
const finite = fc.oneof(fc.integer(), fc.double());

function build(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== ABSENT) out[k] = v;
  return out;
}

const orderUpdate = fc
  .record({
    order: fc.record({
      coin: variant(fc.constantFrom("BTC", "ETH", "xyz:XYZ100")),
      side: variant(fc.constantFrom("B", "A", "X")),
      limitPx: variant(decimal),
      sz: variant(decimal),
      oid: variant(finite),
      timestamp: variant(finite),
      origSz: fc.oneof(fc.constant(ABSENT), variant(decimal)),
      cloid: fc.oneof(fc.constant(ABSENT), variant(fc.constantFrom(CLOID, "0x12", CLOID.toUpperCase().replace("0X", "0x")))),
      reduceOnly: fc.oneof(fc.constant(ABSENT), variant(fc.boolean())),
    }),
    status: variant(fc.constantFrom("open", "filled", "canceled", "marginCanceled")),
    statusTimestamp: variant(finite),
  })
  .map(({ order, ...rest }) => build({ ...rest, order: build(order) }));

const fill = fc
  .record({
    coin: variant(fc.constantFrom("BTC", "ETH")),
    px: variant(decimal),
    sz: variant(decimal),
    side: variant(fc.constantFrom("B", "A")),
    time: variant(finite),
    startPosition: variant(decimal),
    dir: variant(fc.constantFrom("Open Long", "Close Short")),
    closedPnl: variant(decimal),
    hash: variant(fc.constantFrom("0x00", "0xabc")),
    oid: variant(finite),
    crossed: variant(fc.boolean()),
    fee: variant(decimal),
    tid: fc.oneof(fc.constant(ABSENT), variant(fc.integer({ min: 0 }))),
    feeToken: fc.oneof(fc.constant(ABSENT), variant(fc.constant("USDC"))),
    builderFee: fc.oneof(fc.constant(ABSENT), variant(decimal)),
    cloid: fc.oneof(fc.constant(ABSENT), variant(fc.constantFrom(CLOID, "0x123"))),
    liquidation: fc.oneof(fc.constant(ABSENT), fc.constant(null), fc.constant({ method: "market", markPx: "1.5", liquidatedUser: null }), fc.constant({ markPx: 3 })),
    twapId: fc.oneof(fc.constant(ABSENT), variant(fc.integer())),
    feeTrialEscrow: fc.oneof(fc.constant(ABSENT), variant(decimal)),
  })
  .map(build);

describe("hot user feeds: the hand-written pass agrees with the codec", () => {
  it("orderUpdates, on valid and broken elements", () => {
    decodedOk = 0;
    fc.assert(
      fc.property(fc.array(orderUpdate, { maxLength: 4 }), (list) => same(decodeHlOrderUpdates(list), byCodecOrders(list))),
      { numRuns: 4000 },
    );
    for (const notList of [null, {}, "x", 3]) same(decodeHlOrderUpdates(notList), byCodecOrders(notList));
    expect(decodedOk).toBeGreaterThan(400); // valid lists are a good share of the runs
  });

  it("userFills, on valid and broken fills and envelopes", () => {
    const envelope = fc.record({
      user: variant(fc.constant("0xabc")),
      fills: fc.oneof({ weight: 10, arbitrary: fc.array(fill, { maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant(null) }),
      isSnapshot: fc.oneof(fc.constant(ABSENT), variant(fc.boolean())),
    });
    decodedOk = 0;
    fc.assert(
      fc.property(envelope.map(build), (d) => same(decodeHlUserFills(d), byCodecFills(d))),
      { numRuns: 4000 },
    );
    expect(decodedOk).toBeGreaterThan(400);
  });

  it("a valid element with one field absent, null or of another type", () => {
    const order = { coin: "BTC", side: "A", limitPx: "100.5", sz: "0.1", oid: 7, timestamp: 1, origSz: "0.2", cloid: CLOID, reduceOnly: false };
    const aFill = {
      coin: "ETH", px: "2000.5", sz: "0.01", side: "B", time: 5, startPosition: "0", dir: "Open Long", closedPnl: "0", hash: "0xabc", oid: 9,
      crossed: false, fee: "0.001", tid: 11, feeToken: "USDC", builderFee: "0", cloid: CLOID, liquidation: null, twapId: null, feeTrialEscrow: "0",
    };
    const bad = fc.oneof(fc.constant(ABSENT), fc.constant(null), fc.integer(), fc.double(), fc.boolean(), fc.string({ maxLength: 6 }), fc.constant([]), fc.constant({}), decimal);
    decodedOk = 0;
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(order), "status", "statusTimestamp"), bad, (key, v) => {
        const top = { order: { ...order }, status: "filled", statusTimestamp: 3 } as Record<string, unknown> & { order: Record<string, unknown> };
        const target = key in order ? top.order : top;
        if (v === ABSENT) delete target[key];
        else target[key] = v;
        same(decodeHlOrderUpdates([top]), byCodecOrders([top]));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(aFill)), bad, (key, v) => {
        const f: Record<string, unknown> = { ...aFill };
        if (v === ABSENT) delete f[key];
        else f[key] = v;
        const d = { user: "0xabc", fills: [aFill, f] };
        same(decodeHlUserFills(d), byCodecFills(d));
      }),
      { numRuns: 3000 },
    );
    expect(decodedOk).toBeGreaterThan(300);
  });

  it("valid inputs decode (the generators reach the fast path, not only failures)", () => {
    const valid = [{ order: { coin: "BTC", side: "B", limitPx: "100.5", sz: "0.1", oid: 7, timestamp: 1, cloid: CLOID }, status: "open", statusTimestamp: 2 }];
    const r = decodeHlOrderUpdates(valid);
    expect(r.ok && r.value[0]).toStrictEqual({ asset: "BTC", oid: 7, cloid: CLOID, isBuy: true, px: 100.5, sz: 0.1, origSz: 0.1, status: "open", time: 2 });
  });

  const cassette = path.resolve(process.cwd(), "../shared/data/real/hyperliquid/python_sdk_cassettes/test_get_user_fills.json");
  it.skipIf(!existsSync(cassette))("the Python SDK's recorded fills, as a userFills push", () => {
    const [entry] = JSON.parse(readFileSync(cassette, "utf8")) as Array<{ response: unknown[] }>;
    const fills = entry!.response;
    expect(fills.length).toBeGreaterThan(0);
    const d = { user: "0xabc", fills };
    const r = decodeHlUserFills(d);
    expect(r.ok).toBe(true);
    same(r, byCodecFills(d));
  });
});
