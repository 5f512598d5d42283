// The fuzz run: for each boundary, `frames × weight` mutations drawn by fast-check from the seeds
// (one seed number → the same inputs every run), each fed to the boundary and judged against what
// the mutation says must happen. Counted per boundary and per mutation kind.
import { performance } from "node:perf_hooks";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { PaperExchange, simReplayScheduler, syntheticMarket } from "../../sim/index.js";
import { type Mutation, type MutationKind, mutationArb } from "./mutate.js";
import { fuzzSeeds } from "./seeds.js";
import {
  type Outcome,
  decodeExchangeRequestText,
  decodeExchangeResponseText,
  decodeInfoBodyText,
  decodeWsFrameText,
  exchangeFingerprint,
  loadConfigText,
  venueInfoText,
} from "./targets.js";
import { fuzzPaperServer, type LoopbackStats } from "./loopback.js";

export interface FuzzOptions {
  readonly frames: number;
  readonly seed: number;
  /** Requests sent to the paper venue server over loopback (default min(1000, frames / 100)). */
  readonly loopback?: number;
}

export interface FuzzFinding {
  readonly target: string;
  readonly kind: MutationKind;
  readonly problem: "crash" | "acceptedBad" | "notSame" | "noMessage" | "stateChanged";
  readonly path: string;
  readonly detail: string;
  /** The input, shortened. */
  readonly input: string;
}

export interface FuzzTargetStats {
  readonly target: string;
  frames: number;
  rejected: number;
  accepted: number;
  /** "reject" mutations (bad by construction) and how many were rejected with a message. */
  bad: number;
  badRejected: number;
  crashes: number;
  acceptedBad: number;
  notSame: number;
  noMessage: number;
  stateChanged: number;
  wallMs: number;
  readonly byKind: Partial<Record<MutationKind, { n: number; rejected: number }>>;
}

export interface FuzzResult {
  readonly options: FuzzOptions;
  readonly targets: FuzzTargetStats[];
  readonly loopback: LoopbackStats | undefined;
  readonly findings: FuzzFinding[];
  readonly wallMs: number;
  readonly ok: boolean;
}

interface Target {
  readonly name: string;
  readonly weight: number;
  readonly arb: fc.Arbitrary<{ m: Mutation; base: string; ctx: number }>;
  /** Feed one input; `ctx` picks the seed it came from. */
  feed(text: string, ctx: number): Outcome;
  /** State that must not change on a rejection (undefined: stateless). */
  state?(): string;
  /** Override the mutation's expectation (a boundary that ignores some fields). */
  expect?(m: Mutation): Mutation["expect"];
}

function seeded<T>(bases: readonly T[], toValue: (b: T) => unknown, opts?: Parameters<typeof mutationArb>[1]): fc.Arbitrary<{ m: Mutation; base: string; ctx: number }> {
  return fc.oneof(...bases.map((b, ctx) => mutationArb(toValue(b), opts).map((m) => ({ m, base: JSON.stringify(toValue(b)), ctx }))));
}

function short(s: string): string {
  const t = s.length > 160 ? `${s.slice(0, 120)}…(${s.length} chars)…${s.slice(-20)}` : s;
  return t.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Mutations that change one value in place (or remove it). */
const VALUE_KINDS = new Set<MutationKind>(["invalidUtf8", "wrongType", "nullified", "deepNesting", "badNumber", "badNumericString", "hugeString", "hugeNumber", "missingField"]);

function allPaths(v: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (at.length > 0) out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => allPaths(x, [...at, i], out));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) allPaths(x, [...at, k], out);
  return out;
}

function replaced(v: unknown, p: (string | number)[], with_: unknown, i = 0): unknown {
  if (i === p.length) return with_;
  const k = p[i]!;
  if (Array.isArray(v)) return v.map((x, j) => (j === k ? replaced(x, p, with_, i + 1) : x));
  return Object.fromEntries(Object.entries(v as object).map(([kk, x]) => [kk, kk === k ? replaced(x, p, with_, i + 1) : x]));
}

/**
 * The paths a boundary does not read: replacing the value there with a probe object changes
 * nothing in what it returns. A bad value at such a path must be ignored the same way (the
 * mutation's expectation becomes "same"), not rejected.
 */
