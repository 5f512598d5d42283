// FACTS §8.1–8.2: every Python SDK signing vector (T1–T12), intermediate msgpack / connectionId /
// EIP-712 digests, the cached constants, signer recovery, nonces and key hygiene.
import { describe, expect, it } from "vitest";
import { Wallet, TypedDataEncoder, hexlify } from "ethers";
import { encode as msgpackRef } from "@msgpack/msgpack";
import fc from "fast-check";
import { VirtualTimeScheduler } from "rxjs";
import {
  HL_AGENT_TYPES,
  HL_AGENT_TYPE_HASH,
  HL_L1_DOMAIN,
  HL_L1_DOMAIN_SEPARATOR,
  HL_USD_SEND_TYPES,
  HL_WITHDRAW_TYPES,
  HlNonceGenerator,
  HlSigningError,
  actionHash,
  floatToIntForHashing,
  floatToUsdInt,
  floatToWire,
  hlWalletAddress,
  l1Digest,
  msgpackEncode,
  recoverL1Signer,
  signL1Action,
  signL1ActionSync,
  signUserSignedActionSync,
} from "../../streams/index.js";

const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const ADDRESS = "0x14791697260E4c9A71f18484C9f997B308e59325";
const VAULT = "0x1719884eb866cb12b2287399b15f7db5e7d775ea";

/** Python's order_request_to_order_wire + order_wires_to_order_action. */
function orderAction(o: { asset: number; isBuy: boolean; sz: number; px: number; t: object; cloid?: string }) {
  const wire: Record<string, unknown> = { a: o.asset, b: o.isBuy, p: floatToWire(o.px), s: floatToWire(o.sz), r: false, t: o.t };
  if (o.cloid !== undefined) wire["c"] = o.cloid;
  return { type: "order", orders: [wire], grouping: "na" };
}

const dummy = { type: "dummy", num: Number(floatToIntForHashing(1000)) };
const T3 = orderAction({ asset: 1, isBuy: true, sz: 100, px: 100, t: { limit: { tif: "Gtc" } } });
const T4 = orderAction({ asset: 1, isBuy: true, sz: 100, px: 100, t: { limit: { tif: "Gtc" } }, cloid: "0x00000000000000000000000000000001" });
const T6 = orderAction({ asset: 1, isBuy: true, sz: 100, px: 100, t: { trigger: { isMarket: true, triggerPx: floatToWire(103), tpsl: "sl" } } });
const T10 = { type: "createSubAccount", name: "example" };
const T11 = { type: "subAccountTransfer", subAccountUser: "0x1d9470d4b963f552e6f671a81619d395877bf409", isDeposit: true, usd: 10 };
const T12a = { type: "scheduleCancel" };
const T12b = { type: "scheduleCancel", time: 123456789 };

interface Vector {
  name: string;
  action: object;
  vault: string | null;
  msgpack: string;
  connectionId: string;
  digest: [string, string];
  mainnet: [string, string, number];
  testnet: [string, string, number];
}

