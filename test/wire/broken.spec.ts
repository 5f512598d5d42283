// Broken frames are rejected with a message that names the failing path; nothing throws.
import { describe, expect, it } from "vitest";
import {
  HL_MAX_BOOK_LEVELS,
  decodeHlBook,
  decodeHlExchangeResponse,
  decodeHlTrades,
  decodeHlUserFills,
  decodeHlOrderUpdates,
  parseHlWsFrame,
  type ActionBatch,
  type Decoded,
} from "../../streams/index.js";

function errorOf<A>(r: Decoded<A>): string {
  expect(r.ok).toBe(false);
  return r.ok ? "" : r.error.message;
}

const level = { px: "100.5", sz: "1.25", n: 2 };
const book = { coin: "BTC", time: 1700000000000, levels: [[level], [{ px: "101", sz: "2", n: 1 }]] };
const trade = { coin: "BTC", side: "B", px: "100", sz: "0.1", time: 1, tid: 7, hash: "0x00", users: ["0xa", "0xb"] };

describe("broken frames", () => {
  it("rejects a truncated frame as not JSON", () => {
    const text = JSON.stringify({ channel: "l2Book", data: book });
    expect(errorOf(parseHlWsFrame(text.slice(0, text.length - 7)))).toMatch(/ws frame: \$: not JSON/);
  });

  it("rejects a frame without a channel, naming $.channel", () => {
    expect(errorOf(parseHlWsFrame(JSON.stringify({ data: {} })))).toContain("$.channel");
    expect(errorOf(parseHlWsFrame("[1,2]"))).toContain("$");
  });

  it("rejects a huge frame before parsing it", () => {
    const huge = JSON.stringify({ channel: "l2Book", data: { coin: "x".repeat(2000) } });
    expect(errorOf(parseHlWsFrame(huge, 1000))).toMatch(/exceeds the 1000-char limit/);
  });

  it("rejects a book side longer than the level limit, naming the side", () => {
    const levels = [Array.from({ length: HL_MAX_BOOK_LEVELS + 1 }, () => level), []];
    expect(errorOf(decodeHlBook({ ...book, levels }))).toContain("$.levels.0: expected at most");
  });

  it("names the path of a wrongly typed price", () => {
    const bad = { ...book, levels: [[level, { px: 100.5, sz: "1", n: 1 }], []] };
    expect(errorOf(decodeHlBook(bad))).toMatch(/\$\.levels\.0\.1\.px: expected DecimalString, got 100\.5/);
  });

  it("names a non-numeric price string", () => {
    const bad = { ...book, levels: [[{ px: "abc", sz: "1", n: 1 }], []] };
    expect(errorOf(decodeHlBook(bad))).toContain("$.levels.0.0.px");
    expect(errorOf(decodeHlBook({ ...book, levels: [[{ px: "", sz: "1", n: 1 }], []] }))).toContain("$.levels.0.0.px");
  });

  it("names a missing field", () => {
    const { time: _t, ...noTime } = book;
    expect(errorOf(decodeHlBook(noTime))).toContain("$.time: expected number, got undefined (missing)");
    const { tid: _tid, ...noTid } = trade;
    expect(errorOf(decodeHlTrades([trade, noTid]))).toContain("$.1.tid");
  });

  it("names a bad side in trades", () => {
    expect(errorOf(decodeHlTrades([{ ...trade, side: "X" }]))).toContain("$.0.side");
  });

  it("rejects a book whose levels is not a pair", () => {
    expect(errorOf(decodeHlBook({ ...book, levels: [[level]] }))).toContain("$.levels");
  });

  it("names the path inside a fills batch", () => {
    const fill = {
      coin: "BTC", px: "1", sz: "1", side: "B", time: 1, startPosition: "0", dir: "Open Long", closedPnl: "0",
      hash: "0x", oid: 1, crossed: true, fee: "0.1", tid: 3, cloid: "0x123",
    };
    expect(errorOf(decodeHlUserFills({ user: "0xabc", fills: [fill] }))).toContain("$.fills.0.cloid");
  });

  it("names the path in an order update", () => {
    expect(errorOf(decodeHlOrderUpdates([{ order: { coin: "BTC" }, status: "open", statusTimestamp: 1 }]))).toContain("$.0.order.side");
  });

  it("rejects an exchange response whose statuses do not match the batch", () => {
    const batch: ActionBatch = { type: "cancel", cancels: [{ asset: "BTC", oid: 1 }, { asset: "BTC", oid: 2 }, { asset: "BTC", oid: 3 }] };
    const body = { status: "ok", response: { type: "cancel", data: { statuses: ["success", "success"] } } };
    expect(errorOf(decodeHlExchangeResponse(body, batch))).toContain("$.response.data.statuses: expected 3 statuses, got 2");
    const wrongType = { status: "ok", response: { type: "order", data: { statuses: [] } } };
    expect(errorOf(decodeHlExchangeResponse(wrongType, batch))).toContain("$.response.type");
  });

  it("the fast path and the codec agree on random price strings", async () => {
    const fc = (await import("fast-check")).default;
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 12 }), fc.double().map(String), fc.stringMatching(/^[-+.0-9eEx ]{0,10}$/)), (px) => {
        const b = { coin: "BTC", time: 1, levels: [[{ px, sz: "1", n: 1 }], []] };
        const r = decodeHlBook(b);
        const expected = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(px) && Number.isFinite(Number(px));
        expect(r.ok).toBe(expected);
        if (r.ok) expect(r.value.bids[0]!.px).toBe(Number(px));
      }),
      { numRuns: 3000 },
    );
  });
});
