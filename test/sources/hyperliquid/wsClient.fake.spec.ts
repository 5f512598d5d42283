// The WS client on virtual time with a fake socket: backoff 1 s → 60 s with the attempt counter
// cleared on the first frame (not on the open), the pong watchdog, resubscription, post limits.
import { describe, expect, it } from "vitest";
import { VirtualTimeScheduler, VirtualAction } from "rxjs";
import { HlWsClient, HlConnectionLostError, HlPostRefusedError, HlTimeoutError, type HlPostResponse } from "../../../sources/index.js";
import { FakeSockets, type FakeSocket } from "./fakeSocket.js";
import { marbles } from "../../marbles.js";

const sched = () => new VirtualTimeScheduler(VirtualAction, 2_000_000);
const book = (coin: string, time: number) => ({ channel: "l2Book", data: { coin, time, levels: [[{ px: "1", sz: "1", n: 1 }], [{ px: "2", sz: "1", n: 1 }]] } });

function record(client: HlWsClient, s: VirtualTimeScheduler): string[] {
  const out: string[] = [];
  client.state$.subscribe((st) => out.push(`${s.now()} ${st.status}:${st.attempt}`));
  return out;
}

describe("HlWsClient reconnect and backoff (virtual time)", () => {
  it("backs off 1, 2, 4 … 60 s (capped), keeps the count through the open, clears it on the first frame", () => {
    const s = sched();
    const fake = new FakeSockets(s, (sock) => {
      if (sock.index < 8) sock.at(0, (x) => x.drop());
      else {
        sock.at(10, (x) => x.open());
        sock.at(20, (x) => x.frame(book("BTC", 1)));
      }
    });
    const client = new HlWsClient({ url: "ws://fake", scheduler: s, socketFactory: fake.factory, backoff: { jitter: 0 } });
    const states = record(client, s);
    const sub = client.channel({ type: "l2Book", coin: "BTC" }).subscribe();
    s.flush();
    expect(states.slice(0, 12)).toEqual([
      "0 closed:0",
      "0 connecting:0",
      "0 reconnecting:1",
      "1000 reconnecting:2",
      "3000 reconnecting:3",
      "7000 reconnecting:4",
      "15000 reconnecting:5",
      "31000 reconnecting:6",
      "63000 reconnecting:7",
      "123000 reconnecting:8", // 60 s cap: 63 000 + 60 000
      "183010 open:8", // opened: the counter is kept …
      "183020 open:0", // … until the first frame
    ]);
    expect(fake.sockets).toHaveLength(9);
    sub.unsubscribe();
  });

  it("applies jitter as delay × (1 − jitter × random)", () => {
    const client = new HlWsClient({ url: "ws://x", backoff: { initialMs: 1000, maxMs: 60_000, jitter: 0.5 }, random: () => 0.5 });
    expect([1, 2, 3, 7, 8, 20].map((n) => client.backoffDelay(n))).toEqual([750, 1500, 3000, 45_000, 45_000, 45_000]);
  });

  it("resubscribes every channel after a drop and unsubscribes with the last subscriber", () => {
    const s = sched();
    const fake = new FakeSockets(s, (sock) => {
      sock.at(5, (x) => x.open());
      if (sock.index === 0) sock.at(100, (x) => x.drop());
    });
    const client = new HlWsClient({ url: "ws://fake", scheduler: s, socketFactory: fake.factory, backoff: { jitter: 0 } });
    const a = client.channel({ type: "l2Book", coin: "BTC" }).subscribe();
    const b = client.channel({ type: "trades", coin: "BTC" }).subscribe();
    const b2 = client.channel({ type: "trades", coin: "BTC" }).subscribe(); // same key: one subscription
    s.schedule(() => b.unsubscribe(), 2000);
    s.schedule(() => b2.unsubscribe(), 3000);
    s.flush();
    const subs = (x: FakeSocket) => x.messages().filter((m) => m["method"] !== "ping");
    expect(subs(fake.sockets[0]!)).toEqual([
      { method: "subscribe", subscription: { type: "l2Book", coin: "BTC" } },
      { method: "subscribe", subscription: { type: "trades", coin: "BTC" } },
    ]);
    expect(subs(fake.sockets[1]!)).toEqual([
      { method: "subscribe", subscription: { type: "l2Book", coin: "BTC" } },
      { method: "subscribe", subscription: { type: "trades", coin: "BTC" } },
      { method: "unsubscribe", subscription: { type: "trades", coin: "BTC" } },
    ]);
    a.unsubscribe();
    expect(fake.sockets[1]!.closedByClient).toBe(true);
  });

  it("routes frames by coin/user and counts a malformed frame without ending the feed", () => {
    const s = sched();
    const fake = new FakeSockets(s, (sock) => {
      sock.at(1, (x) => x.open());
      sock.at(2, (x) => x.frame(book("BTC", 1)));
      sock.at(3, (x) => x.frame(book("ETH", 2)));
      sock.at(4, (x) => x.frame("{not json"));
      sock.at(5, (x) => x.frame(book("BTC", 3)));
    });
    const client = new HlWsClient({ url: "ws://fake", scheduler: s, socketFactory: fake.factory });
    const got: unknown[] = [];
    const errors: string[] = [];
    client.decodeErrors$.subscribe((e) => errors.push(`${e.source} ${e.message.slice(0, 30)}`));
    const sub = client.channel({ type: "l2Book", coin: "BTC" }).subscribe((d) => got.push((d as { time: number }).time));
    s.schedule(() => sub.unsubscribe(), 10);
    s.flush();
    expect(got).toEqual([1, 3]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ws ws frame: \$: not JSON/);
    expect(client.decodeErrorCount).toBe(1);
  });
});

