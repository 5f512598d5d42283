// Binance reference feed: real recorded frames through a loopback ws server; silence watchdog
// and reconnect on virtual time; malformed frames counted, the feed goes on.
import { afterEach, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import path from "node:path";
import { VirtualTimeScheduler, VirtualAction, firstValueFrom, take, toArray } from "rxjs";
import { WebSocketServer } from "ws";
import type { AddressInfo } from "node:net";
import { binanceFeed, binanceStreamUrl, type BinanceEvent } from "../../../sources/index.js";
import { FakeSockets } from "../hyperliquid/fakeSocket.js";

const REAL = path.resolve(process.cwd(), "../shared/data/real/binance/hftbacktest/spot_btcusdt_20240809.gz");
let wss: WebSocketServer | undefined;
afterEach(async () => {
  if (wss) {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss!.close(() => r()));
  }
  wss = undefined;
});

describe("binanceFeed", () => {
  it("builds the combined-stream URL", () => {
    expect(binanceStreamUrl("wss://data-stream.binance.vision/", ["BTCUSDT"], ["bookTicker", "trade"])).toBe(
      "wss://data-stream.binance.vision/stream?streams=btcusdt@bookTicker/btcusdt@trade",
    );
  });

  it.runIf(existsSync(REAL))("decodes real recorded frames served over a loopback socket, counting a malformed one", async () => {
    const lines = gunzipSync(readFileSync(REAL)).toString("utf8").split("\n", 300).filter(Boolean);
    const frames = lines.map((l) => l.slice(l.indexOf(" ") + 1)).filter((f) => /@(bookTicker|trade)"/.test(f));
    const expected = frames.length;
    wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((r) => wss!.once("listening", () => r()));
    let url = "";
    wss.on("connection", (socket, req) => {
      url = req.url ?? "";
      socket.send("{oops");
      for (const f of frames) socket.send(f);
    });
    const port = (wss.address() as AddressInfo).port;
    const feed = binanceFeed({ baseUrl: `ws://127.0.0.1:${port}`, symbols: ["btcusdt"], streams: ["bookTicker", "trade"], now: () => 42 });
    const errors: string[] = [];
    const sub = feed.decodeErrors$.subscribe((e) => errors.push(e.message));
    const events = await firstValueFrom(feed.events$.pipe(take(expected), toArray()));
    sub.unsubscribe();
    expect(url).toBe("/stream?streams=btcusdt@bookTicker/btcusdt@trade");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/not JSON/);
    const quotes = events.filter((e): e is Extract<BinanceEvent, { kind: "quote" }> => e.kind === "quote");
    const trades = events.filter((e): e is Extract<BinanceEvent, { kind: "trade" }> => e.kind === "trade");
    expect(quotes.length + trades.length).toBe(expected);
    expect(quotes[0]!.quote.time).toBe(42); // spot bookTicker has no time: stamped on receipt
    for (const q of quotes) expect(q.quote.bid).toBeLessThanOrEqual(q.quote.ask);
    for (const t of trades) expect(["buy", "sell"]).toContain(t.trade.side);
  });

  it("drops a silent socket after silenceMs and reconnects with backoff (virtual time)", () => {
    const s = new VirtualTimeScheduler(VirtualAction, 100_000);
    const quote = (u: number) => ({ stream: "btcusdt@bookTicker", data: { u, s: "BTCUSDT", b: "1", B: "1", a: "2", A: "1" } });
    const fake = new FakeSockets(s, (sock) => {
      sock.autoPong = false;
      if (sock.index === 0) sock.at(10, (x) => x.frame(quote(1))); // then silence
      else sock.at(10, (x) => x.frame(quote(2)));
    });
    const feed = binanceFeed({ baseUrl: "ws://fake", symbols: ["btcusdt"], scheduler: s, socketFactory: fake.factory, silenceMs: 1000, backoff: { initialMs: 500, jitter: 0 } });
    const got: string[] = [];
    const sub = feed.events$.subscribe((e) => got.push(`${s.now()} ${e.kind === "quote" ? e.quote.time : "t"}`));
    s.schedule(() => sub.unsubscribe(), 5000);
    s.flush();
    // socket 0: frame at 10, silence → dropped at 1010; reconnect after 500 ms (1510); frame at 1520
    expect(got.slice(0, 2)).toEqual(["10 10", "1520 1520"]);
    expect(fake.sockets[0]!.closedByClient).toBe(true);
    expect(fake.sockets.length).toBeGreaterThanOrEqual(2);
  });
});
