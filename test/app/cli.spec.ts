import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { afterAll, describe, expect, it, vi } from "vitest";
import { UsageError, parseCli } from "../../app/args.js";
import { main } from "../../app/cli.js";
import { KeyError, loadAgentKey } from "../../app/keys.js";

const dir = mkdtempSync(join(tmpdir(), "qf-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function stderrOf(fn: () => Promise<number>): Promise<{ code: number; err: string; out: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
  return fn().then(
    (code) => {
      e.mockRestore();
      o.mockRestore();
      return { code, err: err.join(""), out: out.join("") };
    },
    (x: unknown) => {
      e.mockRestore();
      o.mockRestore();
      throw x;
    },
  );
}

describe("CLI arguments", () => {
  it("run is the default command with paper defaults", () => {
    const a = parseCli([]);
    expect(a).toMatchObject({ command: "run", venue: "paper", network: "testnet", metricsPort: 9464 });
    expect(parseCli(["--duration", "60", "--metrics-port", "0"])).toMatchObject({ command: "run", durationSec: 60, metricsPort: 0 });
  });

  it("refuses a key passed as a flag, naming the safe ways instead", () => {
    for (const flag of ["--private-key", "--key=0xabc"]) {
      expect(() => parseCli(["run", flag, "0xabc"])).toThrow(UsageError);
      expect(() => parseCli(["run", flag, "0xabc"])).toThrow(/QUOTEFLOW_PRIVATE_KEY/);
    }
  });

  it("names the bad flag and value", () => {
    expect(() => parseCli(["run", "--venue", "binance"])).toThrow('--venue: expected one of paper, hyperliquid, got "binance"');
    expect(() => parseCli(["replay", "--minutes=-1"])).toThrow("--minutes: expected a positive number");
    expect(() => parseCli(["frobnicate"])).toThrow('unknown command "frobnicate"');
  });

  it("--help works on every command and exits 0", async () => {
    for (const argv of [["--help"], ["run", "--help"], ["replay", "--help"], ["sim", "-h"]]) {
      const r = await stderrOf(() => main(argv));
      expect(r.code).toBe(0);
      expect(r.out).toContain("Usage:");
    }
  });
});

describe("live-mode safety", () => {
  it("refuses mainnet without --i-understand-mainnet, before reading any key or touching the network", async () => {
    const r = await stderrOf(() => main(["run", "--venue", "hyperliquid", "--network", "mainnet"]));
    expect(r.code).toBe(3);
    expect(r.err).toContain("--i-understand-mainnet");
  });

  it("refuses a key file that group or others can read, and accepts mode 600", () => {
    const key = Wallet.createRandom().privateKey;
    const path = join(dir, "agent.key");
    writeFileSync(path, key + "\n");
    chmodSync(path, 0o640);
    expect(() => loadAgentKey({ keyFile: path, env: {} })).toThrow(/readable by group or others \(mode 640\)/);
    chmodSync(path, 0o600);
    expect(loadAgentKey({ keyFile: path, env: {} })).toEqual({ privateKey: key, source: "file" });
  });

  it("reads the environment, and never echoes a malformed key in its error", () => {
    const key = Wallet.createRandom().privateKey;
    expect(loadAgentKey({ env: { QUOTEFLOW_PRIVATE_KEY: key } }).source).toBe("env");
    const bad = key.slice(0, 40) + "zz";
    try {
      loadAgentKey({ env: { QUOTEFLOW_PRIVATE_KEY: bad } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(KeyError);
      expect(String((err as Error).message)).not.toContain(bad.slice(2, 30));
      expect(JSON.stringify(err)).not.toContain(bad.slice(2, 30));
    }
    expect(() => loadAgentKey({ env: {} })).toThrow(/set QUOTEFLOW_PRIVATE_KEY or pass --key-file/);
  });

  it("a bad config is exit 2 with the path of the problem", async () => {
    const path = join(dir, "bad.yaml");
    writeFileSync(path, "assets: { BTC: { quoter: { levels: 0 } } }\n");
    const r = await stderrOf(() => main(["replay", "--config", path]));
    expect(r.code).toBe(2);
    expect(r.err).toContain("$.assets.BTC.quoter.levels: expected a positive integer, got 0");
  });
});