describe("HlWsClient pong watchdog", () => {
  it(
    "pings every interval and terminates a socket that stays silent for pongTimeout after a ping (marbles)",
    marbles((m) => {
      const s = m.scheduler;
      let fake!: FakeSockets;
      // the server answers the first two pings only
      fake = new FakeSockets(s, (sock) => {
        if (sock.index > 0) return;
        sock.autoPong = false;
        sock.at(0, (x) => x.open());
        let pings = 0;
        const origSend = sock.send.bind(sock);
        sock.send = (text: string) => {
          origSend(text);
          if (text === '{"method":"ping"}' && ++pings <= 2) sock.at(2, (x) => x.frame({ channel: "pong" }));
        };
      });
      const client = new HlWsClient({
        url: "ws://fake",
        scheduler: s,
        socketFactory: fake.factory,
        pingIntervalMs: 30,
        pongTimeoutMs: 10,
        backoff: { initialMs: 5, jitter: 0 },
      });
      const state$ = client.state$;
      // 0: connecting, then open; pongs at 32 and 62 change nothing; the ping at 90 meets
      // silence, so at 100 the watchdog terminates the socket → reconnecting:1 (the next socket
      // never opens); at 150 the last subscriber leaves → closed.
      m.expect(state$, "^ 150ms !").toBeObservable("(co) 96ms r 49ms x", {
        c: { status: "connecting", attempt: 0, time: 0 },
        o: { status: "open", attempt: 0, time: 0 },
        r: { status: "reconnecting", attempt: 1, time: 100 },
        x: { status: "closed", attempt: 0, time: 150 },
      });
      const sub = client.channel({ type: "allMids" }).subscribe();
      s.schedule(() => sub.unsubscribe(), 150);
      s.schedule(() => {
        expect(fake.sockets[0]!.terminated).toBe(true);
        expect(fake.sockets[0]!.sent.filter((t) => t.includes("ping"))).toHaveLength(3);
      }, 140);
    }),
  );
});

