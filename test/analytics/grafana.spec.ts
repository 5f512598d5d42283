// The shipped Grafana dashboard names only metrics the service really exports (checked against a
// /metrics scrape of a running paper service), and that run's journal makes a report.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { reportJournal } from "../../analytics/cli.js";
import { parseCli, type RunArgs } from "../../app/args.js";
import { defaultConfigPath } from "../../app/config.js";
import { silentLogger } from "../../app/logger.js";
import { packageRoot } from "../../sources/paths.js";
import { runService } from "../../app/run.js";

const dir = mkdtempSync(join(tmpdir(), "qf-grafana-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Panel {
  readonly title: string;
  readonly targets?: readonly { readonly expr: string }[];
}

const dashboard = JSON.parse(readFileSync(join(packageRoot(), "analytics", "grafana", "quoteflow-dashboard.json"), "utf8")) as { panels: Panel[]; templating: { list: { type: string; query?: unknown }[] } };

/** Metric names in a PromQL expression: identifiers of our namespaces (labels, functions and keywords are not). */
function metricNames(expr: string): string[] {
  const noStrings = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, "{}").replace(/\[[^\]]*\]/g, "[]");
  return [...noStrings.matchAll(/\b(quoteflow_[a-z0-9_]+|nodejs_[a-z0-9_]+|process_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
}

describe("the Grafana dashboard", () => {
  it("queries only metrics a running service exports; the run's journal makes a report", async () => {
    const cfg = parse(readFileSync(defaultConfigPath(), "utf8")) as any;
    cfg.defaults.quoter.halfSpreadBps = 0.5;
    cfg.defaults.quoter.spacingBps = 1;
    cfg.observability.journalDir = join(dir, "analytics");
    const configPath = join(dir, "config.yaml");
    writeFileSync(configPath, stringify(cfg));
    const args = parseCli(["run", "--duration", "8", "--metrics-port", "0", "--config", configPath, "--no-status", "--seed", "3"]) as RunArgs;
    let scrape = "";
    const result = await runService(args, {
      log: silentLogger(),
      handleSignals: false,
      onStarted: ({ metricsUrl }) => {
        setTimeout(() => void fetch(metricsUrl).then(async (r) => (scrape = await r.text())), 5000);
      },
    });
    expect(scrape).toContain("# TYPE quoteflow_");
    // Every metric family the scrape declares; histograms also answer to _bucket/_sum/_count.
    const exported = new Set<string>();
    for (const m of scrape.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      exported.add(m[1]!);
      if (m[2] === "histogram" || m[2] === "summary") for (const s of ["_bucket", "_sum", "_count"]) exported.add(m[1]! + s);
    }
    const queries = [...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr }))), ...dashboard.templating.list.flatMap((v) => (v.type === "query" && v.query ? [{ panel: "variable", expr: typeof v.query === "string" ? v.query : String((v.query as { query?: unknown }).query) }] : []))];
    expect(queries.length).toBeGreaterThan(15);
    const named = new Set<string>();
    for (const q of queries) {
      const names = metricNames(q.expr);
      expect(names.length, `${q.panel}: ${q.expr} names no metric`).toBeGreaterThan(0);
      for (const n of names) {
        named.add(n);
        expect(exported.has(n), `${q.panel}: ${n} is not in /metrics`).toBe(true);
      }
    }
    // The dashboard covers every quoteflow metric the service exports.
    for (const n of exported) if (n.startsWith("quoteflow_") && !/_(bucket|sum|count)$/.test(n)) expect(named.has(n) || named.has(`${n}_bucket`), `${n} has no panel`).toBe(true);

    // `npm start -- --duration …` then `quoteflow report <its journal>`: a report of that paper run.
    const out = reportJournal(result.journalPath!, join(dir, "reports"));
    const ts = out.tearsheet;
    expect(ts.run).toMatchObject({ mode: "paper", venue: "paper", seed: 3, faults: "realistic", complete: true });
    expect(ts.run.account).toMatch(/^0x[0-9a-fA-F]{40}$/);
    expect(result.fills).toBeGreaterThan(0);
    expect(ts.totals.fills).toBe(result.fills);
    expect(ts.markouts.fills).toBe(result.fills);
    // An 8 s run: every fill's 60 s horizon was still open at the stop, so each was flushed, incomplete.
    expect(ts.markouts.flushedAtShutdown).toBe(result.fills);
    expect(ts.totals.orders.placed).toBeGreaterThan(0);
    for (const a of ts.assets) expect(ts.perAsset[a]!.quoting!.totalMs).toBeGreaterThan(5000);
    expect(readFileSync(out.reportPath!, "utf8")).toContain("<figcaption>Quote uptime");
  }, 60_000);
});