// Expected values verbatim from FACTS.md §8.1 (Python to_hex: leading zeros stripped) and §8.2.
const VECTORS: Vector[] = [
  {
    name: "T2 dummy",
    action: dummy,
    vault: null,
    msgpack: "82a474797065a564756d6d79a36e756dcf000000174876e800",
    connectionId: "0xf528daee6a0bd11407b483cfcd9a48c56884180b70ee86f124053e5fc1bf4d57",
    digest: ["0xe0aabfac88a47d3e7028b6ba6a94b30c8afcfffac26cbce788cf362b1312eafa", "0xc05ce2df9d9d18fab3570746cc27e1136a4020a28561171a24f60c2258989224"],
    mainnet: ["0x53749d5b30552aeb2fca34b530185976545bb22d0b3ce6f62e31be961a59298", "0x755c40ba9bf05223521753995abb2f73ab3229be8ec921f350cb447e384d8ed8", 27],
    testnet: ["0x542af61ef1f429707e3c76c5293c80d01f74ef853e34b76efffcb57e574f9510", "0x17b8b32f086e8cdede991f1e2c529f5dd5297cbe8128500e00cbaf766204a613", 28],
  },
  {
    name: "T3 order",
    action: T3,
    vault: null,
    msgpack: "83a474797065a56f72646572a66f72646572739186a16101a162c3a170a3313030a173a3313030a172c2a17481a56c696d697481a3746966a3477463a867726f7570696e67a26e61",
    connectionId: "0x884f2c32bb6dbdd65f6033e32fb28c0cb6f5b345db0f6471fd3366d85c9252c1",
    digest: ["0xa5cfed1f2d7948de30aecacc7fea3c5e05c1e759020e96239847879b906f801e", "0x606be2d25f68768f876dc04a2c3c86ceafd2d6a3c3cbb963454462d6734ebfa6"],
    mainnet: ["0xd65369825a9df5d80099e513cce430311d7d26ddf477f5b3a33d2806b100d78e", "0x2b54116ff64054968aa237c20ca9ff68000f977c93289157748a3162b6ea940e", 28],
    testnet: ["0x82b2ba28e76b3d761093aaded1b1cdad4960b3af30212b343fb2e6cdfa4e3d54", "0x6b53878fc99d26047f4d7e8c90eb98955a109f44209163f52d8dc4278cbbd9f5", 27],
  },
  {
    name: "T4 order with cloid",
    action: T4,
    vault: null,
    msgpack:
      "83a474797065a56f72646572a66f72646572739187a16101a162c3a170a3313030a173a3313030a172c2a17481a56c696d697481a3746966a3477463a163d92230783030303030303030303030303030303030303030303030303030303030303031a867726f7570696e67a26e61",
    connectionId: "0x0ba500cedd8f4ba6ded620a0b1cd04f124d9ba745e2e2893fcc763bcc1444af5",
    digest: ["0x54a60f6e5107c3ebbd5600ce51c5c208b66c4acdaddf159d34f380f4985f4a3f", "0x40529778f312dd898fe2e3b86a6f8ad38db2e4fb6e2d8012349b6021407c5328"],
    mainnet: ["0x41ae18e8239a56cacbc5dad94d45d0b747e5da11ad564077fcac71277a946e3", "0x3c61f667e747404fe7eea8f90ab0e76cc12ce60270438b2058324681a00116da", 27],
    testnet: ["0xeba0664bed2676fc4e5a743bf89e5c7501aa6d870bdb9446e122c9466c5cd16d", "0x7f3e74825c9114bc59086f1eebea2928c190fdfbfde144827cb02b85bbe90988", 28],
  },
  {
    name: "T5 dummy with vault",
    action: dummy,
    vault: VAULT,
    msgpack: "82a474797065a564756d6d79a36e756dcf000000174876e800",
    connectionId: "0xde9e09a7a3da45cc694096d4bfdcd89bc1b892d05497c5ecc1f56c335945184c",
    digest: ["0xfc2d745b97fc2d89fbca951d3665f56f14e8b2fa19d21dbd137ab115fcd5b4f1", "0xae91fb8ce73153ef15612f60dea044c325a342b9a8b0cbd0df8d3c8c66bef395"],
    mainnet: ["0x3c548db75e479f8012acf3000ca3a6b05606bc2ec0c29c50c515066a326239", "0x4d402be7396ce74fbba3795769cda45aec00dc3125a984f2a9f23177b190da2c", 28],
    testnet: ["0xe281d2fb5c6e25ca01601f878e4d69c965bb598b88fac58e475dd1f5e56c362b", "0x7ddad27e9a238d045c035bc606349d075d5c5cd00a6cd1da23ab5c39d4ef0f60", 27],
  },
  {
    name: "T6 tpsl order",
    action: T6,
    vault: null,
    msgpack:
      "83a474797065a56f72646572a66f72646572739186a16101a162c3a170a3313030a173a3313030a172c2a17481a77472696767657283a869734d61726b6574c3a9747269676765725078a3313033a47470736ca2736ca867726f7570696e67a26e61",
    connectionId: "0x430a86fb9876e901920d931f5bb20c9d011f6389bd179f39a73c09e6219adcad",
    digest: ["0x012ce9a26d8326e9de0e2e76709c076b94cec6b137031928ec7334c8f3c4028f", "0x28f89042e8188e26f18fb164d9c705db8dcfd6a7e74e793d4917a318dd45f799"],
    mainnet: ["0x98343f2b5ae8e26bb2587daad3863bc70d8792b09af1841b6fdd530a2065a3f9", "0x6b5bb6bb0633b710aa22b721dd9dee6d083646a5f8e581a20b545be6c1feb405", 27],
    testnet: ["0x971c554d917c44e0e1b6cc45d8f9404f32172a9d3b3566262347d0302896a2e4", "0x206257b104788f80450f8e786c329daa589aa0b32ba96948201ae556d5637eac", 28],
  },
  {
    name: "T10 createSubAccount",
    action: T10,
    vault: null,
    msgpack: "82a474797065b06372656174655375624163636f756e74a46e616d65a76578616d706c65",
    connectionId: "0x9a7b5272baf65d28b0589bd50863a42ac35897553a6beb274e625b6faf7d6bb1",
    digest: ["0x4423e9ec1018e626f959974e00f3715aa1d91ad58815ae8f11f8c7283e70973c", "0x1467a6a95a4a57ea2b1cb7af29b52aa9922df169c5ee945f641d10ccee9d6c21"],
    mainnet: ["0x51096fe3239421d16b671e192f574ae24ae14329099b6db28e479b86cdd6caa7", "0xb71f7d293af92d3772572afb8b102d167a7cef7473388286bc01f52a5c5b423", 27],
    testnet: ["0xa699e3ed5c2b89628c746d3298b5dc1cca604694c2c855da8bb8250ec8014a5b", "0x53f1b8153a301c72ecc655b1c315d64e1dcea3ee58921fd7507e35818fcc1584", 28],
  },
  {
    name: "T11 subAccountTransfer",
    action: T11,
    vault: null,
    msgpack:
      "84a474797065b27375624163636f756e745472616e73666572ae7375624163636f756e7455736572d92a307831643934373064346239363366353532653666363731613831363139643339353837376266343039a969734465706f736974c3a37573640a",
    connectionId: "0xd12f71eba9e3e792812bfdf01a6a92f4d4016bb0541e850b41f770891c0cc447",
    digest: ["0x16d4f3be13b4dfbbe7015924637e6b2cbf8f63eb3c21538c3f5ad73a4b5022c4", "0x16771266fdd99cee549b98d7e3aa30dcace521c450372abf12c3f804a3e96304"],
    mainnet: ["0x43592d7c6c7d816ece2e206f174be61249d651944932b13343f4d13f306ae602", "0x71a926cb5c9a7c01c3359ec4c4c34c16ff8107d610994d4de0e6430e5cc0f4c9", 28],
    testnet: ["0xe26574013395ad55ee2f4e0575310f003c5bb3351b5425482e2969fa51543927", "0xefb08999196366871f919fd0e138b3a7f30ee33e678df7cfaf203e25f0a4278", 28],
  },
  {
    name: "T12a scheduleCancel",
    action: T12a,
    vault: null,
    msgpack: "81a474797065ae7363686564756c6543616e63656c",
    connectionId: "0xa2887a3147b6542306b61d311a056fd1753913d63cc904f30cba61712a98f4ae",
    digest: ["0xb2501a589d58456ff3fcb01a4b5e82f70745856837c35dc88c9dc8eb0262cd4f", "0x7ed5032a58c1a14bffb06942a63f6ea3cbc688352cb7cf0b76c26ec80c6a16ee"],
    mainnet: ["0x6cdfb286702f5917e76cd9b3b8bf678fcc49aec194c02a73e6d4f16891195df9", "0x6557ac307fa05d25b8d61f21fb8a938e703b3d9bf575f6717ba21ec61261b2a0", 27],
    testnet: ["0xc75bb195c3f6a4e06b7d395acc20bbb224f6d23ccff7c6a26d327304e6efaeed", "0x342f8ede109a29f2c0723bd5efb9e9100e3bbb493f8fb5164ee3d385908233df", 28],
  },
  {
    name: "T12b scheduleCancel with time",
    action: T12b,
    vault: null,
    msgpack: "82a474797065ae7363686564756c6543616e63656ca474696d65ce075bcd15",
    connectionId: "0x4be18e445114437c5d1d9dd35a09f5601a3cc34ed4ac94a0281251b9bd8f6832",
    digest: ["0x9393b4b91056b0153438d4e16380db88f41a0e56d8d9e508084748b19e475598", "0x40daefeaa4ffca7e11aa99be35f1afc0a15ec5137f3240f778284d8bd6d42639"],
    mainnet: ["0x609cb20c737945d070716dcc696ba030e9976fcf5edad87afa7d877493109d55", "0x16c685d63b5c7a04512d73f183b3d7a00da5406ff1f8aad33f8ae2163bab758b", 28],
    testnet: ["0x4e4f2dbd4107c69783e251b7e1057d9f2b9d11cee213441ccfa2be63516dc5bc", "0x706c656b23428c8ba356d68db207e11139ede1670481a9e01ae2dfcdb0e1a678", 27],
  },
];

