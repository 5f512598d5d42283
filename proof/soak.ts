// `npm run soak -- --hours <h> --assets <n> --seed <s> --faults hostile`: the chaos soak.
// Exits 0 when every invariant held, 1 when one broke (the table names the seed and the first
// violating event), 2 on a usage error.
import { writeFileSync } from "node:fs";
import { runProgram } from "../app/args.js";
import { packageVersion } from "../sources/paths.js";
import { SOAK_HELP, parseSoakArgs } from "./soak/args.js";
import { runSoak } from "./soak/harness.js";
import { renderSoakTable } from "./soak/table.js";
import { renderCrashRestartTable, runCrashRestartSoak } from "./soak/crashRestart.js";
import { renderScenarioTable, runClockSkewSoak, runFalseStatusSoak, runQueuePressureSoak } from "./soak/scenarios.js";

async function main(): Promise<number> {
  const cli = parseSoakArgs(process.argv.slice(2));
  if (cli.version) {
    process.stdout.write(`quoteflow soak ${packageVersion()}\n`);
    return 0;
  }
  if (cli.help) {
    process.stdout.write(SOAK_HELP);
    return 0;
  }
  let last = 0;
  if (cli.scenario === "crash-restart") {
    const r = await runCrashRestartSoak({
      ...cli.soak,
      onProgress: (p) => {
        if (cli.quiet || p.wallMs - last < 5000) return;
        last = p.wallMs;
        process.stderr.write(`soak crash-restart ${((p.virtualMs / p.totalMs) * 100).toFixed(0).padStart(3)}%  session ${p.sessions}  ${(p.wallMs / 1000).toFixed(0)} s\n`);
      },
    });
    process.stdout.write(renderCrashRestartTable(r));
    if (cli.json) writeFileSync(cli.json, JSON.stringify(r, null, 2));
    return r.ok ? 0 : 1;
  }
  if (cli.scenario === "clock-skew" || cli.scenario === "queue-pressure" || cli.scenario === "false-status") {
    const run = cli.scenario === "clock-skew" ? runClockSkewSoak : cli.scenario === "false-status" ? runFalseStatusSoak : runQueuePressureSoak;
    const r = await run({ ...cli.soak, ...(cli.quiet ? {} : { onProgress: (p) => {
      if (p.wallMs - last < 5000) return;
      last = p.wallMs;
      process.stderr.write(`soak ${cli.scenario} ${((p.virtualMs / p.totalMs) * 100).toFixed(0).padStart(3)}%  ${(p.wallMs / 1000).toFixed(0)} s\n`);
    } }) });
    process.stdout.write(renderScenarioTable(cli.scenario, r));
    if (cli.json) writeFileSync(cli.json, JSON.stringify({ ...r.result, scenario: cli.scenario, injected: r.injected, checks: r.checks }, null, 2));
    return r.ok ? 0 : 1;
  }
  const result = await runSoak({
    ...cli.soak,
    onProgress: (p) => {
      if (cli.quiet || p.wallMs - last < 5000) return;
      last = p.wallMs;
      process.stderr.write(
        `soak ${((p.virtualMs / p.totalMs) * 100).toFixed(0).padStart(3)}%  ${(p.virtualMs / 3_600_000).toFixed(2)} h virtual  ${p.events} events  ${p.fills} fills  ${p.violations} violations  ${(p.wallMs / 1000).toFixed(0)} s\n`,
      );
    },
  });
  process.stdout.write(renderSoakTable(result));
  if (cli.json) writeFileSync(cli.json, JSON.stringify(result, null, 2));
  return result.ok ? 0 : 1;
}

runProgram("soak", main);
