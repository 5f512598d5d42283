// `quoteflow report <journal files or directories> [--out <dir>] [--json]`: the tearsheet of any
// run (live, paper, replay, soak) from its journal alone. Prints the summary and writes one HTML
// file per journal; with --json prints every figure the HTML shows instead.
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { JournalReadError, displayPath, journalFiles, loadJournal } from "./load.js";
import { renderHtmlReport, summaryTable } from "./report.js";
import { type Tearsheet, tearsheet } from "./tearsheet.js";

export const REPORT_HELP = `quoteflow report — a market maker's tearsheet from fill journals

Usage: quoteflow report <journal.jsonl | directory>... [options]

  --out <dir>     where the HTML reports go (default reports); one report-<journal>.html per journal
  --json          print every figure as JSON on stdout instead (an array for several journals)
  -h, --help      this text

A directory means every *.jsonl in it (e.g. data/analytics/). Works on journals of any mode:
run (paper or live), replay, soak. With npm: \`npm run report -- data/analytics/\`.
`;

export interface ReportOutput {
  readonly file: string;
  readonly reportPath: string | undefined;
  readonly tearsheet: Tearsheet;
}

/** Build the tearsheet of one journal and write its HTML into `outDir` (relative paths only inside). */
export function reportJournal(path: string, outDir: string | undefined, options: { readonly notes?: readonly string[]; readonly reportName?: string } = {}): ReportOutput {
  const journal = loadJournal(path);
  const ts = tearsheet(journal, options.notes ? { notes: options.notes } : {});
  let reportPath: string | undefined;
  if (outDir !== undefined) {
    mkdirSync(resolve(outDir), { recursive: true });
    reportPath = join(resolve(outDir), options.reportName ?? `report-${basename(path).replace(/\.jsonl$/, "")}.html`);
    writeFileSync(reportPath, renderHtmlReport(ts));
  }
  return { file: journal.file, reportPath, tearsheet: ts };
}

/** The command: returns the exit code (0 done, 2 usage or unreadable input). */
export function reportMain(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): number {
  let values: { out?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], strict: true, allowPositionals: true, options: { out: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } } }));
  } catch (e) {
    err.write(`quoteflow: ${(e as Error).message}\nRun \`quoteflow report --help\` for usage.\n`);
    return 2;
  }
  if (values.help) {
    out.write(REPORT_HELP);
    return 0;
  }
  try {
    const files = journalFiles(positionals);
    const results = files.map((f) => reportJournal(f, values.json ? undefined : (values.out ?? "reports")));
    if (values.json) {
      const body = results.length === 1 ? results[0]!.tearsheet : results.map((r) => r.tearsheet);
      out.write(JSON.stringify(body, null, 2) + "\n");
    } else {
      for (const r of results) out.write(`${summaryTable(r.tearsheet)}\n\nreport:  ${displayPath(r.reportPath!)}\n\n`);
    }
    for (const r of results) if (r.tearsheet.run.badLines > 0) err.write(`quoteflow report: ${r.file}: ${r.tearsheet.run.badLines} line(s) did not decode and were skipped (see the report's notes)\n`);
    return 0;
  } catch (e) {
    if (e instanceof JournalReadError) {
      err.write(`quoteflow ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
