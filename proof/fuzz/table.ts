// The fuzz report: one Markdown table, a row per boundary, then the findings (if any).
import type { FuzzResult } from "./run.js";

export function renderFuzzTable(r: FuzzResult): string {
  const head = `quoteflow fuzz — ${r.options.frames} frames, seed ${r.options.seed}, ${(r.wallMs / 1000).toFixed(1)} s`;
  const rows = r.targets.map((t) => {
    const kinds = Object.keys(t.byKind).length;
    return `| ${t.target} | ${t.frames} | ${t.rejected} | ${t.accepted} | ${t.badRejected} / ${t.bad} | ${t.crashes} | ${t.acceptedBad} | ${t.notSame} | ${t.noMessage} | ${t.stateChanged === 0 && t.target.startsWith("paper") ? "unchanged" : t.stateChanged === 0 ? "stateless" : `${t.stateChanged} changed`} | ${kinds} | ${(t.wallMs / 1000).toFixed(1)} s |`;
  });
  const lb = r.loopback;
  if (lb) {
    const statuses = Object.entries(lb.byStatus)
      .map(([s, n]) => `${s}×${n}`)
      .join(" ");
    rows.push(`| paper venue server over loopback (HTTP ${statuses}) | ${lb.requests} | ${lb.rejected} | ${lb.accepted} | — | ${lb.serverErrors + lb.connectionErrors} | — | — | ${lb.noMessage} | ${lb.stateChanged === 0 ? "unchanged" : `${lb.stateChanged} changed`} | — | ${(lb.wallMs / 1000).toFixed(1)} s |`);
  }
  const table = [
    "| boundary | frames | rejected | accepted | bad inputs rejected with a message | crashes | bad accepted | harmless changed result | no message | state | mutation kinds | time |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ...rows,
  ].join("\n");
  const total = r.targets.reduce((s, t) => s + t.frames, 0) + (lb?.requests ?? 0);
  const kinds = new Map<string, { n: number; rejected: number }>();
  for (const t of r.targets) for (const [k, v] of Object.entries(t.byKind)) {
    const e = kinds.get(k) ?? { n: 0, rejected: 0 };
    e.n += v.n;
    e.rejected += v.rejected;
    kinds.set(k, e);
  }
  const kindLine = [...kinds].map(([k, v]) => `${k} ${v.rejected}/${v.n}`).join(", ");
  const findings = r.findings.map((f) => `- ${f.problem} in ${f.target} (${f.kind} at ${f.path}): ${f.detail}\n  input: ${f.input}`).join("\n");
  const tail = r.ok
    ? `${total} inputs: 0 crashes, every bad input rejected with a message, refused requests left the venue unchanged — reproduce: npm run fuzz -- --frames ${r.options.frames} --seed ${r.options.seed}`
    : `FINDINGS (seed ${r.options.seed}):\n${findings}\nreproduce: npm run fuzz -- --frames ${r.options.frames} --seed ${r.options.seed}`;
  return `${head}\n\n${table}\n\nrejected/drawn by mutation kind: ${kindLine}\n\n${tail}\n`;
}
