// Protocol hot paths: L1 signing of a 10-order batch (ours — the native libsecp256k1 backend, and
// the pure-JS fallback — vs @nktkas/hyperliquid in the same run), and decoding a real l2Book /
// trades frame vs a bare JSON.parse of the same text.
import { Wallet } from "ethers";
import { signL1Action as nkSignL1Action } from "@nktkas/hyperliquid/signing";
import { getBytes } from "ethers";
import { actionHash, decodeHlBook, decodeHlTrades, encodeAction, l1Digest, secp256k1Backend, signL1ActionSync, type ActionBatch, type AssetMeta } from "../../streams/index.js";
import { loadSecp256k1Backend } from "../../streams/wire/signer.js";
import type { BenchRow } from "./table.js";
import { realFrames } from "./data.js";

const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** CPU time of this process so far, in ms (user + system): a descheduled process's wall time is noise. */
function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

/**
 * Time two functions in alternating rounds (the machine is shared, so load drifts): returns the
 * median µs/op (CPU time) of each and the median of the per-round ratios b/a.
 */
async function compare(
  a: () => unknown,
  b: () => unknown,
  iters: number,
  rounds = 11,
): Promise<{ a: number; b: number; ratio: number }> {
  for (let i = 0; i < Math.min(iters, 100); i++) {
    await a();
    await b();
  }
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t0 = cpuMs();
    for (let i = 0; i < iters; i++) await a();
    const ta = ((cpuMs() - t0) * 1000) / iters;
    t0 = cpuMs();
    for (let i = 0; i < iters; i++) await b();
    const tb = ((cpuMs() - t0) * 1000) / iters;
    as.push(ta);
    bs.push(tb);
    ratios.push(tb / ta);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

function tenOrderAction(): object {
  const meta: AssetMeta[] = [{ name: "BTC", id: 0, szDecimals: 5, maxLeverage: 50, isSpot: false }];
  const batch: ActionBatch = {
    type: "order",
    orders: Array.from({ length: 10 }, (_, i) => ({
      asset: "BTC",
      isBuy: i < 5,
      px: i < 5 ? 100_000 - i * 7 : 100_010 + i * 7,
      sz: 0.001 * (i + 1),
      tif: "Alo" as const,
      reduceOnly: false,
      cloid: "0x" + (i + 1).toString(16).padStart(32, "0"),
    })),
  };
  return encodeAction(batch, new Map(meta.map((m) => [m.name, m])));
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  // ---- signing
  const action = tenOrderAction() as Record<string, unknown>;
  const wallet = new Wallet(KEY);
  const backend = secp256k1Backend();
  let nonce = 1_700_000_000_000;
  const sign = await compare(
    () => signL1ActionSync({ wallet, action, nonce: nonce++, isMainnet: false }),
    () => nkSignL1Action({ wallet, action, nonce: nonce++, isTestnet: true }),
    40,
  );
  // sanity: both sign the same bytes
  const a = signL1ActionSync({ wallet, action, nonce: 1, isMainnet: false });
  const b = await nkSignL1Action({ wallet, action, nonce: 1, isTestnet: true });
  if (a.r !== b.r || a.s !== b.s || a.v !== b.v) throw new Error("signatures differ from @nktkas/hyperliquid");
  rows.push({
    name: `signL1Action, 10-order batch (ours, sync; secp256k1 backend: ${backend.name === "native" ? "native libsecp256k1" : `pure JS — ${backend.fallbackReason ?? "?"}`})`,
    value: sign.a,
    unit: "µs/op",
    baseline: { name: "@nktkas/hyperliquid signL1Action (ethers Wallet)", value: sign.b, unit: "µs/op" },
    ratio: sign.ratio,
    ratioLabel: "× faster (median of rounds)",
    goal: "≥ 6× faster",
    met: sign.ratio >= 6,
  });
  // the fallback: the same L1 preimage, digest and RFC 6979 signature with the pure-JS signer
  const js = loadSecp256k1Backend(undefined, { QF_SECP256K1: "js" }).signer(getBytes(KEY));
  const jsSign = (n: number) => js.sign(getBytes(l1Digest(actionHash(action, null, n), false)));
  const jsSig = jsSign(1);
  if (jsSig.r !== b.r || jsSig.s !== b.s || jsSig.v !== b.v) throw new Error("pure-JS fallback signature differs from @nktkas/hyperliquid");
  const signJs = await compare(
    () => jsSign(nonce++),
    () => nkSignL1Action({ wallet, action, nonce: nonce++, isTestnet: true }),
    40,
  );
  rows.push({
    name: "signL1Action, 10-order batch, pure-JS fallback signer (secp256k1.ts)",
    value: signJs.a,
    unit: "µs/op",
    baseline: { name: "@nktkas/hyperliquid signL1Action (ethers Wallet)", value: signJs.b, unit: "µs/op" },
    ratio: signJs.ratio,
    ratioLabel: "× faster (median of rounds)",
  });

  // ---- decoding
  const { book, trades } = realFrames();
  const bookT = await compare(
    () => JSON.parse(book),
    () => decodeHlBook((JSON.parse(book) as { data: unknown }).data),
    2000,
  );
  rows.push({
    name: `l2Book frame → BookEvent (JSON.parse + decode, ${book.length} B, 20+20 levels)`,
    value: bookT.b,
    unit: "µs/frame",
    baseline: { name: "bare JSON.parse", value: bookT.a, unit: "µs/frame" },
    ratio: bookT.ratio,
    ratioLabel: "× JSON.parse",
    goal: "≤ 2×",
    met: bookT.ratio <= 2,
  });
  const tradesT = await compare(
    () => JSON.parse(trades),
    () => decodeHlTrades((JSON.parse(trades) as { data: unknown }).data),
    2000,
  );
  const nTrades = ((JSON.parse(trades) as { data: unknown[] }).data).length;
  rows.push({
    name: `trades frame → TradeEvent[] (JSON.parse + decode, ${trades.length} B, ${nTrades} trades)`,
    value: tradesT.b,
    unit: "µs/frame",
    baseline: { name: "bare JSON.parse", value: tradesT.a, unit: "µs/frame" },
    ratio: tradesT.ratio,
    ratioLabel: "× JSON.parse",
    goal: "≤ 1.5×",
    met: tradesT.ratio <= 1.5,
  });
  return rows;
}
