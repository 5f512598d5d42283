// Must show (issue 13): a plugin module in a directory outside the repository, with one strategy
// and one intent-stage operator, named in a config passed with --config, drives `quoteflow run`
// against `npm run sim` (as a live client) and in the built-in paper mode — and the venue's
// resting orders are the ones that strategy and operator produce. The plugin and the config are
// the README's Plugins section, verbatim.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Wallet } from "ethers";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot } from "../../sources/paths.js";
import { roundPassive, sizeForUsd } from "../../operators/quoter.js";
import { pluginSectionBlocks } from "./readmeBlocks.js";
import { type Child, info, sleep, startCli } from "./processes.js";

const blocks = pluginSectionBlocks();
// A user's project elsewhere: the plugin, the config, and the project's own rxjs.
const project = mkdtempSync(join(tmpdir(), "qf-plugin-project-"));
writeFileSync(join(project, "my-plugin.mjs"), blocks["my-plugin.mjs"]!);
writeFileSync(join(project, "my-config.yaml"), blocks["my-config.yaml"]!);
mkdirSync(join(project, "node_modules"));
symlinkSync(join(packageRoot(), "node_modules", "rxjs"), join(project, "node_modules", "rxjs"), "dir");
const configPath = join(project, "my-config.yaml");
const children: Child[] = [];
afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
  rmSync(project, { recursive: true, force: true });
});

interface WireOpenOrder { coin: string; side: "B" | "A"; limitPx: string; sz: string; oid: number }
interface WireBook { levels: [{ px: string }[], { px: string }[]] }
const SZ_DECIMALS: Record<string, number> = { BTC: 5, ETH: 4 };

/** Poll the venue until both assets have resting orders that have settled (the same set twice, 1 s apart). */
async function settledOrders(url: string, user: string): Promise<WireOpenOrder[]> {
  let previous = "";
  for (let i = 0; i < 60; i++) {
    const orders = await info<WireOpenOrder[]>(url, { type: "openOrders", user });
    const key = JSON.stringify(orders.map((o) => o.oid).sort());
    if (new Set(orders.map((o) => o.coin)).size === 2 && key === previous) return orders;
    previous = key;
    await sleep(1000);
  }
  throw new Error(`no settled resting orders for ${user} at ${url}`);
}

/** What fixedSpread (25 bps, $13) and then bidsOnly make of the venue's book: one bid per asset. */
async function expectPluginOrders(url: string, orders: WireOpenOrder[]): Promise<void> {
  expect([...new Set(orders.map((o) => o.coin))].sort()).toEqual(["BTC", "ETH"]);
  // bidsOnly: no asks at all; fixedSpread: one level per side, so one bid per asset
  expect(orders.every((o) => o.side === "B")).toBe(true);
  for (const coin of ["BTC", "ETH"]) {
    const mine = orders.filter((o) => o.coin === coin);
    expect(mine, coin).toHaveLength(1);
    const o = mine[0]!;
    const px = Number(o.limitPx);
    const dec = SZ_DECIMALS[coin]!;
    // fixedSpread's size: sizeForUsd(13, px) — the built-in ladder would rest 3 levels of $20 (15 for ETH) a side
    expect(Number(o.sz), `${coin} size`).toBe(sizeForUsd(13, px, dec));
    const book = await info<WireBook>(url, { type: "l2Book", coin });
    const mid = (Number(book.levels[0][0]!.px) + Number(book.levels[1][0]!.px)) / 2;
    // 25 bps under the fair price, within the ladder's keep tolerance (skipPriceBps 20) as the
    // market moves, plus slack for a modify in flight while we look
    const target = roundPassive(mid * (1 - 25 / 1e4), true, dec);
    expect(Math.abs(px - target) / mid, `${coin} px ${px} vs ${target}`).toBeLessThan(30 / 1e4);
  }
}

describe("a plugin outside the repository drives quoteflow run (README Plugins section)", () => {
  it("as a live client against `npm run sim`: the sim's resting orders are fixedSpread's bids, with bidsOnly's asks removed", async () => {
    const sim = startCli(["sim", "--port", "0", "--synthetic", "BTC,ETH", "--faults", "none", "--seed", "5"]);
    children.push(sim);
    const url = (await sim.waitFor(/http:\/\/127\.0\.0\.1:\d+/))[0];
    const wallet = Wallet.createRandom();
    const run = startCli(["run", "--venue", "hyperliquid", "--api-url", url, "--config", configPath, "--duration", "40", "--metrics-port", "0", "--no-status"], {
      env: { QUOTEFLOW_PRIVATE_KEY: wallet.privateKey },
    });
    children.push(run);
    await run.waitFor(/"service started"/);
    const orders = await settledOrders(url, wallet.address.toLowerCase());
    await expectPluginOrders(url, orders);
    run.proc.kill("SIGINT");
    const r = await run.done;
    expect(r.code, r.err).toBe(0);
    const lines = r.out.trim().split("\n").map((l) => JSON.parse(l) as { msg: string; stillResting?: number });
    expect(lines.find((l) => l.msg === "shutdown complete")?.stillResting).toBe(0);
    expect(r.out + r.err).not.toContain(wallet.privateKey.slice(2));
    sim.proc.kill("SIGTERM");
    expect((await sim.done).code).toBe(0);
  }, 120_000);

  it("in the built-in paper mode: the paper venue's resting orders are the plugin's", async () => {
    const run = startCli(["run", "--config", configPath, "--duration", "40", "--metrics-port", "0", "--no-status"]);
    children.push(run);
    const listening = await run.waitFor(/\{[^\n]*"paper venue listening on loopback[^"]*"[^\n]*\}/);
    const { paper, account } = JSON.parse(listening[0]) as { paper: string; account: string };
    await run.waitFor(/"service started"/);
    const orders = await settledOrders(paper, account.toLowerCase());
    await expectPluginOrders(paper, orders);
    run.proc.kill("SIGINT");
    const r = await run.done;
    expect(r.code, r.err).toBe(0);
  }, 120_000);
});
