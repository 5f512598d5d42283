// A reserveRequestWeight purchase through the shared quota authority (README "Scale-out with
// Redis"): with the shared address budget in its placement reserve, a placement is refused and the
// purchase goes (judged like a cancel), and what it bought raises the shared cap once the executor
// feeds it back (the core's volume command).
import { Subject, VirtualTimeScheduler } from "rxjs";
import { describe, expect, it } from "vitest";
import { MemoryQuotaAuthority } from "../../quota/memory.js";
import { SharedQuota, authorityGate } from "../../quota/gate.js";
import type { ActionBatch } from "../../streams/actions.js";

describe("authorityGate and a purchase", () => {
  it("refuses a placement in the reserve but lets the purchase through; the bought requests raise the shared cap", async () => {
    const s = new VirtualTimeScheduler();
    const a = new MemoryQuotaAuthority({ ipWeightLimit: 1200, addressInitialBuffer: 200, reserveFraction: 0.05, reservationTtlMs: 30_000 }, s);
    await a.applySnapshot({ cumVlm: 0, nRequestsUsed: 195, nRequestsCap: 200, nRequestsSurplus: 0 });
    const shared = new SharedQuota(a, { processId: "p" }, s);
    const src = new Subject<ActionBatch>();
    const volume$ = new Subject<number>();
    const out: string[] = [];
    const refused: string[] = [];
    src.pipe(authorityGate(shared, { volume$ }, (b, r) => refused.push(`${b.type}:${r}`))).subscribe((b) => out.push(b.type));
    const place: ActionBatch = { type: "order", orders: [{ asset: "BTC", isBuy: true, px: 1, sz: 1, tif: "Alo", reduceOnly: false, cloid: "0x" + "1".padStart(32, "0") }] };
    src.next(place);
    src.next({ type: "reserveRequestWeight", weight: 1000 });
    for (let k = 0; k < 10; k++) await Promise.resolve();
    expect(refused).toEqual(["order:reserve"]);
    expect(out).toEqual(["reserveRequestWeight"]);
    volume$.next(1000);
    for (let k = 0; k < 10; k++) await Promise.resolve();
    expect(a.ledger.cap).toBe(1200);
    src.next(place);
    for (let k = 0; k < 10; k++) await Promise.resolve();
    expect(out).toEqual(["reserveRequestWeight", "order"]);
  });
});
