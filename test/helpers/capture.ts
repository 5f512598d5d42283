// A writable that keeps what is written (a logger's or a status line's output), for assertions.
import { Writable } from "node:stream";

export interface Captured {
  readonly stream: Writable & { isTTY?: boolean };
  /** Everything written so far. */
  text(): string;
  /** The output as JSON lines (pino's format). */
  lines(): Record<string, any>[];
}

export function capture(): Captured {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _e, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const text = (): string => chunks.join("");
  return { stream, text, lines: () => text().trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>) };
}
