// HyperliquidVenue key hygiene: the private key never shows in an error, in JSON or in
// util.inspect of the venue, and the network flag comes from the URL.
import { describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { HyperliquidVenue } from "../../../sources/index.js";
import { HlSigningError } from "../../../streams/index.js";

const KEY = "0x0123456789012345678901234567890123456789012345678901234567890123";
const USER = "0x5e9ee1089755c3435139848e47e6635505d5a13a";

describe("HyperliquidVenue", () => {
  it("never exposes the private key through JSON or inspect", async () => {
    const v = new HyperliquidVenue({ baseUrl: "http://127.0.0.1:9", wallet: KEY, userAddress: USER });
    const dumps = [JSON.stringify(Object.entries(v).map(([k]) => k)), inspect(v, { depth: 6, showHidden: true })];
    for (const d of dumps) expect(d).not.toContain(KEY.slice(2, 30));
    expect(v.signerAddress).toBe("0x14791697260E4c9A71f18484C9f997B308e59325");
    expect(v.isMainnet).toBe(false);
    await v.close();
  });

  it("rejects a malformed key without echoing it", () => {
    const bad = "0x" + "ab12cd34".repeat(8).slice(0, 62) + "zz";
    let caught: unknown;
    try {
      new HyperliquidVenue({ baseUrl: "http://127.0.0.1:9", wallet: bad, userAddress: USER });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HlSigningError);
    const e = caught as Error;
    expect(`${e.message}\n${e.stack}\n${JSON.stringify(e)}\n${inspect(e, { showHidden: true })}`).not.toContain("ab12cd34ab12");
  });

  it("signs as mainnet only for the exact mainnet URL", async () => {
    const main = new HyperliquidVenue({ baseUrl: "https://api.hyperliquid.xyz", userAddress: USER });
    const test = new HyperliquidVenue({ baseUrl: "https://api.hyperliquid-testnet.xyz", userAddress: USER });
    expect([main.isMainnet, test.isMainnet]).toEqual([true, false]);
    await Promise.all([main.close(), test.close()]);
  });
});