/** Python's to_hex(int) strips leading zeros; compare numerically (FACTS §8.1 caveat). */
const same = (a: string, b: string) => expect(BigInt(a)).toBe(BigInt(b));

describe("cached EIP-712 constants", () => {
  it("match FACTS §7.1 and ethers' TypedDataEncoder", () => {
    expect(HL_L1_DOMAIN_SEPARATOR).toBe("0xd79297fcdf2ffcd4ae223d01edaa2ba214ff8f401d7c9300d995d17c82aa4040");
    expect(HL_AGENT_TYPE_HASH).toBe("0x26f05c2f7239b6983075e58321292d77b3aa173d19b27257ac96ab362570f508");
    const cid = "0x0fcbeda5ae3c4950a548021552a4fea2226858c4453571bf3f24ba017eac2908";
    for (const isMainnet of [true, false])
      expect(l1Digest(cid, isMainnet)).toBe(TypedDataEncoder.hash(HL_L1_DOMAIN, HL_AGENT_TYPES, { source: isMainnet ? "a" : "b", connectionId: cid }));
  });
});

describe("FACTS §8 vectors", () => {
  it("T1: phantom agent connectionId of the production order", () => {
    const action = orderAction({ asset: 4, isBuy: true, sz: 0.0147, px: 1670.1, t: { limit: { tif: "Ioc" } } });
    expect(hexlify(msgpackEncode(action))).toBe(
      "0x83a474797065a56f72646572a66f72646572739186a16104a162c3a170a6313637302e31a173a6302e30313437a172c2a17481a56c696d697481a3746966a3496f63a867726f7570696e67a26e61",
    );
    expect(actionHash(action, null, 1677777606040, null)).toBe("0x0fcbeda5ae3c4950a548021552a4fea2226858c4453571bf3f24ba017eac2908");
  });

  for (const v of VECTORS) {
    describe(v.name, () => {
      it("msgpack, connectionId and EIP-712 digests", () => {
        expect(hexlify(msgpackEncode(v.action))).toBe("0x" + v.msgpack);
        const cid = actionHash(v.action, v.vault, 0);
        expect(cid).toBe(v.connectionId);
        expect(l1Digest(cid, true)).toBe(v.digest[0]);
        expect(l1Digest(cid, false)).toBe(v.digest[1]);
      });

      for (const [net, isMainnet] of [["mainnet", true], ["testnet", false]] as const) {
        it(`${net} signature (sync and async, key string and Wallet)`, async () => {
          const [r, s, vv] = isMainnet ? v.mainnet : v.testnet;
          const args = { wallet: KEY, action: v.action, nonce: 0, vaultAddress: v.vault, isMainnet };
          const sig = signL1ActionSync(args);
          same(sig.r, r);
          same(sig.s, s);
          expect(sig.v).toBe(vv);
          expect(sig.r).toMatch(/^0x[0-9a-f]{64}$/);
          expect(sig.s).toMatch(/^0x[0-9a-f]{64}$/);
          expect(await signL1Action({ ...args, wallet: new Wallet(KEY) })).toEqual(sig);
          // the paper venue's verification recovers the signer, also from Python's unpadded r/s
          expect(recoverL1Signer({ action: v.action, nonce: 0, vaultAddress: v.vault, isMainnet, signature: { r, s, v: vv } })).toBe(ADDRESS);
        });
      }
    });
  }

  it("zero-padded r/s equal FACTS' padded forms", () => {
    expect(signL1ActionSync({ wallet: KEY, action: dummy, nonce: 0, isMainnet: true }).r).toBe(
      "0x053749d5b30552aeb2fca34b530185976545bb22d0b3ce6f62e31be961a59298",
    );
    expect(signL1ActionSync({ wallet: KEY, action: dummy, nonce: 0, vaultAddress: VAULT, isMainnet: true }).r).toBe(
      "0x003c548db75e479f8012acf3000ca3a6b05606bc2ec0c29c50c515066a326239",
    );
    expect(signL1ActionSync({ wallet: KEY, action: T11, nonce: 0, isMainnet: false }).s).toBe(
      "0x0efb08999196366871f919fd0e138b3a7f30ee33e678df7cfaf203e25f0a4278",
    );
  });

  it("T7: float_to_int_for_hashing", () => {
    expect(floatToIntForHashing(123123123123)).toBe(12312312312300000000n);
    expect(floatToIntForHashing(0.00001231)).toBe(1231n);
    expect(floatToIntForHashing(1.033)).toBe(103300000n);
    expect(() => floatToIntForHashing(0.000012312312)).toThrow(RangeError);
    expect(floatToIntForHashing(1000)).toBe(100000000000n);
    expect(floatToUsdInt(1.0)).toBe(1000000n);
  });

  it("T8/T9: user-signed usdSend and withdraw (testnet, chain 0x66eee)", () => {
    const message = { destination: "0x5e9ee1089755c3435139848e47e6635505d5a13a", amount: "1", time: 1687816341423 };
    const action = { ...message, signatureChainId: "0x66eee", hyperliquidChain: "Testnet" };
    const t8 = signUserSignedActionSync({ wallet: KEY, action, types: HL_USD_SEND_TYPES });
    same(t8.r, "0x637b37dd731507cdd24f46532ca8ba6eec616952c56218baeff04144e4a77073");
    same(t8.s, "0x11a6a24900e6e314136d2592e2f8d502cd89b7c15b198e1bee043c9589f9fad7");
    expect(t8.v).toBe(27);
    const t9 = signUserSignedActionSync({ wallet: KEY, action, types: HL_WITHDRAW_TYPES });
    same(t9.r, "0x8363524c799e90ce9bc41022f7c39b4e9bdba786e5f9c72b20e43e1462c37cf9");
    same(t9.s, "0x58b1411a775938b83e29182e8ef74975f9054c8e97ebf5ec2dc8d51bfc893881");
    expect(t9.v).toBe(28);
  });

  it("accepts an HDNodeWallet (Wallet.createRandom) like a Wallet", async () => {
    const w = Wallet.createRandom();
    const sig = signL1ActionSync({ wallet: w as unknown as Wallet, action: T3, nonce: 9, isMainnet: false });
    expect(recoverL1Signer({ action: T3, nonce: 9, isMainnet: false, signature: sig })).toBe(w.address);
  });

  it("the key's address", () => {
    expect(hlWalletAddress(KEY)).toBe(ADDRESS);
  });
});

