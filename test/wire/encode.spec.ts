// encodeAction (ActionBatch → signed key order with ids from meta) and its inverse for the paper
// venue; domain → wire → domain round trips through the same decoders the client uses.
import { describe, expect, it } from "vitest";
import {
  HlAction,
  HlExchangeRequest,
  decodeActionToBatch,
  decodeHlBook,
  decodeHlExchangeResponse,
  decodeHlOrderUpdates,
  decodeHlTrades,
  decodeHlUserFills,
  encodeAction,
  hlBatchResultToWire,
  hlBookToWire,
  hlFillToWire,
  hlNum,
  hlOrderUpdateToWire,
  hlTradeToWire,
  msgpackEncode,
  recoverL1Signer,
  signedExchangeBody,
  decodeWith,
  type ActionBatch,
  type AssetMeta,
  type BatchResult,
} from "../../streams/index.js";
import { hexlify } from "ethers";

const META: AssetMeta[] = [
  { name: "BTC", id: 0, szDecimals: 5, maxLeverage: 50, isSpot: false },
  { name: "ETH", id: 1, szDecimals: 4, maxLeverage: 50, isSpot: false },
];
const assets = new Map(META.map((m) => [m.name, m]));
const byId = (id: number) => META.find((m) => m.id === id)?.name;
const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const cloid = (n: number) => "0x" + n.toString(16).padStart(32, "0");

describe("encodeAction", () => {
  it("builds the order action in the signed key order with passive rounding", () => {
    const batch: ActionBatch = {
      type: "order",
      orders: [
        { asset: "ETH", isBuy: true, px: 1670.15, sz: 0.01471, tif: "Alo", reduceOnly: false, cloid: cloid(1) },
        { asset: "ETH", isBuy: false, px: 1670.15, sz: 0.0147, tif: "Gtc", reduceOnly: true, cloid: cloid(2) },
      ],
    };
    const action = encodeAction(batch, assets);
    expect(JSON.stringify(action)).toBe(
      JSON.stringify({
        type: "order",
        orders: [
          { a: 1, b: true, p: "1670.1", s: "0.0147", r: false, t: { limit: { tif: "Alo" } }, c: cloid(1) },
          { a: 1, b: false, p: "1670.2", s: "0.0147", r: true, t: { limit: { tif: "Gtc" } }, c: cloid(2) },
        ],
        grouping: "na",
      }),
    );
    // the same bytes the Python SDK would hash for the same action (T1 layout: a,b,p,s,r,t,c)
    expect(hexlify(msgpackEncode(action)).startsWith("0x83a474797065a56f72646572a66f7264657273")).toBe(true);
  });

  it("encodes cancels, cancelByCloid, batchModify and scheduleCancel", () => {
    expect(encodeAction({ type: "cancel", cancels: [{ asset: "BTC", oid: 123456789012 }] }, assets)).toEqual({ type: "cancel", cancels: [{ a: 0, o: 123456789012 }], f: true });
    expect(encodeAction({ type: "cancelByCloid", cancels: [{ asset: "ETH", cloid: cloid(3) }] }, assets)).toEqual({
      type: "cancelByCloid",
      cancels: [{ asset: 1, cloid: cloid(3) }],
      f: true,
    });
    const mod = encodeAction(
      { type: "batchModify", modifies: [{ oid: 5, order: { asset: "BTC", isBuy: true, px: 100001.9, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: cloid(4) } }] },
      assets,
    );
    expect(mod).toEqual({ type: "batchModify", modifies: [{ oid: 5, order: { a: 0, b: true, p: "100001", s: "0.001", r: false, t: { limit: { tif: "Alo" } }, c: cloid(4) } }] });
    expect(encodeAction({ type: "scheduleCancel", time: null }, assets)).toEqual({ type: "scheduleCancel" });
    expect(encodeAction({ type: "scheduleCancel", time: 123456789 }, assets)).toEqual({ type: "scheduleCancel", time: 123456789 });
  });

  it("names the element of an unknown asset", () => {
    expect(() => encodeAction({ type: "cancel", cancels: [{ asset: "BTC", oid: 1 }, { asset: "DOGE", oid: 2 }] }, assets)).toThrow(/cancels\[1\]: unknown asset "DOGE"/);
  });

  it("round-trips through the wire codec, signature recovery and decodeActionToBatch", () => {
    const batch: ActionBatch = {
      type: "order",
      orders: [{ asset: "BTC", isBuy: true, px: 100000, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: cloid(9) }],
    };
    const body = signedExchangeBody({ wallet: KEY, action: encodeAction(batch, assets), nonce: 1700000000000, isMainnet: false });
    const parsed = decodeWith(HlExchangeRequest, JSON.parse(JSON.stringify(body)), "exchange request");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(recoverL1Signer({ ...parsed.value, isMainnet: false })).toBe("0x14791697260E4c9A71f18484C9f997B308e59325");
    const back = decodeActionToBatch(parsed.value.action, byId);
    expect(back).toEqual({ ok: true, value: batch });
    expect(decodeWith(HlAction, { type: "order", orders: [{ a: 0 }], grouping: "na" }, "action").ok).toBe(false);
  });
});

