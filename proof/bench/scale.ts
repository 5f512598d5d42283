// `npm run bench -- scale [--assets 10,50,100,200] [--seconds 60] [--no-baseline]`: N synthetic
// assets on the paper venue (`quoteflow sim --synthetic <N names>`, a child process on 127.0.0.1,
// port 0), the service quoting all of them as a live client (`quoteflow run --venue hyperliquid
// --api-url <sim>`, another child process, so its CPU is its own), `seconds` each after a 10 s
// warm-up. Figures are the venue's account of the one IP (FACTS §9/§13: 1200 weight/min for HTTP
// and WS posts together, 2000 WS messages/min) and the client's own CPU and tick-to-action; beside
// each, the same run on the baseline (the account snapshot over REST every 3 s).
import type { BenchRow } from "./table.js";
import { BASELINE, CURRENT, measureScale, type ScaleFigures } from "./scale/measure.js";

export interface ScaleOptions {
  readonly assets?: readonly number[];
  readonly seconds?: number;
  readonly baseline?: boolean;
}

const IP_WEIGHT_LIMIT = 1200;
const WS_MESSAGE_LIMIT = 2000;

function rows(cur: ScaleFigures, base: ScaleFigures | undefined): BenchRow[] {
  const n = cur.assets;
  const b = (value: number, unit: string) => (base ? { baseline: { name: base.mode, value, unit } } : {});
  const purposes = Object.entries(cur.weightByPurpose)
    .filter(([, v]) => v > 0.05)
    .map(([p, v]) => `${p} ${v.toFixed(0)}`)
    .join(", ");
  return [
    {
      name: `${n} assets: IP weight/min, HTTP + WS post (peak 60 s window ${cur.weightPeakMinute}, refused ${cur.weightRefusedPerMin.toFixed(0)}/min; client's split: ${purposes || "none"})`,
      value: cur.weightPerMin,
      unit: "weight/min",
      ...b(base?.weightPerMin ?? 0, "weight/min"),
      goal: `≤ ${IP_WEIGHT_LIMIT}`,
      // the venue never charges past its limit: demand past it shows as refused weight
      met: cur.weightPeakMinute <= IP_WEIGHT_LIMIT && cur.weightRefusedPerMin === 0,
    },
    { name: `${n} assets: WS messages sent/min (peak 60 s window ${cur.wsPeakMinute})`, value: cur.wsPerMin, unit: "msg/min", ...b(base?.wsPerMin ?? 0, "msg/min"), goal: `≤ ${WS_MESSAGE_LIMIT}`, met: cur.wsPeakMinute <= WS_MESSAGE_LIMIT },
    { name: `${n} assets: rate-limit answers (429, address, subscription), whole run`, value: cur.rateLimited, unit: "answers", ...b(base?.rateLimited ?? 0, "answers"), goal: "0", met: cur.rateLimited === 0 },
    { name: `${n} assets: address requests per asset-hour`, value: cur.addressPerAssetHour, unit: "req/asset·h", ...b(base?.addressPerAssetHour ?? 0, "req/asset·h") },
    { name: `${n} assets: client CPU`, value: cur.cpuCore * 100, unit: "% of a core", ...b((base?.cpuCore ?? 0) * 100, "% of a core"), goal: "< 25%", met: cur.cpuCore < 0.25 },
    { name: `${n} assets: p99 tick-to-action (bucket bound)`, value: cur.p99Ms, unit: "ms", ...b(base?.p99Ms ?? 0, "ms") },
    {
      name: `${n} assets: assets with resting orders, fewest in any 5 s sample (at the end: ${cur.restingEnd}; client warnings logged: ${cur.clientWarnings})`,
      value: cur.restingMin,
      unit: "assets",
      ...b(base?.restingMin ?? 0, "assets"),
      goal: `${n}`,
      met: cur.restingMin === n,
    },
  ];
}

/** What the table leaves out, on stderr: the client's weight split and its warnings by kind. */
function report(f: ScaleFigures): void {
  const split = Object.entries(f.weightByPurpose).map(([p, v]) => `${p} ${v.toFixed(1)}`).join(", ");
  const warns = f.warningKinds.slice(0, 6).map(([k, n]) => `${n}× ${k}`).join("; ");
  process.stderr.write(`bench scale:   ${f.assets} assets (${f.mode}): ${f.subscriptions} WS subscriptions; paper venue CPU ${f.simCpuCore === undefined ? "n/a" : (f.simCpuCore * 100).toFixed(1) + "% of a core"}; weight/min by purpose (client's count): ${split || "none"}; warnings: ${warns || "none"}\n`);
}

export async function run(options: ScaleOptions = {}): Promise<BenchRow[]> {
  const sizes = options.assets ?? [10, 50, 100, 200];
  const seconds = options.seconds ?? 60;
  const out: BenchRow[] = [];
  for (const n of sizes) {
    process.stderr.write(`bench scale: ${n} assets, ${seconds} s, ${CURRENT.name} …\n`);
    const cur = await measureScale(n, seconds, CURRENT);
    report(cur);
    let base: ScaleFigures | undefined;
    if (options.baseline !== false) {
      process.stderr.write(`bench scale: ${n} assets, ${seconds} s, baseline (${BASELINE.name}) …\n`);
      base = await measureScale(n, seconds, BASELINE);
      report(base);
    }
    out.push(...rows(cur, base));
  }
  return out;
}
