import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { VirtualTimeScheduler } from "rxjs";
import { createRootLogger } from "../../app/logger.js";
import { handleShutdownSignals } from "../../app/shutdown.js";

describe("signal handling", () => {
  it("the first SIGINT/SIGTERM asks for a graceful stop, the second exits at once with 130", async () => {
    const exits: number[] = [];
    const log = createRootLogger({ pretty: false, destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const clock = new VirtualTimeScheduler();
    const handle = handleShutdownSignals(
      log,
      ((code: number) => {
        exits.push(code);
      }) as (code: number) => never,
      { scheduler: clock },
    );
    try {
      process.emit("SIGTERM", "SIGTERM");
      expect(await handle.requested).toBe("SIGTERM");
      expect(exits).toEqual([]);
      clock.frame = 1000;
      process.emit("SIGINT", "SIGINT");
      expect(exits).toEqual([130]);
    } finally {
      handle.dispose();
    }
  });

  it("one Ctrl-C delivered twice at once (the terminal's process-group copy and npm's forwarded one) is one graceful stop, and a later one still exits", async () => {
    const exits: number[] = [];
    const lines: string[] = [];
    const log = createRootLogger({ pretty: false, level: "debug", destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
    const clock = new VirtualTimeScheduler();
    const handle = handleShutdownSignals(
      log,
      ((code: number) => {
        exits.push(code);
      }) as (code: number) => never,
      { scheduler: clock },
    );
    try {
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
    } finally {
      handle.dispose();
    }
  });

  it("a stop requested by --duration counts as the first: a signal after it exits at once", async () => {
    const exits: number[] = [];
    const log = createRootLogger({ pretty: false, destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const handle = handleShutdownSignals(log, ((code: number) => {
      exits.push(code);
    }) as (code: number) => never);
    try {
      handle.request("duration");
      expect(await handle.requested).toBe("duration");
      process.emit("SIGINT", "SIGINT");
      expect(exits).toEqual([130]);
    } finally {
      handle.dispose();
    }
  });
});
