// The raw socket behind a small factory, so tests can replace it with a fake driven by a
// TestScheduler. The default factory uses `ws`.
import WebSocket from "ws";

export interface HlSocketHandlers {
  open(): void;
  message(text: string): void;
  /** Called once when the socket is gone (close, error or terminate). */
  closed(code: number, reason: string): void;
}

export interface HlSocket {
  send(text: string): void;
  /** Graceful close. */
  close(): void;
  /** Immediate teardown (dead socket). */
  terminate(): void;
}

export type HlSocketFactory = (url: string, handlers: HlSocketHandlers) => HlSocket;

/** A `ws` WebSocket with an 'error' listener, text frames only, one `closed` call. */
export const wsSocketFactory: HlSocketFactory = (url, h) => {
  const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 10_000 });
  let done = false;
  const closed = (code: number, reason: string) => {
    if (done) return;
    done = true;
    h.closed(code, reason);
  };
  ws.on("open", () => h.open());
  ws.on("message", (data, isBinary) => {
    if (done) return;
    h.message(isBinary ? Buffer.from(data as Buffer).toString("utf8") : data.toString());
  });
  ws.on("close", (code, reason) => closed(code, reason.toString()));
  ws.on("error", (err) => closed(1006, err.message));
  return {
    send: (text) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(text);
    },
    close: () => {
      done = true;
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close();
    },
    terminate: () => ws.terminate(),
  };
};
