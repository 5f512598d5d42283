// A fake socket factory driven by a virtual scheduler: each created socket runs a script
// (open, answer, close) so reconnect, backoff and the watchdog run on virtual time.
import type { SchedulerLike } from "rxjs";
import type { HlSocket, HlSocketFactory, HlSocketHandlers } from "../../../sources/index.js";

export class FakeSocket implements HlSocket {
  readonly sent: string[] = [];
  closedByClient = false;
  terminated = false;
  /** Answer pings with a pong 1 ms later (a healthy server). */
  autoPong = true;
  constructor(
    readonly index: number,
    readonly handlers: HlSocketHandlers,
    private readonly scheduler: SchedulerLike,
  ) {}
  send(text: string): void {
    this.sent.push(text);
    if (this.autoPong && text === '{"method":"ping"}') this.at(1, (x) => x.frame({ channel: "pong" }));
  }
  close(): void {
    this.closedByClient = true;
  }
  terminate(): void {
    this.terminated = true;
  }
  /** Run `fn` on the socket `delayMs` from now (virtual), unless the client already dropped it. */
  at(delayMs: number, fn: (s: FakeSocket) => void): void {
    this.scheduler.schedule(() => {
      if (!this.closedByClient && !this.terminated) fn(this);
    }, delayMs);
  }
  open(): void {
    this.handlers.open();
  }
  frame(value: unknown): void {
    this.handlers.message(typeof value === "string" ? value : JSON.stringify(value));
  }
  drop(code = 1006): void {
    this.handlers.closed(code, "dropped");
  }
  /** Parsed client messages. */
  messages(): Array<Record<string, unknown>> {
    return this.sent.map((t) => JSON.parse(t) as Record<string, unknown>);
  }
}

export class FakeSockets {
  readonly sockets: FakeSocket[] = [];
  constructor(
    private readonly scheduler: SchedulerLike,
    private readonly script: (socket: FakeSocket) => void,
  ) {}
  readonly factory: HlSocketFactory = (_url, handlers) => {
    const s = new FakeSocket(this.sockets.length, handlers, this.scheduler);
    this.sockets.push(s);
    this.script(s);
    return s;
  };
}
