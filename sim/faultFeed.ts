// Fault layer around the market feed: malformed frames, crossed-book glitches, stale periods.
// Matching never sees these; only what is published does. Each firing is logged. Draws come from
// the exchange's seeded fault stream (shared by the three layers, in the order the venue meets
// them, so a seed replays the same faults).
import type { BookEvent } from "../streams/market.js";
import type { SimFaultConfig, SimFaultRecord } from "./faults.js";
import type { SimRng } from "./prng.js";

export class SimFeedFaults {
  private readonly staleUntil = new Map<string, number>();

  constructor(
    private readonly config: SimFaultConfig,
    private readonly rng: SimRng,
    private readonly log: (f: SimFaultRecord) => void,
  ) {}

  isStale(asset: string, now: number): boolean {
    return (this.staleUntil.get(asset) ?? -Infinity) > now;
  }

  /** A stale period on one of `assets` (the seeded stale clock calls this). */
  goStale(assets: readonly string[], now: number, durationMs: (rng: SimRng) => number): void {
    if (assets.length === 0) return;
    const asset = this.rng.pick(assets);
    const until = now + durationMs(this.rng);
    this.staleUntil.set(asset, until);
    this.log({ kind: "staleFeed", time: now, asset, until });
  }

  /** The broken text to publish instead of this book, or undefined. */
  malformedBook(asset: string, now: number): string | undefined {
    if (!this.rng.chance(this.config.malformedFrameProb)) return undefined;
    this.log({ kind: "malformedFrame", time: now, asset, detail: "l2Book" });
    return `{"channel":"l2Book","data":{"coin":"${asset}","time":${now},"levels":[[{"px":`;
  }

  /** The book as published: now and then a crossed glitch (the bid side shifted above the asks for one frame). */
  publishedBook(book: BookEvent, now: number): BookEvent {
    if (!(this.rng.chance(this.config.crossedBookProb) && book.bids[0] && book.asks[0])) return book;
    const shift = book.asks[0].px - book.bids[0].px + (book.asks[1] ? book.asks[1].px - book.asks[0].px : 1);
    const out = { ...book, bids: book.bids.map((l) => ({ ...l, px: l.px + shift })) };
    this.log({ kind: "crossedBook", time: now, asset: book.asset, detail: `bid ${out.bids[0]!.px} ask ${out.asks[0]!.px}` });
    return out;
  }
}
