// Binance reference feed (FACTS §11): one combined-stream socket for bookTicker and trade /
// aggTrade streams, decoded with streams/wire's Binance codecs. A silent socket (no frame for
// `silenceMs`) is dropped; reconnects back off like the Hyperliquid client; frames that do not
// decode become DecodeErrorEvents and the feed goes on. Time comes from the scheduler.
import {
  EMPTY,
  Observable,
  Subject,
  asyncScheduler,
  defer,
  mergeMap,
  of,
  retry,
  share,
  timeout,
  timer,
  type SchedulerLike,
} from "rxjs";
import {
  BinanceStreamEnvelope,
  binanceStreamKind,
  decodeBinanceBookTicker,
  decodeBinanceTrade,
  decodeErrorEvent,
  decodeWith,
  type DecodeErrorEvent,
  type ReferenceQuote,
  type TradeEvent,
} from "../../streams/index.js";
import { HlSocketClosedError } from "../hyperliquid/errors.js";
import { wsSocketFactory, type HlSocketFactory } from "../hyperliquid/socket.js";

export interface BinanceFeedOptions {
  /** Base, e.g. `wss://data-stream.binance.vision` (spot) or `wss://fstream.binance.com/public` (futures bookTicker). */
  readonly baseUrl: string;
  /** Lower-case symbols, e.g. ["btcusdt"]. */
  readonly symbols: readonly string[];
  /** Streams per symbol (default ["bookTicker"]). */
  readonly streams?: readonly ("bookTicker" | "trade" | "aggTrade")[];
  readonly scheduler?: SchedulerLike;
  readonly socketFactory?: HlSocketFactory;
  /** Drop the socket after this long without a frame, ms (default 10 000). */
  readonly silenceMs?: number;
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number; readonly jitter?: number };
  readonly random?: () => number;
  /** Receive-time clock for spot bookTicker frames, which carry no time (default scheduler.now). */
  readonly now?: () => number;
}

export type BinanceEvent = { readonly kind: "quote"; readonly quote: ReferenceQuote } | { readonly kind: "trade"; readonly trade: TradeEvent };

export interface BinanceFeed {
  /** Quotes and trades in arrival order; shared, connected while subscribed. */
  readonly events$: Observable<BinanceEvent>;
  readonly decodeErrors$: Observable<DecodeErrorEvent>;
  readonly url: string;
}

/** The combined-stream URL: `{base}/stream?streams=btcusdt@bookTicker/btcusdt@trade`. */
export function binanceStreamUrl(baseUrl: string, symbols: readonly string[], streams: readonly string[]): string {
  const names = symbols.flatMap((s) => streams.map((k) => `${s.toLowerCase()}@${k}`));
  return `${baseUrl.replace(/\/+$/, "")}/stream?streams=${names.join("/")}`;
}

export function binanceFeed(options: BinanceFeedOptions): BinanceFeed {
  const scheduler = options.scheduler ?? asyncScheduler;
  const factory = options.socketFactory ?? wsSocketFactory;
  const silenceMs = options.silenceMs ?? 10_000;
  const initial = options.backoff?.initialMs ?? 1_000;
  const max = options.backoff?.maxMs ?? 60_000;
  const jitter = options.backoff?.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  const now = options.now ?? (() => scheduler.now());
  const url = binanceStreamUrl(options.baseUrl, options.symbols, options.streams ?? ["bookTicker"]);
  const decodeErrors = new Subject<DecodeErrorEvent>();
  const report = (source: string, message: string): Observable<never> => {
    decodeErrors.next(decodeErrorEvent(source, message, scheduler.now()));
    return EMPTY;
  };

  const frames$ = defer(
    () =>
      new Observable<string>((subscriber) => {
        const socket = factory(url, {
          open: () => undefined,
          message: (text) => subscriber.next(text),
          closed: (code, reason) => subscriber.error(new HlSocketClosedError(code, reason)),
        });
        return () => socket.close();
      }),
  ).pipe(
    timeout({ each: silenceMs, scheduler }),
    retry({
      resetOnSuccess: true,
      delay: (_e: unknown, n: number) => timer(Math.round(Math.min(max, initial * 2 ** (n - 1)) * (1 - jitter * random())), scheduler),
    }),
  );

  const events$ = frames$.pipe(
    mergeMap((text): Observable<BinanceEvent> => {
      let u: unknown;
      try {
        u = JSON.parse(text);
      } catch {
        return report("binance", `binance frame: $: not JSON: ${JSON.stringify(text.slice(0, 40))}`);
      }
      const env = decodeWith(BinanceStreamEnvelope, u, "binance frame");
      if (!env.ok) return report("binance", env.error.message);
      const kind = binanceStreamKind(env.value.stream);
      const source = `binance:${env.value.stream}`;
      if (kind === "bookTicker") {
        const r = decodeBinanceBookTicker(env.value.data, now(), source);
        return r.ok ? of({ kind: "quote", quote: r.value }) : report(source, r.error.message);
      }
      if (kind === "trade" || kind === "aggTrade") {
        const r = decodeBinanceTrade(env.value.data, source);
        return r.ok ? of({ kind: "trade", trade: r.value }) : report(source, r.error.message);
      }
      return EMPTY;
    }),
    share(),
  );

  return { events$, decodeErrors$: decodeErrors.asObservable(), url };
}
