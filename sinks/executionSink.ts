// ExecutionSink — the RxJS shell around the execution core (core.ts) for one venue and any number
// of assets. It folds every input in order through `step`, publishes the events, and carries the
// commands out: batches and orderStatus queries through the executor operator, account fetches,
// timers. What comes back (executor answers, snapshots, timers) flows into the same fold as data —
// the one loop, drawn once below.
//
//   const sink = new ExecutionSink(venue, { cloidSeed, defaults: {…}, executor: { throttle } }, scheduler);
//   sink.events$.subscribe(…)        // SinkEvent: fill, markoutInput, position, race, drift, reconcile,
//                                    // reconcileFailed, gate, killSwitch, action, refusal,
//                                    // invalidTransition, badInput — completes on shutdown, errors on failure
//   sink.connect({ intents$, fills$, mids$, books$, quotaState$ });   // fills$ deduped by the app
//   sink.kill(detail) · sink.clearKillSwitch() · sink.shutdown()
//
//   inputs: intents$ · fills$ · orderUpdates$ · connection$ · accountPushes$ · mids$ · books$ · quotaState$ · timers ·
//           dead-man's switch · loop (executor events, account answers, wakes, control, flush)
//     ─▶ merge ─▶ trampoline() ─▶ map(step) ─▶ publish events
//                                                       └▶ commands ─▶ executor(venue) ─┐
//                                                                  ─▶ venue.account ────┤
//                                                                  ─▶ timer ────────────┴─▶ loop
//
// Ordering: trampoline() (streams/trampoline.ts; observeOn(queueScheduler) for one stream) — an
// input that arrives while another is being folded (a venue that answers synchronously inside
// `submit`) waits its turn, so the core is never entered twice. Dirty assets are reconciled once every input queued before has been folded (a
// "flush" input, re-queued until nothing else came first), as the hand-made trampoline did.
//
// Failure: a throw inside `step` (a bug) or a runaway loop (more than maxStepsPerInstant inputs or
// maxReconcilesPerInstant reconciliations at one instant) trips the kill switch (InternalError),
// sends one best-effort cancel of everything known to rest, errors `events$` and ignores every
// later input — the dead-man's switch, no longer re-armed, pulls whatever is left.
import {
  Observable,
  Subscription,
  asyncScheduler,
  catchError,
  concatMap,
  connectable,
  defer,
  filter,
  map,
  merge,
  mergeMap,
  of,
  take,
  timeout,
  timer,
} from "rxjs";
import type { OperatorFunction, SchedulerLike } from "rxjs";
import type { CancelSpec } from "../streams/actions.js";
import type { VenueFill } from "../streams/fill.js";
import type { QuoteIntent } from "../streams/intent.js";
import type { BookEvent, MidEvent } from "../streams/market.js";
import type { QuotaThrottleState } from "../streams/quota.js";
import type { Venue } from "../streams/venue.js";
import { SourceSubscriber } from "../streams/sourceSubscriber.js";
import { initialSinkState, step } from "./core.js";
import type { SinkState } from "./core.js";
import { createExecutorCounts, deadMansSwitch, executor } from "./executor.js";
import type { ExecutorCommand } from "./executor.js";
import type { KillSwitch } from "./killSwitch.js";
import { planBatches } from "./ladderDiff.js";
import type { OrderStore, TrackedOrder } from "./orderStore.js";
import { everyOn } from "./periodic.js";
import type { PnlBook, PositionBook } from "./position.js";
import type { ExecutionSinkConfig, SinkCommand, SinkEvent, SinkEventType, SinkInput, SinkMetrics, SinkOutput } from "./sinkTypes.js";
import { FanoutSubject, TypedFanoutSubject } from "../streams/fanout.js";
import { trampoline } from "../streams/trampoline.js";

export * from "./sinkTypes.js";
export { checkQuoteIntent } from "./ladderStep.js";

/** What the app feeds the sink beside the venue's own order updates and connection state. */
export interface SinkConnectInputs {
  /** Gated quote intents of every asset. */
  readonly intents$: Observable<QuoteIntent>;
  /** The venue's fills of this session, deduped by (asset, tid) — app/ composes venue fills → dedupTid. */
  readonly fills$: Observable<VenueFill>;
  /** Mids: midAtPlacement / midAtFill, unrealised PnL, volatility-scaled thresholds. */
  readonly mids$?: Observable<MidEvent>;
  /** The traded venue's books: the queue estimate of queue-aware keeping (thresholds.queue). */
  readonly books$?: Observable<BookEvent>;
  /** The quota throttle's state (breaker, limited lanes), when the executor throttles. */
  readonly quotaState$?: Observable<QuotaThrottleState>;
}