function ignoredPaths(base: unknown, feed: (text: string) => Outcome): Set<string> {
  const b = feed(JSON.stringify(base));
  const out = new Set<string>();
  if (!b.accepted) return out;
  for (const p of allPaths(base)) {
    const o = feed(JSON.stringify(replaced(base, p, { "\u0000probe": 1 })));
    if (o.accepted && isDeepStrictEqual(o.value, b.value)) out.add("$" + p.map((k) => `.${k}`).join(""));
  }
  return out;
}

/**
 * Objects the boundary reads as records (key → value maps such as allMids' `mids`): adding a key
 * with a copy of a sibling's value is accepted and changes the output. An extra or duplicated key
 * there is data, not an unknown field.
 */
function recordPaths(base: unknown, feed: (text: string) => Outcome): Set<string> {
  const b = feed(JSON.stringify(base));
  const out = new Set<string>();
  if (!b.accepted) return out;
  const objs: (string | number)[][] = [[], ...allPaths(base)];
  for (const p of objs) {
    let v: unknown = base;
    for (const k of p) v = (v as Record<string | number, unknown>)[k];
    if (v === null || typeof v !== "object" || Array.isArray(v)) continue;
    const first = Object.values(v)[0];
    if (first === undefined) continue;
    const o = feed(JSON.stringify(replaced(base, p, { ...(v as object), zz_probe: first })));
    if (o.accepted && !isDeepStrictEqual(o.value, b.value)) out.add("$" + p.map((k) => `.${k}`).join(""));
  }
  return out;
}