describe("actionHash preimage", () => {
  it("appends 0x00 ‖ expiresAfter when set, and changes the hash", () => {
    const a = actionHash(dummy, null, 5);
    const b = actionHash(dummy, null, 5, 1700000000000);
    expect(a).not.toBe(b);
    expect(actionHash(dummy, undefined, 5, null)).toBe(a);
  });

  it("rejects a malformed vault address and nonce", () => {
    expect(() => actionHash(dummy, "0x123", 0)).toThrow(/vaultAddress/);
    expect(() => actionHash(dummy, null, -1)).toThrow(/nonce/);
    expect(() => actionHash(dummy, null, 1.5)).toThrow(/nonce/);
  });
});

describe("msgpack encoder", () => {
  it("encodes large integers as uint64 (0xcf), never float64 — the useBigInt64 trap", () => {
    expect(hexlify(msgpackEncode(100000000000))).toBe("0xcf000000174876e800");
    expect(hexlify(msgpackRef(100000000000, { useBigInt64: true }))).toMatch(/^0xcb/); // the trap, for the record
  });

  it("matches @msgpack/msgpack (default mode) on JSON-like values", () => {
    const json = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        fc.string(),
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
        fc.maxSafeInteger(),
        fc.maxSafeNat(),
        fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("v"), { maxLength: 20 }),
        fc.dictionary(fc.string(), tie("v"), { maxKeys: 20 }),
      ),
    })).v;
    fc.assert(
      fc.property(json, (v) => {
        expect(hexlify(msgpackEncode(v))).toBe(hexlify(msgpackRef(v)));
      }),
      { numRuns: 500 },
    );
  });

  it("drops undefined keys", () => {
    expect(hexlify(msgpackEncode({ a: 1, b: undefined }))).toBe(hexlify(msgpackEncode({ a: 1 })));
  });
});