/** The events of one type of any stream of sink events (the sink's own: `sink.eventsOf("fill")`, cheaper). */
export function sinkEvents<T extends SinkEventType>(type: T): OperatorFunction<SinkEvent, Extract<SinkEvent, { type: T }>> {
  return filter((e): e is Extract<SinkEvent, { type: T }> => e.type === type);
}

type FlushMarker = { readonly kind: "flushMarker"; readonly seq: number };
type Failure = { readonly kind: "failure"; readonly where: string; readonly error: unknown };
type ShellInput = SinkInput | FlushMarker | Failure;
type ShellOutput = SinkOutput & { readonly requeue?: FlushMarker; readonly error?: Error };

const NOTHING: ShellOutput = { commands: [], events: [] };

type StepEnd = { readonly kind: "stepEnd" };
const STEP_END: StepEnd = { kind: "stepEnd" };

function isExecutorCommand(c: SinkCommand | StepEnd): c is ExecutorCommand {
  return c.kind === "submit" || c.kind === "queryStatus" || c.kind === "infoWeight" || c.kind === "volume" || c.kind === "gate" || c.kind === "stepEnd" || c.kind === "fetchAccount";
}

export class ExecutionSink {
  /** Everything the sink tells the world, in order (hot: subscribe before `connect`). */
  readonly events$: Observable<SinkEvent>;
  /** Batches in the executor and not yet answered, requests in flight. */
  readonly executorCounts = createExecutorCounts();

  readonly #events = new TypedFanoutSubject<SinkEvent>();
  /** The one feedback loop: executor events, account answers, wakes, control, flush markers. */
  readonly #loop = new FanoutSubject<ShellInput>();
  readonly #state: SinkState;
  readonly #subs = new Subscription();
  #connected = false;
  #failure: Error | null = null;
  #instant = Number.NaN;
  #stepsThisInstant = 0;
  #processed = 0;
  #flushQueued = false;

  constructor(
    private readonly venue: Venue,
    private readonly config: ExecutionSinkConfig,
    private readonly scheduler: SchedulerLike = asyncScheduler,
  ) {
    this.#state = initialSinkState(config, scheduler.now());
    this.events$ = this.#events.asObservable();
  }

  /**
   * The events of these types (`events$.pipe(sinkEvents(t))`, in the same order among all
   * observers), handed only to the observers that take them: no filter call per event per
   * observer that does not.
   */
  eventsOf<K extends SinkEventType>(...types: K[]): Observable<Extract<SinkEvent, { type: K }>> {
    return this.#events.ofType(...types);
  }

  // ---- read-only views (status line, tests) ----------------------------------------------------

  get store(): OrderStore {
    return this.#state.store;
  }
  get positions(): PositionBook {
    return this.#state.positions;
  }
  get pnl(): PnlBook {
    return this.#state.pnl;
  }
  get killSwitch(): Pick<KillSwitch, "state" | "active"> {
    return this.#state.killSwitch;
  }
  get metrics(): Readonly<SinkMetrics> {
    return this.#state.metrics;
  }

  /** Orders we believe may rest on the venue (resting, partially filled, or with a cancel/modify in flight). */
  liveOrders(asset?: string): TrackedOrder[] {
    return this.#state.store.open(asset).filter((o) => o.state !== "cancel-raced" && o.state !== "pending-new");
  }

  // ---- control ---------------------------------------------------------------------------------

  /** Trip the kill switch by hand. */
  kill(detail: string): void {
    this.#loop.next({ kind: "kill", detail });
  }

  /** The only way out of the kill switch. Returns whether it was active. */
  clearKillSwitch(): boolean {
    const active = this.#state.killSwitch.active && this.#failure === null;
    this.#loop.next({ kind: "clearKillSwitch" });
    return active;
  }

