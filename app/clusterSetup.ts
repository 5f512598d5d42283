// What the cluster launcher and the cluster specs share: one master account approving one agent
// key per process on a paper venue (as live: "an API wallet per trading process", FACTS §13), and
// the venue-side tally of what every process together spent (the paper venue is the one place
// that sees all of them: loopback = one IP).
import { Wallet } from "ethers";
import type { PaperServer } from "../sim/server.js";
import { signedApproveAgentBody } from "../streams/wire/userSigned.js";

export interface ClusterAccount {
  readonly master: Wallet;
  readonly agents: readonly Wallet[];
}

/** A fresh master approves `n` agents (`approveAgent`, user-signed) on the paper venue at `url`. */
export async function approveClusterAgents(url: string, n: number, master: Wallet = Wallet.createRandom() as unknown as Wallet): Promise<ClusterAccount> {
  const agents: Wallet[] = [];
  for (let i = 0; i < n; i++) {
    const agent = Wallet.createRandom() as unknown as Wallet;
    const body = signedApproveAgentBody({ wallet: master.privateKey, agentAddress: agent.address, agentName: `quoteflow-${i + 1}`, nonce: Date.now() + i, isMainnet: false });
    const res = await fetch(`${url}/exchange`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const text = await res.text();
    if ((JSON.parse(text) as { status?: unknown }).status !== "ok") throw new Error(`paper venue refused approveAgent for process ${i + 1}: ${text.slice(0, 200)}`);
    agents.push(agent);
  }
  return { master, agents };
}

/** Venue-side tally (all processes together): IP weight charged, 429s, address-limited answers. */
export interface VenueTally {
  /** Weight charged per IP, with the time it was charged (paper venue clock, ms). */
  readonly charges: { readonly time: number; readonly weight: number }[];
  http429: number;
  addressLimited: number;
  /** Placement and modify batches that reached the venue (any answer). */
  placements: number;
  cancels: number;
  /** The most weight any rolling 60 s held. */
  maxWindow(): number;
  total(): number;
}

/** Count what the paper venue charges and refuses (wraps its `chargeIp` and `submit`; nothing else changes). */
export function tallyVenue(server: PaperServer): VenueTally {
  const ex = server.exchange;
  const tally: VenueTally = {
    charges: [],
    http429: 0,
    addressLimited: 0,
    placements: 0,
    cancels: 0,
    maxWindow() {
      let best = 0;
      let sum = 0;
      let head = 0;
      for (const c of this.charges) {
        sum += c.weight;
        while (this.charges[head]!.time <= c.time - 60_000) sum -= this.charges[head++]!.weight;
        best = Math.max(best, sum);
      }
      return best;
    },
    total() {
      return this.charges.reduce((s, c) => s + c.weight, 0);
    },
  };
  const chargeIp = ex.chargeIp.bind(ex);
  ex.chargeIp = (ip: string, weight: number): boolean => {
    const ok = chargeIp(ip, weight);
    if (ok) tally.charges.push({ time: ex.now(), weight });
    else tally.http429++;
    return ok;
  };
  const submit = ex.submit.bind(ex);
  ex.submit = (user, batch, reply, opts) => {
    if (batch.type === "order" || batch.type === "batchModify") tally.placements++;
    else tally.cancels++;
    return submit(
      user,
      batch,
      (r) => {
        if (r.http !== 429 && !r.result.ok && r.result.rateLimited) tally.addressLimited++;
        reply(r);
      },
      opts,
    );
  };
  return tally;
}
