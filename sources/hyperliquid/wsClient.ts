// Hyperliquid WebSocket client (FACTS §2–3): refcounted subscriptions (subscribe on the first
// subscriber, unsubscribe on the last), `post` correlated by id with a timeout and at most
// `maxInFlight` in flight, ping every 30 s with a pong watchdog that terminates a dead socket,
// reconnect with capped exponential backoff and jitter, resubscribe everything. The attempt
// counter is cleared on the first frame after a (re)connect, not on the open. Every time that
// decides behaviour goes through the injected scheduler, so all of this is marble-testable.
import {
  BehaviorSubject,
  Observable,
  Subject,
  asyncScheduler,
  defer,
  distinctUntilChanged,
  finalize,
  ignoreElements,
  retry,
  share,
  timer,
  type SchedulerLike,
  type Subscriber,
  type Subscription,
} from "rxjs";
import {
  HlWsPostResponse,
  decodeErrorEvent,
  parseHlWsFrame,
  postIdFromErrorText,
  decodeWith,
  type ConnectionState,
  type ConnectionStatus,
  type DecodeErrorEvent,
  type HlSubscription,
} from "../../streams/index.js";
import { SourceSubscriber } from "../../streams/sourceSubscriber.js";
import { HlConnectionLostError, HlPostRefusedError, HlServerError, HlSocketClosedError, HlTimeoutError } from "./errors.js";
import { wsSocketFactory, type HlSocket, type HlSocketFactory } from "./socket.js";

export interface HlBackoffOptions {
  /** First reconnect delay, ms (default 1000). */
  readonly initialMs?: number;
  /** Cap, ms (default 60 000). */
  readonly maxMs?: number;
  /** Fraction of the delay that is randomised away: delay × (1 − jitter × random()) (default 0.2). */
  readonly jitter?: number;
}

export interface HlWsClientOptions {
  readonly url: string;
  readonly scheduler?: SchedulerLike;
  readonly socketFactory?: HlSocketFactory;
  /** Ping period, ms (default 30 000). */
  readonly pingIntervalMs?: number;
  /** Terminate the socket when nothing arrives this long after a ping, ms (default 10 000). */
  readonly pongTimeoutMs?: number;
  /** Default post timeout, ms (default 10 000). */
  readonly postTimeoutMs?: number;
  /** Posts in flight at once (default 100, the venue's limit). */
  readonly maxInFlight?: number;
  /** What the post over the limit does: wait for a slot (default) or fail at once, unsent. */
  readonly whenFull?: "wait" | "refuse";
  readonly backoff?: HlBackoffOptions;
  /** Random source for jitter (default Math.random); tests pass a constant. */
  readonly random?: () => number;
  /** Frames longer than this are decode errors (default streams/wire HL_MAX_FRAME_CHARS). */
  readonly maxFrameChars?: number;
}

/** What a post answers: info `{type, data}`, an /exchange body, or the server's error text. */
export type HlPostResponse = HlWsPostResponse["response"];

interface Channel {
  readonly key: string;
  readonly subscription: HlSubscription;
  readonly subject: Subject<unknown>;
  refs: number;
}

interface PendingPost {
  readonly type: "info" | "action";
  readonly payload: object;
  readonly subscriber: Subscriber<HlPostResponse>;
  id: number;
  sent: boolean;
  timeout?: Subscription;
}

// Subscription keying lives in streams/wire (shared with the paper venue's server).
import { hlFrameKey, hlSubscriptionKey } from "../../streams/wire/subscriptions.js";
import { FanoutSubject } from "../../streams/fanout.js";
export { hlFrameKey, hlSubscriptionKey };

export class HlWsClient {
  private readonly scheduler: SchedulerLike;
  private readonly factory: HlSocketFactory;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly postTimeoutMs: number;
  private readonly maxInFlight: number;
  private readonly whenFull: "wait" | "refuse";
  private readonly backoffInitial: number;
  private readonly backoffMax: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private readonly maxFrameChars: number | undefined;