  /**
   * Start: subscribe the inputs and the venue's feeds, the timers and the executor. Unsubscribe to
   * stop without cancelling.
   */
  connect(inputs: SinkConnectInputs): Subscription {
    if (this.#connected) throw new Error("ExecutionSink: connect() called twice");
    this.#connected = true;
    const sch = this.scheduler;
    const cfg = this.config;
    const guard = <T>(where: string, source$: Observable<T>, to: (v: T) => SinkInput): Observable<ShellInput> =>
      source$.pipe(
        map(to),
        catchError((error: unknown) => of<ShellInput>({ kind: "failure", where, error })),
      );
    const every = (periodMs: number, first: number, input: SinkInput): Observable<SinkInput> =>
      new Observable<SinkInput>((sub) => everyOn(sch, periodMs, () => sub.next(input), first));
    const sources: Observable<ShellInput>[] = [
      this.#loop,
      guard("fills$", inputs.fills$, (fill) => ({ kind: "fill", fill })),
      guard("venue orderUpdates$", this.venue.orderUpdates$, (update) => ({ kind: "orderUpdate", update })),
      guard("venue connection$", this.venue.connection$, (state) => ({ kind: "connection", state })),
      // pushed account snapshots (zero REST weight), adopted like polled ones (accountSync.ts)
      ...(this.venue.accountPushes$ ? [guard("venue accountPushes$", this.venue.accountPushes$, (snapshot) => ({ kind: "account", snapshot, trigger: "push", withOrders: true }) as const)] : []),
      ...(inputs.mids$ ? [guard("mids$", inputs.mids$, (mid) => ({ kind: "mid", mid }) as const)] : []),
      ...(inputs.books$ ? [guard("books$", inputs.books$, (book) => ({ kind: "book", book }) as const)] : []),
      ...(inputs.quotaState$ ? [guard("quotaState$", inputs.quotaState$, (state) => ({ kind: "quota", state }) as const)] : []),
      guard("intents$", inputs.intents$, (intent) => ({ kind: "intent", intent })),
      ...(cfg.deadMan !== false ? [guard("deadMansSwitch", deadMansSwitch(this.venue.connection$, cfg.deadMan ?? {}, sch), (batch) => ({ kind: "deadMan", batch }) as const)] : []),
      every(cfg.housekeepingMs ?? 250, cfg.housekeepingMs ?? 250, { kind: "tick" }),
      every(cfg.reconcile?.intervalMs ?? 3000, 0, { kind: "syncDue" }),
    ];
    const outputs$ = connectable(
      merge(...sources).pipe(
        trampoline(),
        map((input) => this.#process(input)),
      ),
      { connector: () => new FanoutSubject<ShellOutput>(), resetOnDisconnect: false },
    );
    // a step's submits, then its end: the executor packs the batches of all assets of one step.
    // trampoline() gives concatMap's order (one step's commands all out before the next step's)
    // without an inner observable and array copy per step.
    const commands$ = outputs$.pipe(
      filter((o) => o.commands.length > 0),
      trampoline(),
      (steps$) =>
        new Observable<SinkCommand | StepEnd>((sub) =>
          steps$.subscribe(
            new SourceSubscriber<ShellOutput>(sub, (o) => {
              let submits = false;
              for (const c of o.commands) {
                if (c.kind === "submit") submits = true;
                sub.next(c);
              }
              if (submits) sub.next(STEP_END);
            }),
          ),
        ),
    );
    const s = this.#subs;
    // 1. the news, before anything the step asked for happens
    s.add(outputs$.subscribe((o) => this.#publish(o)));
    // 2. batches and queries through the executor; what it did and heard comes back as data
    s.add(
      commands$
        .pipe(
          filter(isExecutorCommand),
          executor(
            this.venue,
            {
              ...(cfg.maxBatchSize !== undefined ? { maxBatchSize: cfg.maxBatchSize } : {}),
              ...(cfg.executor ?? {}),
              // cross-asset batching on unless the config turns it off (executor.batching.crossAsset: false)
              batching: { crossAsset: true, ...(cfg.maxBatchSize !== undefined ? { maxBatchSize: cfg.maxBatchSize } : {}), ...(cfg.executor?.batching ?? {}) },
              ...(inputs.quotaState$ ? { quotaState$: inputs.quotaState$ } : {}),
              counts: this.executorCounts,
            },
            sch,
          ),
        )
        .subscribe({
          next: (e) => {
            if (this.#failure !== null) return;
            // account snapshots come back through the executor's info lane as the core's own inputs
            if (e.kind === "account") this.#loop.next({ kind: "account", snapshot: e.snapshot, trigger: e.trigger, withOrders: e.withOrders });
            else if (e.kind === "accountFailed") this.#loop.next({ kind: "accountFailed", trigger: e.trigger, withOrders: e.withOrders, error: e.error });
            else {
              if (e.kind !== "dropped") this.#events.next({ type: "action", action: e, time: sch.now() });
              // a send is no step of its own (it would shift the steps' timing): the shell only
              // stamps the records' send time, where their wait for an answer starts
              if (e.kind === "sent") this.#state.store.noteSent(e.batch, e.time);
              else this.#loop.next({ kind: "executor", event: e });
            }
          },
          error: (error: unknown) => this.#loop.next({ kind: "failure", where: "executor", error }),
        }),
    );
    // 3. account snapshots: fetchAccount goes through the executor (its info lane waits for IP room)
    // 4. timers the core asked for
    s.add(
      commands$
        .pipe(
          filter((c): c is Extract<SinkCommand, { kind: "wake" }> => c.kind === "wake"),
          mergeMap((c) => timer(c.delayMs, sch).pipe(map((): SinkInput => ({ kind: "wake", key: c.key })))),
        )
        .subscribe((input) => this.#loop.next(input)),
    );
    // 5. last: reconcile what the step left dirty once everything queued before it is folded
    s.add(outputs$.subscribe((o) => this.#afterStep(o)));
    s.add(outputs$.connect());
    return s;
  }

  /** Stop quoting, cancel every order, wait for the answers (or shutdownTimeoutMs), disarm the dead-man's switch, tear down; `events$` completes. */
  shutdown(): Observable<void> {
    return defer(() => {
      this.#loop.next({ kind: "shutdown" });
      const limit = this.config.shutdownTimeoutMs ?? 15_000;
      const when = (test: () => boolean) =>
        new Observable<void>((sub) =>
          everyOn(
            this.scheduler,
            50,
            () => {
              if (!test()) return;
              sub.next();
              sub.complete();
            },
            0,
          ),
        );
      const quiet$ = () => when(() => this.#state.store.open().length === 0 && this.executorCounts.pending === 0);
      const disarm$ = defer(() => {
        if (this.config.deadMan !== false) this.#loop.next({ kind: "deadMan", batch: { type: "scheduleCancel", time: null } });
        return when(() => this.executorCounts.pending === 0);
      });
      return quiet$().pipe(
        concatMap(() => disarm$),
        timeout({ first: limit, with: () => of(undefined), scheduler: this.scheduler }),
        take(1),
        map(() => {
          this.#subs.unsubscribe();
          if (this.#failure === null) this.#events.complete();
        }),
      );
    });
  }

  // ---- the fold --------------------------------------------------------------------------------

  #process(input: ShellInput): ShellOutput {
    if (this.#failure !== null) return NOTHING;
    if (input.kind === "failure") return this.#fail(input.where, input.error);
    const now = this.scheduler.now();
    if (input.kind === "flushMarker") {
      // something was folded since the marker was queued: it may have queued more; go last again
      if (input.seq !== this.#processed) return { ...NOTHING, requeue: { kind: "flushMarker", seq: this.#processed } };
      this.#flushQueued = false;
    } else this.#processed += 1;
    try {
      // a feedback loop that never lets time advance (e.g. a refusal answered by a new placement
      // at once) is a bug: fail loudly instead of hanging the process
      if (now !== this.#instant) {
        this.#instant = now;
        this.#stepsThisInstant = 0;
      }
      const limit = this.config.maxStepsPerInstant ?? 200_000;
      if (++this.#stepsThisInstant > limit) throw new Error(`runaway loop: more than ${limit} steps at time ${now}`);
      return step(this.#state, input.kind === "flushMarker" ? { kind: "flush" } : input, now);
    } catch (err) {
      return this.#fail("sink", err);
    }
  }

  #publish(o: ShellOutput): void {
    for (const e of o.events) this.#events.next(e);
    // the step's batches as planned, once each (commands$ runs once per subscriber), before the executor sees them
    const onPlanned = this.config.onPlanned;
    if (onPlanned) for (const c of o.commands) if (c.kind === "submit") onPlanned(c.batch);
  }

  #afterStep(o: ShellOutput): void {
    if (o.error) {
      this.#events.error(o.error);
      return;
    }
    if (this.#failure !== null) return;
    if (o.requeue) this.#loop.next(o.requeue);
    else if (!this.#flushQueued && this.#state.dirty.size > 0) {
      this.#flushQueued = true;
      this.#loop.next({ kind: "flushMarker", seq: this.#processed });
    }
  }

  /** Trip InternalError, one best-effort cancel of everything known to rest, and the error for events$. */
  #fail(where: string, err: unknown): ShellOutput {
    const error = new Error(`ExecutionSink: ${where} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    this.#failure = error;
    const s = this.#state;
    const now = this.scheduler.now();
    const events: SinkEvent[] = [];
    if (s.killSwitch.trip("InternalError", `internal failure in ${where}`, now, null) || s.killSwitch.active) events.push({ type: "killSwitch", state: s.killSwitch.state, time: now });
    const commands: SinkCommand[] = [];
    try {
      const byAsset = new Map<string, CancelSpec[]>();
      for (const o of s.store.open()) {
        if (o.oid === null || o.state === "cancel-raced") continue;
        let list = byAsset.get(o.asset);
        if (!list) byAsset.set(o.asset, (list = []));
        list.push({ asset: o.asset, oid: o.oid });
      }
      for (const cancels of byAsset.values()) {
        for (const batch of planBatches({ cancels, cancelsByCloid: [], modifies: [], places: [] })) commands.push({ kind: "submit", batch });
      }
    } catch {
      // nothing more can be done here; the error says what failed
    }
    // the executor keeps running for these cancels; every later input is ignored
    return { commands, events, error };
  }
}
