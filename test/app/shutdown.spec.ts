import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createRootLogger } from "../../app/logger.js";
import { handleShutdownSignals } from "../../app/shutdown.js";

describe("signal handling", () => {
  it("the first SIGINT/SIGTERM asks for a graceful stop, the second exits at once with 130", async () => {
    const exits: number[] = [];
    const log = createRootLogger({ pretty: false, destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const handle = handleShutdownSignals(log, ((code: number) => {
      exits.push(code);
    }) as (code: number) => never);
    try {
      process.emit("SIGTERM", "SIGTERM");
      expect(await handle.requested).toBe("SIGTERM");
      expect(exits).toEqual([]);
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
