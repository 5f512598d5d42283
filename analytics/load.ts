// Reading journals back: every line decoded with the journal's codecs; a bad line is kept as a
// counted error naming its file and line number, and changes nothing else.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { decodeWith } from "../streams/codec.js";
import {
  JournalLine,
  type JournalFillLine,
  type JournalFundingLine,
  type JournalHeaderLine,
  type JournalMarkoutLine,
  type JournalSampleLine,
} from "./journal.js";

export interface BadLine {
  readonly line: number;
  readonly error: string;
}

export interface LoadedJournal {
  /** The file as given, relative to the working directory (never an absolute path in a report). */
  readonly file: string;
  readonly header: JournalHeaderLine | undefined;
  readonly fills: readonly JournalFillLine[];
  /** The last markout line per fill (`asset:tid`). */
  readonly markouts: ReadonlyMap<string, JournalMarkoutLine>;
  readonly samples: readonly JournalSampleLine[];
  readonly summary: JournalSampleLine | undefined;
  readonly fundings: readonly JournalFundingLine[];
  readonly badLines: readonly BadLine[];
  readonly lines: number;
}

export class JournalReadError extends Error {
  override readonly name = "JournalReadError";
}

/** A path shown in a report: relative to `base` (default: the working directory), with forward slashes. */
export function displayPath(path: string, base = process.cwd()): string {
  const rel = relative(base, resolve(path)).split("\\").join("/");
  return rel === "" ? "." : rel;
}

/** Decode a journal's text. `file` names it in errors and in the report. */
export function parseJournal(text: string, file: string): LoadedJournal {
  let header: JournalHeaderLine | undefined;
  const fills: JournalFillLine[] = [];
  const markouts = new Map<string, JournalMarkoutLine>();
  const samples: JournalSampleLine[] = [];
  let summary: JournalSampleLine | undefined;
  const fundings: JournalFundingLine[] = [];
  const badLines: BadLine[] = [];
  const rows = text.split("\n");
  let lines = 0;
  rows.forEach((raw, i) => {
    if (raw.trim() === "") return;
    lines++;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      badLines.push({ line: i + 1, error: `${file}:${i + 1}: not JSON (${(err as Error).message})` });
      return;
    }
    const d = decodeWith(JournalLine, json, `${file}:${i + 1}`);
    if (!d.ok) {
      badLines.push({ line: i + 1, error: d.error.message });
      return;
    }
    const l = d.value;
    switch (l.type) {
      case "header":
        header ??= l;
        return;
      case "fill":
        fills.push(l);
        return;
      case "markout":
        markouts.set(`${l.asset}:${l.tid}`, l);
        return;
      case "sample":
        samples.push(l);
        return;
      case "summary":
        summary = l;
        return;
      case "funding":
        fundings.push(l);
        return;
    }
  });
  return { file, header, fills, markouts, samples, summary, fundings, badLines, lines };
}

/** The journal files named: files as they are, directories for their `*.jsonl` (sorted). */
export function journalFiles(paths: readonly string[]): string[] {
  if (paths.length === 0) throw new JournalReadError("report: name at least one journal file or directory (e.g. data/analytics/)");
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new JournalReadError(`report: ${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const found = readdirSync(p).filter((f) => f.endsWith(".jsonl")).sort().map((f) => join(p, f));
      if (found.length === 0) throw new JournalReadError(`report: ${p}: no *.jsonl journal in this directory`);
      out.push(...found);
    } else out.push(p);
  }
  return out;
}

export function loadJournal(path: string): LoadedJournal {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new JournalReadError(`report: cannot read ${path}: ${(err as Error).message}`);
  }
  return parseJournal(text, displayPath(path));
}