describe("recoverL1Signer", () => {
  it("recovers a different address for a tampered action", () => {
    const sig = signL1ActionSync({ wallet: KEY, action: T3, nonce: 42, isMainnet: false });
    expect(recoverL1Signer({ action: T3, nonce: 42, isMainnet: false, signature: sig })).toBe(ADDRESS);
    expect(recoverL1Signer({ action: T4, nonce: 42, isMainnet: false, signature: sig })).not.toBe(ADDRESS);
    expect(recoverL1Signer({ action: T3, nonce: 42, isMainnet: true, signature: sig })).not.toBe(ADDRESS);
  });

  it("throws HlSigningError for garbage signatures", () => {
    expect(() => recoverL1Signer({ action: T3, nonce: 1, isMainnet: false, signature: { r: "0xzz", s: "0x1", v: 27 } })).toThrow(HlSigningError);
    expect(() => recoverL1Signer({ action: T3, nonce: 1, isMainnet: false, signature: { r: "0x1", s: "0x1", v: 30 } })).toThrow(HlSigningError);
  });
});

describe("private key hygiene", () => {
  const MARK = "deadbeefcafe";
  const badKeys = [
    "0x" + MARK + "0".repeat(52) + "zz", // not hex
    "0x" + MARK.repeat(4), // wrong length
    "0x" + "f".repeat(64), // ≥ curve order: ethers rejects it
    "0x" + "0".repeat(64), // zero scalar
  ];
  for (const key of badKeys) {
    it(`never echoes the key (${key.length} chars) in the error or its fields`, () => {
      let caught: unknown;
      try {
        signL1ActionSync({ wallet: key, action: T3, nonce: 1, isMainnet: false });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(HlSigningError);
      const e = caught as Error & Record<string, unknown>;
      const dump = [e.message, e.stack ?? "", JSON.stringify(e), JSON.stringify(Object.getOwnPropertyNames(e).map((k) => String(e[k]))), String(e.cause ?? "")].join("\n");
      expect(dump).not.toContain(key.slice(2, 40));
      expect(dump).not.toContain(MARK);
      expect(dump.includes("f".repeat(20))).toBe(false);
    });
  }
});

describe("HlNonceGenerator", () => {
  it("is strictly increasing within one millisecond and fast-forwards to the clock", () => {
    const sched = new VirtualTimeScheduler();
    const n = new HlNonceGenerator(sched);
    sched.schedule(() => undefined, 1000);
    const burst = Array.from({ length: 5 }, () => n.next());
    expect(burst).toEqual([1, 2, 3, 4, 5]);
    sched.flush();
    expect(n.next()).toBe(1000);
    expect(n.next()).toBe(1001);
  });

  it("never repeats under a property of interleaved clock steps", () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 3 }), { maxLength: 200 }), (steps) => {
        let now = 1_700_000_000_000;
        const n = new HlNonceGenerator({ now: () => now, schedule: () => { throw new Error("unused"); } } as never);
        let last = -1;
        for (const s of steps) {
          now += s;
          const x = n.next();
          expect(x).toBeGreaterThan(last);
          expect(x).toBeGreaterThanOrEqual(now);
          last = x;
        }
      }),
    );
  });
});

