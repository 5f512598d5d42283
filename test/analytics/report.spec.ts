// `quoteflow report` on a replay's journal gives the replay's own figures (the same tearsheet, the
// same HTML); --json's PnL decomposition sums to the total within a cent and matches the service's
// own PnL; bad arguments are one clear line and exit 2.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportMain } from "../../analytics/cli.js";
import { silentLogger } from "../../app/logger.js";
import { type ReplayResult, runReplay } from "../../app/replay.js";
import { main } from "../../app/cli.js";

function sink() {
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}

const dir = mkdtempSync(join(tmpdir(), "qf-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let replay: ReplayResult;

beforeAll(async () => {
  replay = await runReplay({ outDir: join(dir, "reports"), journalDir: join(dir, "analytics"), seed: 1, faults: "realistic", minutes: 10, log: silentLogger(), stamp: "t" });
}, 120_000);

describe("quoteflow report", () => {
  it("on a replay's journal: the same figures as the replay's own report, and the same HTML", () => {
    const out = sink();
    const err = sink();
    expect(reportMain([replay.data.journalPath!, "--json"], out.stream, err.stream)).toBe(0);
    const json = JSON.parse(out.text());
    const { journalPath: _j, wallMs: _w, events: _e, service: _s, notes: replayNotes, ...figures } = replay.data;
    const { notes, ...reported } = json;
    expect(reported).toEqual(JSON.parse(JSON.stringify(figures)));
    expect(replayNotes).toEqual(expect.arrayContaining(notes));
    expect(json.totals.fills).toBeGreaterThan(0);

    const html = sink();
    expect(reportMain([replay.data.journalPath!, "--out", join(dir, "out")], html.stream, err.stream)).toBe(0);
    const written = readFileSync(join(dir, "out", `report-${basename(replay.data.journalPath!, ".jsonl")}.html`), "utf8");
    if (replayNotes.length === notes.length) expect(written).toBe(readFileSync(replay.reportPath, "utf8"));
    expect(html.text()).toContain(replay.summary.split("\n").slice(0, 6).join("\n"));
    expect(err.text()).toBe("");
    // No machine paths in the report: the journal is named relative to the working directory.
    for (const text of [written, out.text()]) expect(text).not.toMatch(/[\s>"(]\/(tmp|work|home|root|Users)\//);
  });

  it("--json: the decomposition sums to the total within a cent, and the total is the service's own PnL", () => {
    const out = sink();
    reportMain([replay.data.journalPath!, "--json"], out.stream, sink().stream);
    const t = JSON.parse(out.text()).totals;
    const d = t.pnl;
    expect(Math.abs(d.spreadCaptureUsd + d.adverseSelectionUsd + d.inventoryUsd + d.feesUsd + d.fundingUsd - d.totalUsd)).toBeLessThan(0.01);
    const servicePnl = Object.values(replay.data.service).reduce((a, s) => a + s.pnl, 0);
    expect(Math.abs(t.pnlUsd - servicePnl)).toBeLessThan(0.01);
    expect(Math.abs(t.pnlUsd - t.journalPnlUsd)).toBeLessThan(0.01);
    // The replay's printed summary states the same total.
    expect(replay.summary).toContain(`PnL $${d.totalUsd.toFixed(2)} = spread capture ${d.spreadCaptureUsd.toFixed(2)}`);
  });

  it("reads every *.jsonl of a directory, through the quoteflow CLI entry too", async () => {
    const journals = join(dir, "two");
    mkdirSync(journals);
    const text = readFileSync(replay.data.journalPath!, "utf8");
    writeFileSync(join(journals, "a.jsonl"), text);
    writeFileSync(join(journals, "b.jsonl"), text);
    writeFileSync(join(journals, "notes.txt"), "not a journal");
    const out = sink();
    expect(reportMain([journals, "--json"], out.stream, sink().stream)).toBe(0);
    const arr = JSON.parse(out.text());
    expect(arr).toHaveLength(2);
    expect(arr[0].totals).toEqual(arr[1].totals);
    const write = process.stdout.write.bind(process.stdout);
    let printed = "";
    process.stdout.write = ((s: string) => ((printed += s), true)) as typeof process.stdout.write;
    try {
      expect(await main(["report", join(journals, "a.jsonl"), "--out", join(dir, "cli")])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(printed).toMatch(/report: {2}\S+report-a\.html/);
    // Paths are shown relative to the working directory, never absolute.
    expect(printed).not.toMatch(/report: {2}\//);
  });

  it("refuses a missing path, an empty directory and an unknown flag with one line and exit 2", () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    for (const [args, msg] of [
      [[join(dir, "nope.jsonl")], /nope\.jsonl: no such file or directory/],
      [[empty], /no \*\.jsonl journal in this directory/],
      [[], /name at least one journal/],
      [["--bogus"], /bogus/],
    ] as const) {
      const err = sink();
      expect(reportMain([...args], sink().stream, err.stream)).toBe(2);
      expect(err.text()).toMatch(msg);
      expect(err.text().trim().split("\n").length).toBeLessThanOrEqual(2);
    }
  });

  it("a journal with bad lines still reports, counts them and says where the first one is", () => {
    const f = join(dir, "bad.jsonl");
    writeFileSync(f, readFileSync(replay.data.journalPath!, "utf8") + "{oops\n");
    const out = sink();
    const err = sink();
    expect(reportMain([f, "--json"], out.stream, err.stream)).toBe(0);
    const json = JSON.parse(out.text());
    expect(json.run.badLines).toBe(1);
    expect(json.notes.join("\n")).toMatch(/bad\.jsonl:\d+: not JSON/);
    expect(err.text()).toMatch(/1 line\(s\) did not decode/);
    expect(json.totals.fills).toBe(replay.data.totals.fills);
  });
});