  private readonly stateSubject: BehaviorSubject<ConnectionState>;
  private readonly decodeErrorSubject = new Subject<DecodeErrorEvent>();
  private readonly serverErrorSubject = new Subject<string>();
  private readonly channels = new Map<string, Channel>();
  private readonly queue: PendingPost[] = [];
  private readonly inFlight = new Map<number, PendingPost>();
  private socket: HlSocket | undefined;
  private nextId = 1;
  private attempt = 0;
  private everOpened = false;
  private decodeErrorTotal = 0;

  /** The shared connection: alive while anything (a channel, a post) needs it. */
  private readonly connection$: Observable<never>;

  /** Connection status; `attempt` counts reconnects since the last frame received. */
  readonly state$: Observable<ConnectionState>;
  /** Frames that did not parse or route, as values (the feed goes on). */
  readonly decodeErrors$: Observable<DecodeErrorEvent>;
  /** Error-channel texts the client could not attribute to a post ("Already subscribed", …). */
  readonly serverErrors$: Observable<string>;

  constructor(options: HlWsClientOptions) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.factory = options.socketFactory ?? wsSocketFactory;
    this.pingIntervalMs = options.pingIntervalMs ?? 30_000;
    this.pongTimeoutMs = options.pongTimeoutMs ?? 10_000;
    this.postTimeoutMs = options.postTimeoutMs ?? 10_000;
    this.maxInFlight = options.maxInFlight ?? 100;
    this.whenFull = options.whenFull ?? "wait";
    this.backoffInitial = options.backoff?.initialMs ?? 1_000;
    this.backoffMax = options.backoff?.maxMs ?? 60_000;
    this.jitter = options.backoff?.jitter ?? 0.2;
    this.random = options.random ?? Math.random;
    this.maxFrameChars = options.maxFrameChars;
    this.stateSubject = new BehaviorSubject<ConnectionState>({ status: "closed", attempt: 0, time: this.scheduler.now() });
    this.state$ = this.stateSubject.pipe(distinctUntilChanged((a, b) => a.status === b.status && a.attempt === b.attempt));
    this.decodeErrors$ = this.decodeErrorSubject.asObservable();
    this.serverErrors$ = this.serverErrorSubject.asObservable();

