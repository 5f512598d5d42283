// SIGINT/SIGTERM: the first asks for a graceful stop (stop quoting, cancel everything, wait for
// the answers, flush), the second exits at once.
import type { Logger } from "pino";

export interface ShutdownHandle {
  /** Resolves with the first signal's name (or "duration"/"error" when stopped otherwise). */
  readonly requested: Promise<string>;
  /** Ask for a stop without a signal (the `--duration` timer). */
  request(reason: string): void;
  dispose(): void;
}

export function handleShutdownSignals(log: Logger, exit: (code: number) => never = process.exit): ShutdownHandle {
  let resolve!: (s: string) => void;
  const requested = new Promise<string>((r) => (resolve = r));
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    if (count === 1) {
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
        resolve(reason);
      }
    },
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
