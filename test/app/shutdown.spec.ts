import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { VirtualTimeScheduler } from "rxjs";
import { createRootLogger } from "../../app/logger.js";
import { handleShutdownSignals, type ShutdownHandle } from "../../app/shutdown.js";

/** The handler on a virtual clock, its exit codes and log lines recorded; disposed after `body`. */
async function withSignals(body: (h: { handle: ShutdownHandle; clock: VirtualTimeScheduler; exits: number[]; lines: string[] }) => Promise<void>): Promise<void> {
  const exits: number[] = [];
  const lines: string[] = [];
  const log = createRootLogger({ pretty: false, level: "debug", destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
  const clock = new VirtualTimeScheduler();
  const exit = ((code: number) => {
    exits.push(code);
  }) as (code: number) => never;
  const handle = handleShutdownSignals(log, exit, { scheduler: clock });
  try {
    await body({ handle, clock, exits, lines });
  } finally {
    handle.dispose();
  }
}

describe("signal handling", () => {
  it("the first SIGINT/SIGTERM asks for a graceful stop, the second exits at once with 130", () =>
    withSignals(async ({ handle, clock, exits }) => {
      process.emit("SIGTERM", "SIGTERM");
      expect(await handle.requested).toBe("SIGTERM");
      expect(exits).toEqual([]);
      clock.frame = 1000;
      process.emit("SIGINT", "SIGINT");
      expect(exits).toEqual([130]);
    }));

  it("one Ctrl-C delivered twice at once (the terminal's process-group copy and npm's forwarded one) is one graceful stop, and a later one still exits", () =>
    withSignals(async ({ handle, clock, exits, lines }) => {
      process.emit("SIGINT", "SIGINT");
      clock.frame = 7;
      process.emit("SIGINT", "SIGINT");
      expect(await handle.requested).toBe("SIGINT");
      clock.frame = 999;
      process.emit("SIGINT", "SIGINT");
      expect(exits).toEqual([]);
      expect(lines.filter((l) => l.includes("signal repeated at once"))).toHaveLength(2);
      clock.frame = 1000; // a second request, a second apart: exit at once
      process.emit("SIGINT", "SIGINT");
      expect(exits).toEqual([130]);
    }));

  it("a stop requested by --duration counts as the first: a signal after it exits at once", () =>
    withSignals(async ({ handle, exits }) => {
      handle.request("duration");
      expect(await handle.requested).toBe("duration");
      process.emit("SIGINT", "SIGINT");
      expect(exits).toEqual([130]);
    }));
});