    const url = options.url;
    this.connection$ = defer(() => this.session(url)).pipe(
      retry({
        resetOnSuccess: true,
        delay: (_err: unknown, count: number) => {
          this.attempt = count;
          this.setState("reconnecting");
          return timer(this.backoffDelay(count), this.scheduler);
        },
      }),
      ignoreElements(),
      finalize(() => {
        this.attempt = 0;
        this.everOpened = false;
        this.setState("closed");
      }),
      share(),
    );
  }

  /** Reconnect delay before attempt `n` (1-based): min(max, initial × 2^(n−1)) with jitter. */
  backoffDelay(n: number): number {
    const base = Math.min(this.backoffMax, this.backoffInitial * 2 ** Math.max(0, n - 1));
    return Math.round(base * (1 - this.jitter * this.random()));
  }

  get status(): ConnectionStatus {
    return this.stateSubject.value.status;
  }

  /** Frames that failed to decode since construction. */
  get decodeErrorCount(): number {
    return this.decodeErrorTotal;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private setState(status: ConnectionStatus): void {
    this.stateSubject.next({ status, attempt: this.attempt, time: this.scheduler.now() });
  }

  private reportDecodeError(source: string, message: string): void {
    this.decodeErrorTotal++;
    this.decodeErrorSubject.next(decodeErrorEvent(source, message, this.scheduler.now()));
  }

  /** One socket's life: emits once on its first frame (which resets the retry count), errors when it dies. */
  private session(url: string): Observable<void> {
    return new Observable<void>((subscriber) => {
      let done = false;
      let opened = false;
      let gotFrame = false;
      let ping: Subscription | undefined;
      let watchdog: Subscription | undefined;
      // a retry keeps "reconnecting" (with its attempt) until the socket opens
      if (this.attempt === 0) this.setState(this.everOpened ? "reconnecting" : "connecting");

      const stopTimers = () => {
        ping?.unsubscribe();
        watchdog?.unsubscribe();
        ping = watchdog = undefined;
      };
      const die = (err: Error) => {
        if (done) return;
        done = true;
        stopTimers();
        if (this.socket === socket) this.socket = undefined;
        this.failInFlight(err);
        subscriber.error(err);
      };

      const socket = this.factory(url, {
        open: () => {
          if (done) return;
          opened = true;
          this.everOpened = true;
          this.socket = socket;
          this.setState("open");
          for (const ch of this.channels.values()) socket.send(JSON.stringify({ method: "subscribe", subscription: ch.subscription }));
          this.pump();
          ping = timer(this.pingIntervalMs, this.pingIntervalMs, this.scheduler).subscribe(() => {
            socket.send('{"method":"ping"}');
            if (watchdog === undefined)
              watchdog = timer(this.pongTimeoutMs, this.scheduler).subscribe(() => {
                socket.terminate();
                die(new HlSocketClosedError(4000, `no frame within ${this.pongTimeoutMs} ms of a ping`));
              });
          });
        },
        message: (text) => {
          if (done) return;
          if (watchdog !== undefined) {
            watchdog.unsubscribe();
            watchdog = undefined;
          }
          const frame = this.parse(text);
          if (frame === undefined) return;
          // the state moves before consumers see the frame (they may unsubscribe on it)
          if (frame.channel !== "error" && !gotFrame && opened) {
            gotFrame = true;
            this.attempt = 0;
            this.setState("open");
            subscriber.next();
          }
          if (!done) this.dispatch(frame.channel, frame.data);
        },
        closed: (code, reason) => die(new HlSocketClosedError(code, reason)),
      });

      return () => {
        const wasLive = !done;
        done = true;
        stopTimers();
        if (this.socket === socket) this.socket = undefined;
        if (wasLive) {
          this.failInFlight(new HlConnectionLostError("connection closed by the client", true));
          socket.close();
        }
      };
    });
  }

  /** Parse one frame; garbage is counted as a decode error and dropped. */
  private parse(text: string): { channel: string; data: unknown } | undefined {
    const parsed = parseHlWsFrame(text, this.maxFrameChars);
    if (!parsed.ok) {
      this.reportDecodeError("ws", parsed.error.message);
      return undefined;
    }
    return { channel: parsed.value.channel, data: parsed.value.data };
  }

  /** Route one parsed frame: posts to their request, errors to their post or serverErrors$, data to its channel. */
  private dispatch(channel: string, data: unknown): void {
    switch (channel) {
      case "pong":
      case "subscriptionResponse":
        return;
      case "error":
        this.onErrorFrame(typeof data === "string" ? data : JSON.stringify(data));
        return;
      case "post":
        this.onPostFrame(data);
        return;
    }
    const key = hlFrameKey(channel, data);
    if (key === undefined) {
      if (channel === "trades" && Array.isArray(data) && data.length === 0) return;
      this.reportDecodeError(`ws:${channel}`, `ws:${channel}: cannot route frame (no coin/user to match a subscription)`);
      return;
    }
    this.channels.get(key)?.subject.next(data);
  }

  private onErrorFrame(text: string): void {
    const id = postIdFromErrorText(text);
    const post = id === undefined ? undefined : this.inFlight.get(id);
    if (post !== undefined) {
      this.settle(post);
      post.subscriber.error(new HlServerError(`post ${post.id} refused by the server: ${text.slice(0, 200)}`, text));
      return;
    }
    this.serverErrorSubject.next(text);
  }

  private onPostFrame(data: unknown): void {
    const r = decodeWith(HlWsPostResponse, data, "ws:post");
    if (!r.ok) {
      this.reportDecodeError("ws:post", r.error.message);
      const id = (data as { id?: unknown } | null)?.id;
      const post = typeof id === "number" ? this.inFlight.get(id) : undefined;
      if (post !== undefined) {
        this.settle(post);
        post.subscriber.error(new HlServerError(`post ${post.id}: undecodable response (${r.error.message.slice(0, 200)})`, ""));
      }
      return;
    }
    const post = this.inFlight.get(r.value.id);
    if (post === undefined) return; // timed out or unsubscribed: the answer is dropped
    this.settle(post);
    post.subscriber.next(r.value.response);
    post.subscriber.complete();
  }

  /** Remove a post from the books and let the next queued one go. */
  private settle(post: PendingPost): void {
    post.timeout?.unsubscribe();
    this.inFlight.delete(post.id);
    const i = this.queue.indexOf(post);
    if (i >= 0) this.queue.splice(i, 1);
    this.pump();
  }

  private failInFlight(err: Error): void {
    if (this.inFlight.size === 0) return;
    const posts = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const p of posts) {
      p.timeout?.unsubscribe();
      p.subscriber.error(new HlConnectionLostError(`post ${p.id}: connection lost before the answer (${err.message}); outcome unknown`, true, { cause: err }));
    }
  }

  /** Send queued posts while the socket is open and slots are free. */
  private pump(): void {
    const socket = this.socket;
    if (socket === undefined) return;
    while (this.queue.length > 0 && this.inFlight.size < this.maxInFlight) {
      const post = this.queue.shift()!;
      post.id = this.nextId++;
      post.sent = true;
      this.inFlight.set(post.id, post);
      socket.send(JSON.stringify({ method: "post", id: post.id, request: { type: post.type, payload: post.payload } }));
    }
  }

  /**
   * The `data` of every frame routed to `subscription`. Subscribes on the venue with the first
   * subscriber, unsubscribes with the last; resubscribed after every reconnect.
   */
  channel(subscription: HlSubscription): Observable<unknown> {
    return new Observable<unknown>((subscriber) => {
      const key = hlSubscriptionKey(subscription);
      let ch = this.channels.get(key);
      if (ch === undefined) {
        ch = { key, subscription, subject: new FanoutSubject<unknown>(), refs: 0 };
        this.channels.set(key, ch);
        this.socket?.send(JSON.stringify({ method: "subscribe", subscription }));
      }
      ch.refs++;
      const entry = ch;
      // as merge(subject, connection$) + finalize, with each frame one call from the subscriber:
      // the connection is kept up alongside; either one's error ends the channel, both ends complete it
      let open = 2;
      const ended = (): void => {
        if (--open === 0) subscriber.complete();
      };
      entry.subject.subscribe(new SourceSubscriber<unknown>(subscriber, (data) => subscriber.next(data), ended));
      if (!subscriber.closed) this.connection$.subscribe(new SourceSubscriber<void>(subscriber, () => undefined, ended));
      return () => {
        entry.refs--;
        if (entry.refs === 0 && this.channels.get(key) === entry) {
          this.channels.delete(key);
          this.socket?.send(JSON.stringify({ method: "unsubscribe", subscription: entry.subscription }));
        }
      };
    });
  }

  /**
   * One post request: emits the response once and completes; errors with HlTimeoutError
   * (`sent` says whether it left), HlConnectionLostError, HlServerError or HlPostRefusedError.
   * Queued while disconnected or while `maxInFlight` are outstanding (or refused, per `whenFull`).
   */
  post(type: "info" | "action", payload: object, options?: { timeoutMs?: number }): Observable<HlPostResponse> {
    return new Observable<HlPostResponse>((subscriber) => {
      if (this.whenFull === "refuse" && this.inFlight.size + this.queue.length >= this.maxInFlight) {
        subscriber.error(new HlPostRefusedError(`${this.maxInFlight} posts already in flight; not sent`));
        return;
      }
      const post: PendingPost = { type, payload, subscriber, id: 0, sent: false };
      const keepAlive = this.connection$.subscribe({ error: () => undefined });
      const timeoutMs = options?.timeoutMs ?? this.postTimeoutMs;
      // the scheduler's action itself, not a timer Observable and its subscriber: one per request
      post.timeout = this.scheduler.schedule(() => {
        const sent = post.sent;
        this.settle(post);
        subscriber.error(new HlTimeoutError(sent ? `post ${post.id}: no answer within ${timeoutMs} ms; outcome unknown` : `post not sent within ${timeoutMs} ms`, sent));
      }, timeoutMs);
      this.queue.push(post);
      this.pump();
      return () => {
        post.timeout?.unsubscribe();
        if (this.inFlight.get(post.id) === post || this.queue.includes(post)) this.settle(post);
        keepAlive.unsubscribe();
      };
    });
  }

  /** Keep the connection up without a subscription (e.g. to post soon). Unsubscribe to release. */
  connect(): Subscription {
    return this.connection$.subscribe({ error: () => undefined });
  }
}