describe("fast cancels (FACTS §13: f: true, part of the signed msgpack, never f: false)", () => {
  const batches: ActionBatch[] = [
    { type: "cancel", cancels: [{ asset: "BTC", oid: 42 }, { asset: "ETH", oid: 43 }] },
    { type: "cancelByCloid", cancels: [{ asset: "ETH", cloid: cloid(7) }] },
  ];

  it("puts f: true last on cancel and cancelByCloid, and on no other action", () => {
    for (const b of batches) {
      const action = encodeAction(b, assets);
      expect(Object.keys(action)).toEqual(["type", "cancels", "f"]);
      expect((action as { f?: unknown }).f).toBe(true);
    }
    const others: ActionBatch[] = [
      { type: "order", orders: [{ asset: "BTC", isBuy: true, px: 100000, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: cloid(1) }] },
      { type: "batchModify", modifies: [{ oid: 5, order: { asset: "BTC", isBuy: true, px: 100000, sz: 0.001, tif: "Alo", reduceOnly: false, cloid: cloid(4) } }] },
      { type: "scheduleCancel", time: 123 },
      { type: "scheduleCancel", time: null },
    ];
    for (const b of others) expect("f" in encodeAction(b, assets)).toBe(false);
  });

  it("hashes the flag: msgpack ends in the key f with true (0xa1 0x66 0xc3)", () => {
    const bytes = hexlify(msgpackEncode(encodeAction(batches[0]!, assets)));
    // fixmap of 3 entries, then "type" … "cancels" … and "f": true at the end
    expect(bytes.startsWith("0x83a474797065a663616e63656c")).toBe(true);
    expect(bytes.endsWith("a166c3")).toBe(true);
  });

  it("the signature covers f: the paper venue's decoders accept it and recover the signer only with it", () => {
    for (const b of batches) {
      const body = signedExchangeBody({ wallet: KEY, action: encodeAction(b, assets), nonce: 1700000000001, isMainnet: false });
      const parsed = decodeWith(HlExchangeRequest, JSON.parse(JSON.stringify(body)), "exchange request");
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect((parsed.value.action as { f?: unknown }).f).toBe(true);
      expect(recoverL1Signer({ ...parsed.value, isMainnet: false })).toBe("0x14791697260E4c9A71f18484C9f997B308e59325");
      const { f: _f, ...withoutF } = parsed.value.action as Record<string, unknown>;
      expect(recoverL1Signer({ ...parsed.value, action: withoutF, isMainnet: false })).not.toBe("0x14791697260E4c9A71f18484C9f997B308e59325");
      expect(decodeActionToBatch(parsed.value.action, byId)).toEqual({ ok: true, value: b });
    }
    // the venue's codec refuses f: false (it must be omitted, never false)
    expect(decodeWith(HlAction, { type: "cancel", cancels: [{ a: 0, o: 1 }], f: false }, "action").ok).toBe(false);
  });
});

describe("serve helpers: domain → wire → domain", () => {
  it("book, trades, order updates, fills", () => {
    const book = { asset: "BTC", time: 5, bids: [{ px: 100000, sz: 1.5, n: 3 }], asks: [{ px: 100001, sz: 0.00001, n: 1 }] };
    expect(decodeHlBook(hlBookToWire(book))).toEqual({ ok: true, value: book });
    const trade = { asset: "BTC", time: 6, tid: 77, px: 100000.5, sz: 0.25, side: "sell" as const };
    expect(decodeHlTrades([hlTradeToWire(trade)])).toEqual({ ok: true, value: [trade] });
    const upd = { asset: "ETH", oid: 9, cloid: cloid(9), isBuy: false, px: 1670.1, sz: 0, origSz: 0.5, status: "filled", time: 7 };
    expect(decodeHlOrderUpdates([hlOrderUpdateToWire(upd)])).toEqual({ ok: true, value: [upd] });
    const fill = { tid: 1, oid: 9, cloid: null, asset: "ETH", isBuy: true, size: 0.5, price: 1670.1, time: 8, fee: -0.0001, crossed: false, startPosition: 0, closedPnl: 0, hash: "0x" + "0".repeat(64) };
    expect(decodeHlUserFills({ user: "0xabc", isSnapshot: true, fills: [hlFillToWire(fill)] })).toEqual({
      ok: true,
      value: { user: "0xabc", isSnapshot: true, fills: [fill] },
    });
  });

  it("batch results", () => {
    const batch: ActionBatch = { type: "cancel", cancels: [{ asset: "BTC", oid: 1 }, { asset: "BTC", oid: 2 }] };
    const result: BatchResult = {
      ok: true,
      type: "cancel",
      statuses: [{ kind: "Cancelled" }, { kind: "AlreadyFilled", error: "Order was never placed, already canceled, or filled. asset=0" }],
    };
    expect(decodeHlExchangeResponse(hlBatchResultToWire(result), batch)).toEqual({ ok: true, value: result });
  });

  it("hlNum prints plain decimals", () => {
    expect(hlNum(1e-7)).toBe("0.0000001");
    expect(hlNum(100000)).toBe("100000");
    expect(hlNum(0.1 + 0.2)).toBe("0.3");
    expect(hlNum(1.5e22)).toBe("15000000000000000000000");
  });
});
