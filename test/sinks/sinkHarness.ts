// How the specs wire an ExecutionSink the way app/service.ts does: the venue's fills of the
// session deduped (dedupedSessionFills), the quota throttle composed into the executor, and every
// event of `events$` collected by type.
import type { Observable, SchedulerLike } from "rxjs";
import { QuotaThrottleHandle, quotaThrottle } from "../../operators/quotaThrottle.js";
import type { QuotaThrottleOptions } from "../../operators/quotaThrottle.js";
import { dedupedSessionFills } from "../../app/service.js";
import { ExecutionSink } from "../../sinks/executionSink.js";
import type { ExecutionSinkConfig, RaceEvent, ReconcileReport, SinkEvent, SinkFill, SinkGateEvent } from "../../sinks/executionSink.js";
import type { ExecutionEvent, ThrottleFactory } from "../../sinks/executor.js";
import type { KillSwitchState } from "../../sinks/killSwitch.js";
import type { DriftRecord } from "../../sinks/position.js";
import type { DecodeFailure } from "../../streams/codec.js";
import type { FillEvent } from "../../streams/fill.js";
import type { QuoteIntent } from "../../streams/intent.js";
import type { BookEvent, MidEvent } from "../../streams/market.js";
import type { Venue } from "../../streams/venue.js";

/** The throttle as app/ composes it, on a caller-owned handle. */
export function throttleOn(handle: QuotaThrottleHandle, options: Omit<QuotaThrottleOptions, "feedback" | "handle" | "onRefused">, scheduler: SchedulerLike): ThrottleFactory {
  return (feedback, onRefused) => quotaThrottle({ ...options, handle, feedback, onRefused }, scheduler);
}

export interface Seen {
  fills: SinkFill[];
  fillEvents: FillEvent[];
  races: RaceEvent[];
  drift: DriftRecord[];
  reconciles: ReconcileReport[];
  gates: SinkGateEvent[];
  actions: ExecutionEvent[];
  kill: KillSwitchState[];
  badInput: DecodeFailure[];
  positions: { asset: string; position: number; cause: string }[];
  errors: unknown[];
  all: SinkEvent[];
  completed: boolean;
}

export function collect(sink: ExecutionSink): Seen {
  const seen: Seen = { fills: [], fillEvents: [], races: [], drift: [], reconciles: [], gates: [], actions: [], kill: [], badInput: [], positions: [], errors: [], all: [], completed: false };
  sink.events$.subscribe({
    next: (e) => {
      seen.all.push(e);
      switch (e.type) {
        case "fill":
          seen.fills.push(e);
          return;
        case "markoutInput":
          seen.fillEvents.push(e.fill);
          return;
        case "race":
          seen.races.push(e.race);
          return;
        case "drift":
          seen.drift.push(e.drift);
          return;
        case "reconcile":
          seen.reconciles.push(e.report);
          return;
        case "gate":
          seen.gates.push({ asset: e.asset, reason: e.reason, time: e.time });
          return;
        case "action":
          seen.actions.push(e.action);
          return;
        case "killSwitch":
          seen.kill.push(e.state);
          return;
        case "badInput":
          seen.badInput.push(e.error);
          return;
        case "position":
          seen.positions.push({ asset: e.asset, position: e.position, cause: e.cause });
          return;
        default:
          return;
      }
    },
    error: (err) => seen.errors.push(err),
    complete: () => (seen.completed = true),
  });
  return seen;
}

/** A sink on `venue`, its events collected, connected to the given streams like the service does. */
export function wiredSink(
  venue: Venue,
  config: ExecutionSinkConfig,
  scheduler: SchedulerLike,
  streams: { intents$: Observable<QuoteIntent>; mids$?: Observable<MidEvent>; books$?: Observable<BookEvent> },
  quota?: { handle: QuotaThrottleHandle; options: Omit<QuotaThrottleOptions, "feedback" | "handle" | "onRefused"> },
  connectAt?: number,
) {
  const withThrottle: ExecutionSinkConfig = quota ? { ...config, executor: { ...(config.executor ?? {}), throttle: throttleOn(quota.handle, quota.options, scheduler) } } : config;
  const sink = new ExecutionSink(venue, withThrottle, scheduler);
  const seen = collect(sink);
  const connect = () =>
    sink.connect({
      intents$: streams.intents$,
      fills$: dedupedSessionFills(venue.fills$, scheduler.now()),
      ...(streams.mids$ ? { mids$: streams.mids$ } : {}),
      ...(streams.books$ ? { books$: streams.books$ } : {}),
      ...(quota ? { quotaState$: quota.handle.state$ } : {}),
    });
  const sub = connectAt === undefined ? connect() : undefined;
  if (connectAt !== undefined) scheduler.schedule(() => connect(), connectAt);
  return { sink, seen, sub };
}

export { QuotaThrottleHandle };
