// Every recorded Hyperliquid wire/REST payload under ../shared/data/real decodes, through the
// io-ts codec and through the domain decoder; Binance frames decode with the Binance codecs.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  BinanceDepthSnapshot,
  BinanceDepthUpdate,
  BinanceStreamEnvelope,
  HL_CHANNEL_CODECS,
  HL_INFO_CODECS,
  HlWsUserEvent,
  binanceStreamKind,
  decodeBinanceBookTicker,
  decodeBinanceTrade,
  decodeHlAllMids,
  decodeHlBook,
  decodeHlClearinghouseState,
  decodeHlFillsInfo,
  decodeHlFrontendOpenOrders,
  decodeHlMeta,
  decodeHlOpenOrders,
  decodeHlTrades,
  decodeHlUserEvent,
  decodeHlWsAllMids,
  decodeWith,
  parseHlWsFrame,
  type Decoded,
} from "../../streams/index.js";

const REAL = path.resolve(process.cwd(), "../shared/data/real");
const HL = path.join(REAL, "hyperliquid");
/** CI has ../shared beside the clone; a user's clone does not, and then these suites are skipped. */
const hasShared = existsSync(REAL);

function mustOk<A>(r: Decoded<A>, where: string): A {
  if (!r.ok) throw new Error(`${where}: ${r.error.message}`);
  return r.value;
}

/** Decode one WS frame's data with its channel codec and the domain decoder. */
function decodeFrame(text: string, where: string): string {
  const env = mustOk(parseHlWsFrame(text), where);
  const codec = HL_CHANNEL_CODECS[env.channel as keyof typeof HL_CHANNEL_CODECS];
  expect(codec, `${where}: channel ${env.channel} has a codec`).toBeDefined();
  mustOk(decodeWith(codec as never, env.data, `${where} ${env.channel}`), where);
  if (env.channel === "l2Book") {
    const book = mustOk(decodeHlBook(env.data), where);
    expect(book.bids.length + book.asks.length).toBeGreaterThan(0);
    expect(book.bids[0]!.px).toBeLessThan(book.asks[0]!.px);
  } else if (env.channel === "trades") {
    const trades = mustOk(decodeHlTrades(env.data), where);
    for (const t of trades) expect(["buy", "sell"]).toContain(t.side);
  } else if (env.channel === "allMids") {
    mustOk(decodeHlWsAllMids(env.data, 0), where);
  } else if (env.channel === "user") {
    mustOk(decodeHlUserEvent(env.data), where);
  }
  return env.channel;
}

