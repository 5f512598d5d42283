// The paper venue server as a child process for the benchmarks (so its CPU is not the client's):
// synthetic soak assets at the fast l2Book cadence, no faults, the bench account known, IP
// weight unbounded (the benchmarks measure latency and CPU, not quota). Prints "PORT <n>".
import { startPaperServer } from "../../sim/index.js";
import { benchMarket } from "./live.js";
import { soakAssets } from "./markets.js";

const n = Number(process.env["QF_CHILD_ASSETS"] ?? "1");
const seed = Number(process.env["QF_CHILD_SEED"] ?? "1");
const user = process.env["QF_CHILD_USER"] ?? "";
const server = await startPaperServer({ market: benchMarket(soakAssets(n), seed), seed, faults: "none", accounts: [user], ipWeightPerMinute: 1e9 });
process.stdout.write(`PORT ${server.port}\n`);
const stop = () => void server.close().then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