function underIgnored(path: string, ignored: Set<string>): boolean {
  for (let p = path; p.length > 1; p = p.slice(0, Math.max(1, p.lastIndexOf(".")))) if (ignored.has(p)) return true;
  return false;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const wall0 = performance.now();
  const s = fuzzSeeds();
  const venue = new PaperExchange({ market: syntheticMarket({ assets: [{ name: "BTC", startPx: 100_000, szDecimals: 5 }], seed: 3 }), scheduler: simReplayScheduler(Date.UTC(2026, 0, 1)), seed: 3 });
  venue.account(s.user);
  const assetName = (id: number) => venue.assetById(id)?.name;
  const targets: Target[] = [
    { name: "WS frames (envelope + channel decoders)", weight: 0.4, arb: seeded(s.wsFrames, (f) => f), feed: (t) => decodeWsFrameText(t) },
    { name: "HTTP /info answers (info decoders)", weight: 0.15, arb: seeded(s.infoBodies, (b) => b.body), feed: (t, i) => decodeInfoBodyText(s.infoBodies[i]!.type, t) },
    { name: "HTTP /exchange answers", weight: 0.1, arb: seeded(s.exchangeResponses, (r) => r.body), feed: (t, i) => decodeExchangeResponseText(s.exchangeResponses[i]!.batch, t) },
    { name: "config loader (.json)", weight: 0.08, arb: seeded([s.config], (c) => c, { strictKeys: true }), feed: (t) => loadConfigText(t, "fuzz.json") },
    { name: "config loader (.yaml)", weight: 0.02, arb: seeded([s.config], (c) => c, { strictKeys: true, yamlDupKeys: true, maxSize: 2_000 }), feed: (t) => loadConfigText(t, "fuzz.yaml") },
    {
      name: "paper venue /info handler",
      weight: 0.1,
      arb: seeded(s.infoRequests, (r) => r),
      feed: (t) => venueInfoText(venue, t),
      state: () => exchangeFingerprint(venue),
    },
    { name: "paper venue /exchange request decode", weight: 0.15, arb: seeded(s.exchangeRequests, (r) => r), feed: (t) => decodeExchangeRequestText(t, assetName), state: () => exchangeFingerprint(venue) },
  ];
  const findings: FuzzFinding[] = [];
  const stats: FuzzTargetStats[] = [];
  for (const [ti, target] of targets.entries()) {
    const st: FuzzTargetStats = { target: target.name, frames: 0, rejected: 0, accepted: 0, bad: 0, badRejected: 0, crashes: 0, acceptedBad: 0, notSame: 0, noMessage: 0, stateChanged: 0, wallMs: 0, byKind: {} };
    const t0 = performance.now();
    stats.push(st);
    const baseOutcome = new Map<number, Outcome>();
    const find = (m: Mutation, problem: FuzzFinding["problem"], detail: string, text: string) => {
      if (findings.filter((f) => f.target === target.name && f.problem === problem && f.kind === m.kind).length < 3) findings.push({ target: target.name, kind: m.kind, problem, path: m.path, detail, input: short(text) });
    };
    const runs = Math.max(1, Math.round(o.frames * target.weight));
    const ignored = new Map<number, Set<string>>();
    const records = new Map<number, Set<string>>();
    const recordAt = (ctx: number, base: string) => {
      let set = records.get(ctx);
      if (!set) records.set(ctx, (set = recordPaths(JSON.parse(base), (t) => target.feed(t, ctx))));
      return set;
    };
    const ignoredAt = (ctx: number, base: string) => {
      let set = ignored.get(ctx);
      if (!set) ignored.set(ctx, (set = ignoredPaths(JSON.parse(base), (t) => target.feed(t, ctx))));
      return set;
    };
    const check = fc.check(
      fc.property(target.arb, ({ m, base, ctx }) => {
        st.frames++;
        const k = (st.byKind[m.kind] ??= { n: 0, rejected: 0 });
        k.n++;
        const parent = m.path.slice(0, Math.max(1, m.path.lastIndexOf(".")));
        const expect =
          VALUE_KINDS.has(m.kind) && underIgnored(m.path, ignoredAt(ctx, base))
            ? "same"
            : (m.kind === "extraField" || (m.kind === "duplicatedKey" && m.expect === "same")) && recordAt(ctx, base).has(parent)
              ? "either"
              : target.expect
                ? target.expect(m)
                : m.expect;
        if (expect === "reject") st.bad++;
        const before = target.state?.();
        let out: Outcome;
        try {
          out = target.feed(m.text, ctx);
        } catch (err) {
          st.crashes++;
          find(m, "crash", err instanceof Error ? `${err.name}: ${err.message}` : String(err), m.text);
          return true;
        }
        if (!out.accepted) {
          st.rejected++;
          k.rejected++;
          if (expect === "reject") st.badRejected++;
          if (out.message.trim().length === 0) {
            st.noMessage++;
            find(m, "noMessage", "rejected without a message", m.text);
          }
          if (before !== undefined && target.state!() !== before) {
            st.stateChanged++;
            find(m, "stateChanged", "a refused request changed the venue's state", m.text);
          }
        } else st.accepted++;
        if (expect === "reject" && out.accepted) {
          st.acceptedBad++;
          find(m, "acceptedBad", `accepted: ${short(JSON.stringify(out.value) ?? "undefined")}`, m.text);
        }
        if (expect === "same") {
          let b = baseOutcome.get(ctx);
          if (!b) baseOutcome.set(ctx, (b = target.feed(base, ctx)));
          if (!out.accepted || !b.accepted || !isDeepStrictEqual(out.value, b.value)) {
            st.notSame++;
            find(m, "notSame", out.accepted ? "decoded differently from the original" : `rejected: ${out.message}`, m.text);
          }
        }
        return true;
      }),
      { seed: o.seed + ti, numRuns: runs },
    );
    st.wallMs = performance.now() - t0;
    // The property only throws when the harness itself failed (a boundary's throw is caught above).
    if (check.failed) throw new Error(`fuzz harness failed on ${target.name}: ${check.errorInstance instanceof Error ? (check.errorInstance.stack ?? check.errorInstance.message) : String(check.errorInstance)}`);
  }
  const nLoop = o.loopback ?? Math.min(1000, Math.floor(o.frames / 100));
  const loopback = nLoop > 0 ? await fuzzPaperServer({ requests: nLoop, seed: o.seed, seeds: s }) : undefined;
  if (loopback) for (const f of loopback.findings) findings.push(f);
  const ok = stats.every((t) => t.crashes === 0 && t.acceptedBad === 0 && t.notSame === 0 && t.noMessage === 0 && t.stateChanged === 0) && (loopback?.findings.length ?? 0) === 0;
  return { options: o, targets: stats, loopback, findings, wallMs: performance.now() - wall0, ok };
}
