import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { type Observable, Subject, type Subscription, filter, from, map, mergeMap } from "rxjs";
import { SimFeedRouter } from "../../sim/feedRouter.js";
import type { SimFeedEvent } from "../../sim/exchangeTypes.js";

// The router against what PaperVenue did before it: a filter (and map / mergeMap) on the feed per
// subscription. Scripts of subscribe / unsubscribe / feed events / feed end, subscribers that
// unsubscribe themselves or subscribe another route from inside next(); the logs must be equal.
const ASSETS = ["BTC", "ETH", "xyz:GOLD"] as const;
type Kind = "book" | "trade" | "ref" | "malformed";

function reference(feed$: Observable<SimFeedEvent>, kind: Kind, asset: string): Observable<unknown> {
  if (kind === "book") return feed$.pipe(filter((e) => e.kind === "book" && e.book.asset === asset), map((e) => (e as Extract<SimFeedEvent, { kind: "book" }>).book));
  if (kind === "trade") return feed$.pipe(filter((e) => e.kind === "trades" && e.asset === asset), mergeMap((e) => from((e as Extract<SimFeedEvent, { kind: "trades" }>).trades)));
  if (kind === "malformed") return feed$.pipe(filter((e) => e.kind === "malformed"));
  return feed$.pipe(filter((e) => e.kind === "ref" && e.quote.asset === asset), map((e) => (e as Extract<SimFeedEvent, { kind: "ref" }>).quote));
}

type Op =
  | { op: "sub"; kind: Kind; asset: number; react: "none" | "unsubSelf" | "subOther" }
  | { op: "unsub"; which: number }
  | { op: "event"; kind: "book" | "trades" | "ref" | "malformed"; asset: number; n: number }
  | { op: "complete" }
  | { op: "error" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant("sub" as const), kind: fc.constantFrom<Kind>("book", "trade", "ref", "malformed"), asset: fc.nat(2), react: fc.constantFrom("none" as const, "none" as const, "unsubSelf" as const, "subOther" as const) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("unsub" as const), which: fc.nat(10) }) },
  { weight: 8, arbitrary: fc.record({ op: fc.constant("event" as const), kind: fc.constantFrom("book" as const, "trades" as const, "ref" as const, "malformed" as const), asset: fc.nat(2), n: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ op: "complete" as const }) },
  { weight: 1, arbitrary: fc.constant({ op: "error" as const }) },
);

let seq = 0;
function eventOf(o: Extract<Op, { op: "event" }>): SimFeedEvent {
  const asset = ASSETS[o.asset]!;
  const time = seq++;
  if (o.kind === "book") return { kind: "book", book: { asset, time, bids: [], asks: [] } };
  if (o.kind === "ref") return { kind: "ref", quote: { asset, time, bid: 1, ask: 2 } as never };
  if (o.kind === "malformed") return { kind: "malformed", channel: "l2Book", asset, time, text: "{" };
  return { kind: "trades", asset, trades: Array.from({ length: o.n }, (_, k) => ({ asset, time, tid: time * 10 + k, px: 1, sz: 1, side: "B", users: ["a", "b"], hash: "0x" }) as never) };
}

function run(route: (feed$: Observable<SimFeedEvent>) => (kind: Kind, asset: string) => Observable<unknown>, ops: readonly Op[]): string[] {
  seq = 0;
  const feed = new Subject<SimFeedEvent>();
  const open = route(feed.asObservable());
  const log: string[] = [];
  const subs: Subscription[] = [];
  let ids = 0;
  const subscribe = (kind: Kind, asset: string, react: Extract<Op, { op: "sub" }>["react"]): void => {
    const id = ids++;
    let self: Subscription | undefined;
    const s = open(kind, asset).subscribe({
      next: (v) => {
        log.push(`${id} ${kind} ${asset} ${JSON.stringify(v)}`);
        if (react === "unsubSelf") self?.unsubscribe();
        else if (react === "subOther" && ids < 30) subscribe(kind === "book" ? "trade" : "book", asset, "none");
      },
      error: (e: unknown) => log.push(`${id} error ${String(e)}`),
      complete: () => log.push(`${id} complete`),
    });
    self = s;
    subs.push(s);
  };
  for (const o of ops) {
    if (o.op === "sub") subscribe(o.kind, ASSETS[o.asset]!, o.react);
    else if (o.op === "unsub") subs[o.which]?.unsubscribe();
    else if (o.op === "event") feed.next(eventOf(o));
    else if (o.op === "complete") feed.complete();
    else feed.error("feed failed");
    log.push(`feed observed: ${feed.observed}`);
  }
  return log;
}

describe("SimFeedRouter", () => {
  it("delivers what a filter per subscription delivered, in the same order, for any script", () => {
    const routed = (feed$: Observable<SimFeedEvent>) => {
      const r = new SimFeedRouter(feed$);
      return (kind: Kind, asset: string): Observable<unknown> => (kind === "book" ? r.book(asset) : kind === "trade" ? r.trade(asset) : kind === "malformed" ? r.malformed() : r.reference(asset));
    };
    const filtered = (feed$: Observable<SimFeedEvent>) => (kind: Kind, asset: string) => reference(feed$, kind, asset);
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        expect(run(routed, ops).join("\n")).toEqual(run(filtered, ops).join("\n"));
      }),
      { numRuns: 2000 },
    );
  });

  it("holds one feed subscription while any route has subscribers, none after the last leaves", () => {
    const feed = new Subject<SimFeedEvent>();
    const r = new SimFeedRouter(feed);
    const a = r.book("BTC").subscribe();
    const b = r.trade("ETH").subscribe();
    expect(feed.observers.length).toBe(1);
    a.unsubscribe();
    expect(feed.observers.length).toBe(1);
    b.unsubscribe();
    expect(feed.observed).toBe(false);
    const c = r.reference("BTC").subscribe();
    expect(feed.observers.length).toBe(1);
    c.unsubscribe();
  });
});
