// Who may act on the paper venue, and on which account (FACTS §7.2, §7.3, §13): masters, the
// agent (API) wallets they approve, their sub-accounts (`vaultAddress`), builder approvals, and
// one nonce set per signer. The matcher's ledger (PaperExchange) stays keyed by account address;
// this decides which address an action is booked on.
import { keccak256Hex } from "../streams/wire/keccak.js";
import { SimNonceSet } from "./nonces.js";
import { unknownSignerText, vaultNotRegisteredText } from "./texts.js";

/**
 * `faucet` (default): any signer that is not an agent is an account, funded on first sight;
 * `announced`: an address exists once listed or named in /info or a user subscription;
 * `strict`: only listed or funded addresses exist (the real "does not exist" rule).
 */
export type SimAccountsMode = "faucet" | "announced" | "strict";

export interface SimAgent {
  readonly address: string;
  readonly master: string;
  /** "" for the unnamed agent. */
  readonly name: string;
  readonly validUntil: number;
}

export type SimResolved = { readonly ok: true; readonly account: string; readonly master: string; readonly agent: boolean } | { readonly ok: false; readonly text: string };

/** Agents live 180 days unless their name says ` valid_until <ms>` (3P convention, UNCONFIRMED). */
export const SIM_AGENT_LIFETIME_MS = 180 * 86_400_000;

export class SimVenueAccounts {
  private readonly known = new Set<string>();
  private readonly agents = new Map<string, SimAgent>();
  private readonly subs = new Map<string, string>();
  private readonly builders = new Map<string, Map<string, number>>();
  private readonly nonces = new Map<string, SimNonceSet>();

  constructor(
    readonly mode: SimAccountsMode = "faucet",
    initial: readonly string[] = [],
  ) {
    for (const a of initial) this.known.add(a.toLowerCase());
  }

  exists(address: string): boolean {
    const a = address.toLowerCase();
    return this.known.has(a) || this.subs.has(a);
  }

  add(address: string): void {
    this.known.add(address.toLowerCase());
  }

  /** An address named in /info or a subscription (exists from then on in `announced` mode). */
  announce(address: string): void {
    if (this.mode === "announced") this.known.add(address.toLowerCase());
  }

  agent(address: string, now: number): SimAgent | undefined {
    const a = this.agents.get(address.toLowerCase());
    return a && a.validUntil > now ? a : undefined;
  }

  agentsOf(master: string, now: number): SimAgent[] {
    const m = master.toLowerCase();
    return [...this.agents.values()].filter((a) => a.master === m && a.validUntil > now);
  }

  /** approveAgent by `master`: the unnamed agent replaces the unnamed one, a named one the same name (DOC-NONCE). */
  approveAgent(master: string, agentAddress: string, name: string, now: number): void {
    const m = master.toLowerCase();
    const until = /\svalid_until (\d+)$/.exec(name);
    const base = until ? name.slice(0, until.index) : name;
    for (const [addr, a] of this.agents) if (a.master === m && a.name === base) this.agents.delete(addr);
    this.agents.set(agentAddress.toLowerCase(), { address: agentAddress.toLowerCase(), master: m, name: base, validUntil: until ? Number(until[1]) : now + SIM_AGENT_LIFETIME_MS });
  }

  /** A sub-account of `master` named `name`: its address is derived from both, as a fresh key-less account. */
  createSubAccount(master: string, name: string): string {
    const m = master.toLowerCase();
    const addr = "0x" + keccak256Hex(new TextEncoder().encode(`sub:${m}:${name}`)).slice(-40);
    this.subs.set(addr, m);
    return addr;
  }

  subAccountsOf(master: string): string[] {
    const m = master.toLowerCase();
    return [...this.subs].filter(([, owner]) => owner === m).map(([a]) => a);
  }

  /**
   * The account an action signed by `signer` acts on: an approved agent acts for its master; a
   * `vaultAddress` must be a sub-account of that master. A signer that is neither an agent nor an
   * account does not exist — except in `faucet` mode, where it becomes an account.
   */
  resolve(signer: string, vaultAddress: string | null | undefined, now: number): SimResolved {
    const s = signer.toLowerCase();
    const agent = this.agent(s, now);
    let master = agent?.master;
    if (master === undefined) {
      if (!this.known.has(s)) {
        if (this.mode !== "faucet") return { ok: false, text: unknownSignerText(s) };
        this.known.add(s);
      }
      master = s;
    }
    if (vaultAddress == null) return { ok: true, account: master, master, agent: agent !== undefined };
    const v = vaultAddress.toLowerCase();
    if (v === master) return { ok: true, account: master, master, agent: agent !== undefined };
    if (this.subs.get(v) !== master) return { ok: false, text: vaultNotRegisteredText(v) };
    return { ok: true, account: v, master, agent: agent !== undefined };
  }

  nonceSet(signer: string): SimNonceSet {
    const s = signer.toLowerCase();
    let n = this.nonces.get(s);
    if (!n) {
      n = new SimNonceSet();
      this.nonces.set(s, n);
    }
    return n;
  }

  /** approveBuilderFee: `maxFeeRate` as a percentage string ("0.1%") → tenths of a basis point. */
  approveBuilder(user: string, builder: string, maxFeeRate: string): boolean {
    const m = /^(\d+(?:\.\d+)?)%$/.exec(maxFeeRate.trim());
    if (!m) return false;
    const tenthsBps = Math.round(Number(m[1]) * 1000);
    let b = this.builders.get(user.toLowerCase());
    if (!b) {
      b = new Map();
      this.builders.set(user.toLowerCase(), b);
    }
    b.set(builder.toLowerCase(), tenthsBps);
    return true;
  }

  /** The approved maximum builder fee of `user` for `builder`, in tenths of a basis point (0 = none). */
  maxBuilderFee(user: string, builder: string): number {
    return this.builders.get(user.toLowerCase())?.get(builder.toLowerCase()) ?? 0;
  }
}
