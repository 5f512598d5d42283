// The paper venue server over loopback: mutated /info and /exchange bodies sent as raw bytes
// (invalid UTF-8 included) to a real startPaperServer on 127.0.0.1:0. Every answer must be a
// client error with a message (HTTP 4xx text, or 200 with {"status":"err","response":…}), never a
// 500 or a dropped connection, and a refused request must not change the venue's state.
import { performance } from "node:perf_hooks";
import fc from "fast-check";
import { startPaperServer, syntheticMarket } from "../../sim/index.js";
import type { FuzzFinding } from "./run.js";
import { type Mutation, type MutationKind, mutationArb } from "./mutate.js";
import type { FuzzSeeds } from "./seeds.js";

export interface LoopbackStats {
  requests: number;
  rejected: number;
  accepted: number;
  serverErrors: number;
  connectionErrors: number;
  noMessage: number;
  stateChanged: number;
  wallMs: number;
  readonly byStatus: Record<string, number>;
  readonly findings: FuzzFinding[];
}

export async function fuzzPaperServer(o: { readonly requests: number; readonly seed: number; readonly seeds: FuzzSeeds }): Promise<LoopbackStats> {
  const server = await startPaperServer({
    market: syntheticMarket({ assets: [{ name: "BTC", startPx: 100_000, szDecimals: 5 }], seed: 5, uninformedPerSec: 0, informedPerSec: 0 }),
    seed: 5,
    accounts: [o.seeds.user],
    ipWeightPerMinute: 1e9,
  });
  const st: LoopbackStats = { requests: 0, rejected: 0, accepted: 0, serverErrors: 0, connectionErrors: 0, noMessage: 0, stateChanged: 0, wallMs: 0, byStatus: {}, findings: [] };
  const t0 = performance.now();
  const ex = server.exchange;
  // What a refused request must not touch: accounts, orders ever placed, the address budget.
  const state = () => ex.users().map((u) => `${u}:${ex.truth(u).orders.length}:${ex.rateLimit(u).nRequestsUsed}`).join("|");
  const arb = fc.oneof(
    ...o.seeds.infoRequests.map((r) => mutationArb(r).map((m) => ({ m, path: "/info" }))),
    ...o.seeds.exchangeRequests.map((r) => mutationArb(r).map((m) => ({ m, path: "/exchange" }))),
  );
  const samples = fc.sample(arb, { seed: o.seed, numRuns: o.requests });
  const find = (m: Mutation, problem: FuzzFinding["problem"], detail: string, path: string) => {
    if (st.findings.filter((f) => f.problem === problem).length < 3)
      st.findings.push({ target: `paper venue server ${path} (loopback)`, kind: m.kind as MutationKind, problem, path: m.path, detail, input: m.text.slice(0, 160) });
  };
  try {
    for (const { m, path } of samples) {
      st.requests++;
      const before = state();
      let status: number;
      let text: string;
      try {
        const res = await fetch(server.url + path, { method: "POST", headers: { "content-type": "application/json" }, body: m.bytes ?? m.text });
        status = res.status;
        text = await res.text();
      } catch (err) {
        st.connectionErrors++;
        find(m, "crash", `connection error: ${err instanceof Error ? err.message : String(err)}`, path);
        continue;
      }
      st.byStatus[status] = (st.byStatus[status] ?? 0) + 1;
      if (status >= 500) {
        st.serverErrors++;
        find(m, "crash", `HTTP ${status}: ${text.slice(0, 200)}`, path);
        continue;
      }
      let refusedWith: string | undefined;
      if (status !== 200) refusedWith = text;
      else {
        try {
          const j = JSON.parse(text) as { status?: unknown; response?: unknown };
          if (j && typeof j === "object" && j.status === "err") refusedWith = typeof j.response === "string" ? j.response : "";
        } catch {
          refusedWith = "";
        }
      }
      if (refusedWith === undefined) {
        st.accepted++;
        continue;
      }
      st.rejected++;
      if (refusedWith.trim().length === 0) {
        st.noMessage++;
        find(m, "noMessage", `HTTP ${status} without a message`, path);
      }
      if (state() !== before) {
        st.stateChanged++;
        find(m, "stateChanged", `HTTP ${status} ${refusedWith.slice(0, 100)} but the venue's state changed`, path);
      }
    }
  } finally {
    await server.close();
  }
  st.wallMs = performance.now() - t0;
  return st;
}
