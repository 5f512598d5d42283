// The cluster specs' helpers: the in-process cluster (app/clusterInProcess.ts) and two waits.
import type { QuoteflowService } from "../../app/service.js";

export { type InProcessCluster, startInProcessCluster } from "../../app/clusterInProcess.js";

/** Poll `cond` every 10 ms until it holds (resolves the ms it took) or `ms` passes (rejects). */
export async function within(ms: number, cond: () => boolean, what: string): Promise<number> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - t0;
}

/** Does the service have an order resting on any of its assets? */
export function quoting(svc: QuoteflowService): boolean {
  return svc.status().some((s) => s.bid !== undefined || s.ask !== undefined);
}
