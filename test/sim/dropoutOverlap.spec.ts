// Regression: a dropout that starts during another one extends the outage to the later end. The
// in-process venue used to reconnect at the first dropout's end, cutting a 90 s catastrophe short
// when a seconds-long dropout overlapped it (a 3 h seed-1 soak: "longDropout … did not trip the kill
// switch"), and the server took the last dropout's end, not the latest.
import { describe, expect, it } from "vitest";
import type { ConnectionState } from "../../streams/venue.js";
import { PaperVenue, simReplayScheduler, syntheticMarket } from "../../sim/index.js";

const T0 = 1_700_000_000_000;

function venueWithLog() {
  const scheduler = simReplayScheduler(T0);
  const market = syntheticMarket({ assets: [{ name: "ETH", startPx: 2_000, szDecimals: 4, volBpsPerSqrtSec: 4 }], seed: 1, durationMs: 300_000 });
  const venue = new PaperVenue({ market, scheduler, seed: 1, faults: "none" });
  const log: string[] = [];
  venue.connection$.subscribe((c: ConnectionState) => log.push(`${(c.time - T0) / 1000}s ${c.status}`));
  return { scheduler, venue, log };
}

describe("overlapping dropouts (paper venue)", () => {
  it("a short dropout inside a long one does not end the outage early", () => {
    const { scheduler, venue, log } = venueWithLog();
    scheduler.schedule(() => venue.exchange.injectDropout(90_000), 10_000);
    scheduler.schedule(() => venue.exchange.injectDropout(5_000), 20_000);
    scheduler.flush();
    expect(log).toEqual(["0s open", "10s reconnecting", "100s open"]);
  });

  it("a long dropout starting inside a short one extends it to the long one's end", () => {
    const { scheduler, venue, log } = venueWithLog();
    scheduler.schedule(() => venue.exchange.injectDropout(5_000), 10_000);
    scheduler.schedule(() => venue.exchange.injectDropout(90_000), 12_000);
    scheduler.flush();
    expect(log).toEqual(["0s open", "10s reconnecting", "102s open"]);
  });

  it("back-to-back dropouts that do not overlap reconnect in between", () => {
    const { scheduler, venue, log } = venueWithLog();
    scheduler.schedule(() => venue.exchange.injectDropout(5_000), 10_000);
    scheduler.schedule(() => venue.exchange.injectDropout(5_000), 20_000);
    scheduler.flush();
    expect(log).toEqual(["0s open", "10s reconnecting", "15s open", "20s reconnecting", "25s open"]);
  });

  it("lets go of a reconnect timer once it ran (a 24 h hostile soak kept all 284); close() cancels one still pending", () => {
    const { scheduler, venue, log } = venueWithLog();
    for (let i = 0; i < 20; i++) scheduler.schedule(() => venue.exchange.injectDropout(5_000), 10_000 + i * 10_000);
    scheduler.schedule(() => venue.exchange.injectDropout(90_000), 220_000);
    scheduler.schedule(() => venue.close(), 250_000);
    const held = venue as unknown as { subs: readonly unknown[]; reconnects: ReadonlySet<unknown> };
    let atLongDropout = -1;
    scheduler.schedule(() => (atLongDropout = held.subs.length + held.reconnects.size), 221_000);
    scheduler.flush();
    expect(atLongDropout).toBe(2 + 1); // the user and dropout feeds, and the long dropout's timer
    expect(held.reconnects.size).toBe(0);
    expect(log.slice(-3)).toEqual(["205s open", "220s reconnecting", "250s closed"]);
  });
});