describe("native RFC 6979 signer", () => {
  it("matches ethers SigningKey.sign (noble-curves) on random keys and digests", async () => {
    const { SigningKey } = await import("ethers");
    const { Secp256k1Signer } = await import("../../streams/wire/secp256k1.js");
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (key, digest) => {
        const d = BigInt(hexlify(key));
        fc.pre(d > 0n && d < N);
        const ref = new SigningKey(hexlify(key)).sign(digest);
        expect(new Secp256k1Signer(key).sign(digest)).toEqual({ r: ref.r, s: ref.s, v: ref.v });
      }),
      { numRuns: 300 },
    );
  });

  it("signs with an all-zero and an all-ones digest like ethers", async () => {
    const { SigningKey } = await import("ethers");
    const { Secp256k1Signer } = await import("../../streams/wire/secp256k1.js");
    const key = new Uint8Array(32).fill(7);
    for (const digest of [new Uint8Array(32), new Uint8Array(32).fill(0xff)]) {
      const ref = new SigningKey(hexlify(key)).sign(digest);
      expect(new Secp256k1Signer(key).sign(digest)).toEqual({ r: ref.r, s: ref.s, v: ref.v });
    }
  });
});

describe("secp256k1 backend: prebuilt libsecp256k1 with the pure-JS signer as fallback", () => {
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const PREBUILT = ["linux-x64", "darwin-arm64", "win32-x64"];

  it("loads the native binary where the package ships one (else says why it fell back)", async () => {
    const { secp256k1Backend } = await import("../../streams/index.js");
    const b = secp256k1Backend();
    if (PREBUILT.includes(`${process.platform}-${process.arch}`) && process.env["QF_SECP256K1"] !== "js") {
      expect({ name: b.name, reason: b.fallbackReason }).toEqual({ name: "native", reason: undefined });
    } else {
      expect(b.name).toBe("js");
      expect(b.fallbackReason).toMatch(/\S/);
    }
  });

  it("native and pure-JS signers are bit-identical (and equal ethers') on random keys and digests", async () => {
    const { loadSecp256k1Backend } = await import("../../streams/wire/signer.js");
    const { Secp256k1Signer } = await import("../../streams/wire/secp256k1.js");
    const { SigningKey } = await import("ethers");
    const native = loadSecp256k1Backend(undefined, {});
    expect(native.name).toBe(PREBUILT.includes(`${process.platform}-${process.arch}`) ? "native" : "js");
    // a quarter of the digests start with fifteen 0xff bytes, so about half of those are ≥ N:
    // libsecp256k1's nonce takes the raw digest, RFC 6979 the reduced one (signer.ts reduces first)
    const nearN = fc.uint8Array({ minLength: 17, maxLength: 17 }).map((tail) => Uint8Array.from([...new Uint8Array(15).fill(0xff), ...tail]));
    const digests = fc.oneof({ weight: 3, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }) }, { weight: 1, arbitrary: nearN });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), digests, (key, digest) => {
        const d = BigInt(hexlify(key));
        fc.pre(d > 0n && d < N);
        const a = native.signer(key).sign(digest);
        const b = new Secp256k1Signer(key).sign(digest);
        expect(a).toEqual(b);
        const ref = new SigningKey(hexlify(key)).sign(digest);
        expect(a).toEqual({ r: ref.r, s: ref.s, v: ref.v });
      }),
      { numRuns: 500 },
    );
    // edge digests and keys: zero, all-ones (≥ N, reduced), key 1 and N − 1
    for (const key of [new Uint8Array(32).fill(7), Uint8Array.from(Buffer.from((1n).toString(16).padStart(64, "0"), "hex")), Uint8Array.from(Buffer.from((N - 1n).toString(16), "hex"))]) {
      for (const digest of [new Uint8Array(32), new Uint8Array(32).fill(0xff)]) {
        expect(native.signer(key).sign(digest)).toEqual(new Secp256k1Signer(key).sign(digest));
      }
    }
  });

  it("falls back to the pure-JS signer when the binary does not load, misbehaves, or QF_SECP256K1=js — same signatures", async () => {
    const { loadSecp256k1Backend } = await import("../../streams/wire/signer.js");
    const { Secp256k1Signer } = await import("../../streams/wire/secp256k1.js");
    const key = new Uint8Array(32).fill(0x42);
    const digest = new Uint8Array(32).fill(0x24);
    const cases = [
      [() => { throw new Error("No native build was found for platform=test"); }, /unavailable: No native build/],
      [() => ({}), /no ecdsaSign/],
      [() => ({ privateKeyVerify: () => true, ecdsaSign: () => ({ signature: new Uint8Array(64), recid: 0 }) }), /disagreed/],
      [() => ({ privateKeyVerify: () => true, ecdsaSign: () => { throw new Error("boom"); } }), /failed its self-check: boom/],
    ] as const;
    for (const [load, why] of cases) {
      const b = loadSecp256k1Backend(load, {});
      expect(b.name).toBe("js");
      expect(b.fallbackReason).toMatch(why);
      expect(b.signer(key).sign(digest)).toEqual(new Secp256k1Signer(key).sign(digest));
    }
    const forced = loadSecp256k1Backend(undefined, { QF_SECP256K1: "js" });
    expect({ name: forced.name, reason: forced.fallbackReason }).toEqual({ name: "js", reason: "QF_SECP256K1=js" });
  });

  it("FACTS §8 vectors through both backends", async () => {
    const { loadSecp256k1Backend } = await import("../../streams/wire/signer.js");
    const key = Uint8Array.from(Buffer.from(KEY.slice(2), "hex"));
    for (const backend of [loadSecp256k1Backend(undefined, {}), loadSecp256k1Backend(undefined, { QF_SECP256K1: "js" })]) {
      for (const v of VECTORS) {
        for (const [i, [r, s, vv]] of [v.mainnet, v.testnet].entries()) {
          const sig = backend.signer(key).sign(Buffer.from(v.digest[i]!.slice(2), "hex"));
          same(sig.r, r);
          same(sig.s, s);
          expect(sig.v).toBe(vv);
        }
      }
    }
  });

  it("rejects an invalid key with a RangeError that does not carry it", async () => {
    const { loadSecp256k1Backend } = await import("../../streams/wire/signer.js");
    for (const backend of [loadSecp256k1Backend(undefined, {}), loadSecp256k1Backend(undefined, { QF_SECP256K1: "js" })]) {
      for (const bad of [new Uint8Array(32), new Uint8Array(32).fill(0xff), new Uint8Array(31).fill(1)]) {
        let caught: unknown;
        try {
          backend.signer(bad);
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(RangeError);
        expect((caught as Error).message).toBe("invalid secp256k1 private key");
      }
    }
  });
});

describe("keccak256 (unrolled)", () => {
  it("matches ethers keccak256 on random inputs of every length around the 136-byte rate, at any alignment", async () => {
    const { keccak256 } = await import("ethers");
    const { keccak256Hex } = await import("../../streams/index.js");
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.nat({ max: 7 }), (bytes, off) => {
        const buf = new Uint8Array(bytes.length + off);
        buf.set(bytes, off);
        const view = buf.subarray(off);
        expect(keccak256Hex(view)).toBe(keccak256(view));
      }),
      { numRuns: 400 },
    );
    for (const n of [0, 135, 136, 137, 271, 272]) {
      const b = new Uint8Array(n).fill(0xab);
      expect(keccak256Hex(b)).toBe(keccak256(b));
    }
  });
});
