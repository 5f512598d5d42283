// SIGINT/SIGTERM: the first asks for a graceful stop (stop quoting, cancel everything, wait for
// the answers, flush), the second exits at once. A second one within `repeatAfterMs` (1 s) of the
// first is the same request: Ctrl-C on `npm start` reaches the service twice within milliseconds —
// the terminal signals the whole foreground process group, and npm forwards its own copy to its
// child — which made every Ctrl-C skip the graceful stop and leave the orders resting.
import type { Logger } from "pino";
import { asyncScheduler, type SchedulerLike } from "rxjs";

export interface ShutdownHandle {
  /** Resolves with the first signal's name (or "duration"/"error" when stopped otherwise). */
  readonly requested: Promise<string>;
  /** Ask for a stop without a signal (the `--duration` timer). */
  request(reason: string): void;
  dispose(): void;
}

export interface ShutdownSignalOptions {
  /** A signal this soon after the first is a copy of it, not a second request (default 1000 ms). */
  readonly repeatAfterMs?: number;
  /** The clock of `repeatAfterMs` (default rxjs' asyncScheduler). */
  readonly scheduler?: SchedulerLike;
}

export function handleShutdownSignals(log: Logger, exit: (code: number) => never = process.exit, options: ShutdownSignalOptions = {}): ShutdownHandle {
  let resolve!: (s: string) => void;
  const requested = new Promise<string>((r) => (resolve = r));
  const clock = options.scheduler ?? asyncScheduler;
  const repeatAfterMs = options.repeatAfterMs ?? 1000;
  let count = 0;
  let firstAt = -Infinity;
  const onSignal = (signal: NodeJS.Signals) => {
    if (count === 1 && clock.now() - firstAt < repeatAfterMs) {
      log.debug({ signal }, "signal repeated at once (the terminal's and npm's copy of one Ctrl-C): still stopping gracefully");
      return;
    }
    count++;
    if (count === 1) {
      firstAt = clock.now();
      log.info({ signal }, "stopping: pulling quotes, cancelling resting orders (send the signal again to exit at once)");
      resolve(signal);
    } else {
      log.warn({ signal }, "second signal: exiting now without waiting");
      exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    requested,
    request(reason: string) {
      if (count === 0) {
        count++;
        resolve(reason); // firstAt stays -Infinity: a signal after it is a request of its own
      }
    },
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