describe.runIf(hasShared)("real Hyperliquid WS frames", () => {
  it("decodes all 55 hftbacktest btcusd frames (l2Book and trades)", () => {
    const lines = gunzipSync(readFileSync(path.join(HL, "hftbacktest/btcusd_20250126.gz"))).toString("utf8").split("\n").filter(Boolean);
    const channels = new Map<string, number>();
    lines.forEach((line, i) => {
      const frame = line.slice(line.indexOf(" ") + 1);
      const ch = decodeFrame(frame, `btcusd line ${i + 1}`);
      channels.set(ch, (channels.get(ch) ?? 0) + 1);
    });
    expect(lines.length).toBe(55);
    expect(channels.get("l2Book")).toBe(46);
    expect(channels.get("trades")).toBe(9);
  });

  it("decodes all 5,587 raw l2Book frames of the S3 archive hour", () => {
    const lines = readFileSync(path.join(HL, "s3_archive_vigil_hypertrace/market_data_20240101_12_l2Book_BTC.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean);
    let last = 0;
    lines.forEach((line, i) => {
      const rec = JSON.parse(line) as { raw: unknown };
      const ch = decodeFrame(JSON.stringify(rec.raw), `s3 line ${i + 1}`);
      expect(ch).toBe("l2Book");
      const book = mustOk(decodeHlBook((rec.raw as { data: unknown }).data), `s3 line ${i + 1}`);
      expect(book.bids).toHaveLength(20);
      expect(book.time).toBeGreaterThanOrEqual(last);
      last = book.time;
    });
    expect(lines.length).toBe(5587);
  });

  it("decodes the nautilus WS captures (allMids with spot keys, user fill with liquidation)", () => {
    decodeFrame(readFileSync(path.join(HL, "nautilus_fixtures/ws_allmids.json"), "utf8"), "ws_allmids");
    const text = readFileSync(path.join(HL, "nautilus_fixtures/ws_user_fill_liquidation.json"), "utf8");
    expect(decodeFrame(text, "ws_user_fill_liquidation")).toBe("user");
    const env = mustOk(parseHlWsFrame(text), "liq");
    mustOk(decodeWith(HlWsUserEvent, env.data, "user"), "liq");
    const ev = mustOk(decodeHlUserEvent(env.data), "liq");
    expect(ev.kind).toBe("fills");
    if (ev.kind === "fills") {
      expect(ev.fills[0]!.cloid).toBe("0xe8d5fd7ebbb4c3cff4d1803472a11463");
      expect(ev.fills[0]!.isBuy).toBe(false);
    }
  });
});

describe.runIf(hasShared)("real Hyperliquid REST payloads", () => {
  const dir = path.join(HL, "python_sdk_cassettes");
  const files = (hasShared ? readdirSync(dir) : []).filter((f) => f.endsWith(".json"));

  it("has the 11 python SDK cassettes", () => expect(files).toHaveLength(11));

  for (const file of files) {
    it(`decodes every response in ${file}`, () => {
      const entries = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Array<{
        request: { body: { type: string } };
        status: number;
        response: unknown;
      }>;
      for (const e of entries) {
        const type = e.request.body.type;
        const codec = HL_INFO_CODECS[type as keyof typeof HL_INFO_CODECS];
        expect(codec, `${file}: info type ${type} has a codec`).toBeDefined();
        mustOk(decodeWith(codec as never, e.response, `${file} ${type}`), file);
        switch (type) {
          case "meta": {
            const meta = mustOk(decodeHlMeta(e.response), file);
            expect(meta.find((m) => m.name === "BTC")).toMatchObject({ id: 0, szDecimals: 5 });
            break;
          }
          case "l2Book":
            mustOk(decodeHlBook(e.response, "info l2Book"), file);
            break;
          case "allMids":
            expect(mustOk(decodeHlAllMids(e.response, 0), file).length).toBeGreaterThan(10);
            break;
          case "userFills":
          case "userFillsByTime": {
            const fills = mustOk(decodeHlFillsInfo(e.response), file);
            expect(fills).toHaveLength(500);
            // 2023 fills carry no tid: the synthetic one must still tell fills apart
            expect(new Set(fills.map((f) => f.tid)).size).toBe(fills.length);
            break;
          }
          case "openOrders":
            expect(mustOk(decodeHlOpenOrders(e.response), file)).toHaveLength(196);
            break;
          case "frontendOpenOrders":
            mustOk(decodeHlFrontendOpenOrders(e.response), file);
            break;
          case "clearinghouseState": {
            const s = mustOk(decodeHlClearinghouseState(e.response, 123), file);
            expect(s.time).toBe(123);
            expect(s.positions.find((p) => p.asset === "BTC")?.szi).toBe(-0.00785);
            break;
          }
        }
      }
    });
  }

  it("decodes the nautilus REST captures (meta with nulls, l2Book without n, fills with twapId)", () => {
    const meta = mustOk(decodeHlMeta(JSON.parse(readFileSync(path.join(HL, "nautilus_fixtures/http_meta_perp_sample.json"), "utf8"))), "meta");
    expect(meta.map((m) => m.name)).toEqual(["BTC", "ETH", "ATOM"]);
    const book = mustOk(decodeHlBook(JSON.parse(readFileSync(path.join(HL, "nautilus_fixtures/http_l2_book_btc.json"), "utf8"))), "book");
    expect(book.bids[0]).toEqual({ px: 110427, sz: 4.11882, n: 0 });
    const fills = mustOk(
      decodeHlFillsInfo(JSON.parse(readFileSync(path.join(HL, "nautilus_fixtures/http_user_fills_dust_conversion.json"), "utf8"))),
      "fills",
    );
    expect(fills).toHaveLength(5);
    expect(fills[0]!.tid).toBe(17679709382320);
  });
});

describe.runIf(hasShared)("real Binance frames", () => {
  const LIMIT = 5000;
  for (const file of ["spot_btcusdt_20240808.gz", "spot_btcusdt_20240809.gz", "usdm_btcusdt_20240808.gz"]) {
    it(`decodes the first ${LIMIT} lines of ${file}`, () => {
      const text = gunzipSync(readFileSync(path.join(REAL, "binance/hftbacktest", file))).toString("utf8");
      let start = 0;
      const counts = { bookTicker: 0, trade: 0, depth: 0, snapshot: 0 };
      for (let i = 0; i < LIMIT; i++) {
        const end = text.indexOf("\n", start);
        if (end < 0) break;
        const line = text.slice(start, end);
        start = end + 1;
        const sp = line.indexOf(" ");
        const recv = Number(line.slice(0, sp)) / 1e6;
        const body = JSON.parse(line.slice(sp + 1)) as unknown;
        const where = `${file} line ${i + 1}`;
        if (!(typeof body === "object" && body !== null && "stream" in body)) {
          mustOk(decodeWith(BinanceDepthSnapshot, body, "snapshot"), where);
          counts.snapshot++;
          continue;
        }
        const env = mustOk(decodeWith(BinanceStreamEnvelope, body, "envelope"), where);
        const kind = binanceStreamKind(env.stream);
        if (kind === "bookTicker") {
          const q = mustOk(decodeBinanceBookTicker(env.data, recv), where);
          expect(q.bid).toBeLessThanOrEqual(q.ask);
          counts.bookTicker++;
        } else if (kind === "trade") {
          mustOk(decodeBinanceTrade(env.data), where);
          counts.trade++;
        } else if (kind === "depth") {
          mustOk(decodeWith(BinanceDepthUpdate, env.data, "depth"), where);
          counts.depth++;
        } else throw new Error(`${where}: unexpected stream ${env.stream}`);
      }
      expect(counts.bookTicker).toBeGreaterThan(1000);
      expect(counts.trade).toBeGreaterThan(100);
      expect(counts.depth).toBeGreaterThan(10);
    });
  }
});
