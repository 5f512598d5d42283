// Start and stop a throwaway `redis-server` (Debian's package) for the cluster launcher and the
// specs: 127.0.0.1 only, a port the OS chose, a temporary directory, no persistence
// (`--save '' --appendonly no`). Stopped by its PID, never by name. An edge like sources/: it
// spawns a process and reads the wall clock for its start-up wait.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RedisServerHandle {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM by PID, wait for the exit, remove the directory. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL by PID (a crash, for the Redis-down specs); the directory stays for a restart. */
  kill(): Promise<void>;
  /** Start again on the same port (after `kill`). */
  restart(): Promise<void>;
}

/** Where `redis-server` is, or undefined when it is not installed (`apt-get install redis-server`). */
export function redisServerBinary(): string | undefined {
  const r = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" });
  const path = r.stdout.trim();
  return r.status === 0 && path !== "" ? path : undefined;
}

/** A free TCP port on 127.0.0.1, chosen by the OS (port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const t = setTimeout(done, ms);
    child.once("exit", () => {
      clearTimeout(t);
      done();
    });
  });
}

/**
 * Start `redis-server` on 127.0.0.1 and a free port, in a fresh temporary directory; resolves once
 * it accepts connections ("Ready to accept connections" on its log). Throws naming the binary and
 * its output when it does not start within `timeoutMs` (default 10 s).
 */
export async function startRedisServer(options: { readonly binary?: string; readonly timeoutMs?: number } = {}): Promise<RedisServerHandle> {
  const binary = options.binary ?? redisServerBinary();
  if (binary === undefined) throw new Error("redis-server is not installed (Debian/Ubuntu: apt-get install -y redis-server)");
  const dir = mkdtempSync(join(tmpdir(), "quoteflow-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let stopped = false;
  const launch = async (): Promise<void> => {
    const c = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--protected-mode", "yes", "--loglevel", "notice"], { stdio: ["ignore", "pipe", "pipe"] });
    child = c;
    let out = "";
    await new Promise<void>((ready, fail) => {
      const t = setTimeout(() => fail(new Error(`${binary} on 127.0.0.1:${port} did not start within ${options.timeoutMs ?? 10_000} ms: ${out.slice(-400)}`)), options.timeoutMs ?? 10_000);
      const onData = (b: Buffer): void => {
        out += b.toString();
        if (out.includes("Ready to accept connections")) {
          clearTimeout(t);
          ready();
        }
      };
      c.stdout?.on("data", onData);
      c.stderr?.on("data", onData);
      c.once("exit", (code, signal) => {
        clearTimeout(t);
        fail(new Error(`${binary} on 127.0.0.1:${port} exited (${code ?? signal}) before it was ready: ${out.slice(-400)}`));
      });
    });
    c.stdout?.removeAllListeners("data");
    c.stderr?.removeAllListeners("data");
    c.stdout?.resume();
    c.stderr?.resume();
    c.removeAllListeners("exit");
  };
  await launch();
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (c === undefined || c.pid === undefined || c.exitCode !== null || c.signalCode !== null) return;
    process.kill(c.pid, sig);
    await waitForExit(c, 5_000);
  };
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    get pid() {
      return child?.pid ?? -1;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await signal("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
    kill: () => signal("SIGKILL"),
    async restart() {
      await signal("SIGKILL");
      await launch();
    },
  };
}