describe("HlWsClient posts", () => {
  function openClient(opts: { maxInFlight?: number; whenFull?: "wait" | "refuse"; dropAt?: number } = {}) {
    const s = sched();
    const fake = new FakeSockets(s, (sock) => {
      sock.at(1, (x) => x.open());
      if (sock.index === 0 && opts.dropAt !== undefined) sock.at(opts.dropAt, (x) => x.drop());
    });
    const client = new HlWsClient({ url: "ws://fake", scheduler: s, socketFactory: fake.factory, postTimeoutMs: 1000, backoff: { jitter: 0 }, ...opts });
    return { s, fake, client };
  }
  const posts = (x: FakeSocket) => x.messages().filter((m) => m["method"] === "post");
  const answer = (x: FakeSocket, id: number) =>
    x.frame({ channel: "post", data: { id, response: { type: "info", payload: { type: "allMids", data: { BTC: "1" } } } } });

  it("correlates answers by id", () => {
    const { s, fake, client } = openClient();
    const got: HlPostResponse[] = [];
    client.post("info", { type: "allMids" }).subscribe((r) => got.push(r));
    client.post("info", { type: "meta" }).subscribe((r) => got.push(r));
    s.schedule(() => {
      const [p1, p2] = posts(fake.sockets[0]!);
      expect(p1).toEqual({ method: "post", id: 1, request: { type: "info", payload: { type: "allMids" } } });
      fake.sockets[0]!.frame({ channel: "post", data: { id: p2!["id"], response: { type: "error", payload: "boom" } } });
      answer(fake.sockets[0]!, 1);
    }, 5);
    s.flush();
    expect(got).toEqual([{ type: "error", payload: "boom" }, { type: "info", payload: { type: "allMids", data: { BTC: "1" } } }]);
  });

  it("times out a post that gets no answer, marked sent", () => {
    const { s, client } = openClient();
    let err: unknown;
    client.post("action", { x: 1 }).subscribe({ error: (e) => (err = e) });
    s.flush();
    expect(err).toBeInstanceOf(HlTimeoutError);
    expect((err as HlTimeoutError).sent).toBe(true);
    expect(client.inFlightCount).toBe(0);
  });

  it("holds the 101st post until a slot frees, and sends it then", () => {
    const { s, fake, client } = openClient();
    for (let i = 0; i < 101; i++) client.post("info", { type: "allMids", i }).subscribe({ error: () => undefined });
    s.schedule(() => {
      expect(posts(fake.sockets[0]!)).toHaveLength(100);
      answer(fake.sockets[0]!, 7);
      expect(posts(fake.sockets[0]!)).toHaveLength(101);
      expect(posts(fake.sockets[0]!)[100]!["request"]).toEqual({ type: "info", payload: { type: "allMids", i: 100 } });
    }, 5);
    s.flush();
  });

  it("refuses the 101st post unsent when whenFull is refuse", () => {
    const { s, fake, client } = openClient({ whenFull: "refuse" });
    for (let i = 0; i < 100; i++) client.post("info", { i }).subscribe({ error: () => undefined });
    let err: unknown;
    client.post("info", { i: 100 }).subscribe({ error: (e) => (err = e) });
    expect(err).toBeInstanceOf(HlPostRefusedError);
    expect((err as HlPostRefusedError).sent).toBe(false);
    s.schedule(() => expect(posts(fake.sockets[0]!)).toHaveLength(100), 5);
    s.flush();
  });

  it("fails in-flight posts on a drop (outcome unknown) and sends queued ones after the reconnect", () => {
    const { s, fake, client } = openClient({ dropAt: 10 });
    let lost: unknown;
    client.post("action", { n: 1 }).subscribe({ error: (e) => (lost = e) });
    let late: HlPostResponse | undefined;
    s.schedule(() => client.post("info", { n: 2 }).subscribe({ next: (r) => (late = r), error: () => undefined }), 500);
    s.schedule(() => {
      const p = posts(fake.sockets[1]!);
      expect(p).toHaveLength(1);
      answer(fake.sockets[1]!, p[0]!["id"] as number);
    }, 1100);
    s.flush();
    expect(lost).toBeInstanceOf(HlConnectionLostError);
    expect((lost as HlConnectionLostError).sent).toBe(true);
    expect(late).toEqual({ type: "info", payload: { type: "allMids", data: { BTC: "1" } } });
  });

  it("fails the post named by a 'too many pending post requests id=N' error frame", () => {
    const { s, fake, client } = openClient();
    let err: unknown;
    client.post("info", {}).subscribe({ error: (e) => (err = e) });
    s.schedule(() => fake.sockets[0]!.frame({ channel: "error", data: "too many pending post requests id=1" }), 5);
    s.flush();
    expect((err as Error).message).toContain("refused by the server");
  });
});

