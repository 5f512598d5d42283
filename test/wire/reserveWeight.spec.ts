// reserveRequestWeight on the wire (FACTS §5.6, §13): the action `{type, weight}` in the signed key
// order, its msgpack bytes, its L1 action hash and signature bit-identical to @nktkas/hyperliquid's,
// the paper server's decoders accepting what the client signs, and the answer (ok / the venue's text).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { hexlify } from "ethers";
import { createL1ActionHash, signL1Action as nkSignL1Action } from "@nktkas/hyperliquid/signing";
import { Wallet } from "ethers";
import {
  HlEncodeError,
  actionHash,
  decodeActionToBatch,
  decodeHlExchangeResponse,
  decodeWith,
  encodeAction,
  hlBatchResultToWire,
  msgpackEncode,
  recoverL1Signer,
  signL1ActionSync,
  signedExchangeBody,
  type ActionBatch,
} from "../../streams/index.js";
import { HlServedExchangeRequest } from "../../streams/wire/exchange.js";
import { batchLength, batchWeight } from "../../streams/actions.js";

const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const ADDRESS = "0x14791697260E4c9A71f18484C9f997B308e59325";
const VAULT = "0x1719884eb866cb12b2287399b15f7db5e7d775ea";
const noAssets = new Map();
const buy = (weight: number): ActionBatch => ({ type: "reserveRequestWeight", weight });

describe("reserveRequestWeight: encoding and signing", () => {
  it("encodes {type, weight} in that key order, one request of IP weight 1", () => {
    const a = encodeAction(buy(1000), noAssets);
    expect(a).toEqual({ type: "reserveRequestWeight", weight: 1000 });
    expect(Object.keys(a)).toEqual(["type", "weight"]);
    expect(batchLength(buy(1000))).toBe(1);
    expect(batchWeight(buy(1000))).toBe(1);
    // 82 (map 2) a4 "type" b4 "reserveRequestWeight" a6 "weight" cd 03e8 (uint16 1000)
    expect(hexlify(msgpackEncode(a))).toBe("0x82a474797065b47265736572766552657175657374576569676874a6776569676874cd03e8");
  });

  it("refuses a weight that is not a positive integer, naming the field", () => {
    for (const w of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => encodeAction(buy(w), noAssets)).toThrow(HlEncodeError);
      expect(() => encodeAction(buy(w), noAssets)).toThrow(/reserveRequestWeight\.weight/);
    }
  });

  it("hashes bit-identically to @nktkas/hyperliquid for any weight, nonce, vault and expiresAfter", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 45 }),
        fc.boolean(),
        fc.option(fc.integer({ min: 1, max: 2 ** 45 }), { nil: undefined }),
        (weight, nonce, withVault, expiresAfter) => {
          const action = encodeAction(buy(weight), noAssets);
          const ours = actionHash(action, withVault ? VAULT : null, nonce, expiresAfter ?? null);
          const theirs = createL1ActionHash({ action: { type: "reserveRequestWeight", weight }, nonce, ...(withVault ? { vaultAddress: VAULT as `0x${string}` } : {}), ...(expiresAfter !== undefined ? { expiresAfter } : {}) });
          expect(ours).toBe(theirs);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("signs exactly as @nktkas/hyperliquid does (testnet and mainnet)", async () => {
    const wallet = new Wallet(KEY);
    const action = encodeAction(buy(1000), noAssets);
    for (const isMainnet of [false, true]) {
      const ours = signL1ActionSync({ wallet: KEY, action, nonce: 1_700_000_000_000, vaultAddress: null, isMainnet });
      const theirs = await nkSignL1Action({ wallet, action: { type: "reserveRequestWeight", weight: 1000 }, nonce: 1_700_000_000_000, isTestnet: !isMainnet });
      expect(BigInt(ours.r)).toBe(BigInt(theirs.r));
      expect(BigInt(ours.s)).toBe(BigInt(theirs.s));
      expect(ours.v).toBe(theirs.v);
    }
  });

  it("the paper server's decoders accept the signed body: the signer recovers and it maps back to the batch", () => {
    const body = signedExchangeBody({ wallet: KEY, action: encodeAction(buy(1000), noAssets), nonce: 1_700_000_000_000, isMainnet: false });
    const parsed = decodeWith(HlServedExchangeRequest, JSON.parse(JSON.stringify(body)), "exchange request");
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const raw = (JSON.parse(JSON.stringify(body)) as { action: object }).action;
    expect(recoverL1Signer({ action: raw, nonce: parsed.value.nonce, vaultAddress: null, expiresAfter: null, isMainnet: false, signature: parsed.value.signature })).toBe(ADDRESS);
    expect(decodeActionToBatch(raw as { type: string } & Record<string, unknown>, () => undefined)).toEqual({ ok: true, value: buy(1000) });
    const bad = decodeActionToBatch({ type: "reserveRequestWeight", weight: -3 }, () => undefined);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.problems[0]).toMatch(/\$\.weight/);
  });
});

describe("reserveRequestWeight: the answer", () => {
  it("decodes {type: default} as bought and a top-level error as refused with the venue's text", () => {
    expect(decodeHlExchangeResponse({ status: "ok", response: { type: "default" } }, buy(1000))).toEqual({ ok: true, value: { ok: true, type: "reserveRequestWeight" } });
    const refused = decodeHlExchangeResponse({ status: "err", response: "Insufficient balance for reserving request weight." }, buy(1000));
    expect(refused).toMatchObject({ ok: true, value: { ok: false, error: "Insufficient balance for reserving request weight.", rateLimited: false } });
    const limited = decodeHlExchangeResponse({ status: "err", response: "Too many cumulative requests sent (10001 > 10000) for cumulative volume traded $0.00. Place taker orders to free up 1 request per USDC traded." }, buy(1000));
    expect(limited).toMatchObject({ ok: true, value: { ok: false, code: "RateLimited", rateLimited: true } });
  });

  it("fails to decode an answer of the wrong type, naming the path", () => {
    const r = decodeHlExchangeResponse({ status: "ok", response: { type: "order", data: { statuses: [] } } }, buy(1000));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.problems[0]).toMatch(/\$\.response\.type: expected "default" for reserveRequestWeight/);
  });

  it("the paper server answers a purchase as the venue does", () => {
    expect(hlBatchResultToWire({ ok: true, type: "reserveRequestWeight" })).toEqual({ status: "ok", response: { type: "default" } });
  });
});
