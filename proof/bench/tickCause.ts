// Which book caused an action: tick-to-action measured by cause, not by call stack. With
// cross-asset batching a step's batches leave when the coalescer flushes (at the step's end, or
// after a coalescing window when the IP headroom is tight), so most actions leave on a later call
// stack than the book that caused them — timing only the ones on the same stack measured almost
// none (0 of 517 in one run). Here every placement, modify and cancel the sink records while a book
// is being handled is stamped with that book's arrival time; when a request leaves, its sample is
// the time since the earliest book among the orders it carries.
import { performance } from "node:perf_hooks";
import type { ActionBatch } from "../../streams/actions.js";
import type { OrderStore } from "../../sinks/orderStore.js";
import { TickStamps } from "../../app/tickStamps.js";

export interface TickCauseCounts {
  /** Action requests sent. */
  readonly total: number;
  /** Of them, carrying an order a book caused (the timed ones). */
  readonly caused: number;
  /** Of the caused, sent on the book's own call stack. */
  readonly onStack: number;
}

/** A sample that left on its book's call stack: when the book arrived, how long it took, and whether the process was preempted meanwhile. */
export interface StackedSample {
  /** The book's arrival (performance.now(), ms). */
  readonly start: number;
  readonly ms: number;
  /** The process's involuntary context switches rose between the book's arrival and the request's leaving (any thread of it: conservative). */
  readonly switched: boolean;
}

export interface TickCauseOptions {
  /**
   * The process's involuntary context switches so far (e.g. process.resourceUsage()'s); read at
   * each book's arrival and at each request that leaves on its stack. Absent: none are flagged.
   */
  readonly switches?: () => number;
}

export class TickCause {
  /** Samples (ms): book arrival → the request carrying what it caused leaves. */
  readonly samples: number[] = [];
  /** The samples (ms) of requests that left after the book's call stack (the coalescer or the throttle held them). */
  readonly later: number[] = [];
  /** …and those that left on the book's own call stack. */
  readonly stacked: number[] = [];
  /** The same samples as `stacked`, with their start and whether the process was preempted during them. */
  readonly stackedSpans: StackedSample[] = [];
  readonly #switches: (() => number) | undefined;
  #switchesAtTick = 0;
  /** The book being handled, and the CLOIDs it planned, stamped with its arrival (the service's own mechanism). */
  readonly #stamps = new TickStamps();
  #total = 0;
  #caused = 0;
  #onStack = 0;
  #store: OrderStore | undefined;

  constructor(options: TickCauseOptions = {}) {
    this.#switches = options.switches;
  }

  /** Stamp what `store` records during a tick (placements, modifies, cancels by CLOID). */
  watch(store: OrderStore): void {
    this.#store = store;
    const stamp = (cloid: string): void => this.#stamps.stamp(cloid);
    const register = store.registerPlacement.bind(store);
    store.registerPlacement = (spec, facts, now) => {
      const r = register(spec, facts, now);
      if (r.ok) stamp(spec.cloid);
      return r;
    };
    const modify = store.requestModify.bind(store);
    store.requestModify = (cloid, spec, facts, now) => {
      const r = modify(cloid, spec, facts, now);
      if (r.ok) stamp(cloid);
      return r;
    };
    const cancel = store.requestCancel.bind(store);
    store.requestCancel = (cloid, now) => {
      const r = cancel(cloid, now);
      if (r) stamp(cloid);
      return r;
    };
  }

  /** Run `handle` as the handling of a book that arrived now. */
  tick(handle: () => void): void {
    if (this.#switches) this.#switchesAtTick = this.#switches();
    const prev = this.#stamps.begin(performance.now());
    try {
      handle();
    } finally {
      this.#stamps.end(prev);
    }
  }

  /** A request leaves now with these CLOIDs (and OIDs, for cancels by OID). */
  sent(cloids: readonly string[], oids: readonly number[] = []): void {
    const now = performance.now();
    this.#total++;
    let first = Infinity;
    const take = (c: string | undefined): void => {
      const t = c === undefined ? undefined : this.#stamps.take(c);
      if (t !== undefined && t < first) first = t;
    };
    for (const c of cloids) take(c);
    for (const o of oids) take(this.#store?.byOid(o)?.cloid);
    if (first === Infinity) return;
    this.#caused++;
    if (this.#stamps.current === first) {
      this.#onStack++;
      this.stacked.push(now - first);
      this.stackedSpans.push({ start: first, ms: now - first, switched: this.#switches !== undefined && this.#switches() !== this.#switchesAtTick });
    } else this.later.push(now - first);
    this.samples.push(now - first);
  }

  /** The same for a batch handed to an in-process venue. */
  sentBatch(batch: ActionBatch): void {
    switch (batch.type) {
      case "order":
        return this.sent(batch.orders.map((o) => o.cloid));
      case "batchModify":
        return this.sent(batch.modifies.map((m) => m.order.cloid));
      case "cancelByCloid":
        return this.sent(batch.cancels.map((c) => c.cloid));
      case "cancel":
        return this.sent([], batch.cancels.map((c) => c.oid));
      case "scheduleCancel":
        return this.sent([]);
    }
  }

  /** The same for a signed WS post's text (orders' and modifies' `c`, cancels' `cloid` / `o`). */
  sentText(text: string): void {
    const cloids: string[] = [];
    const oids: number[] = [];
    for (const m of text.matchAll(/"(?:c|cloid)":"(0x[0-9a-fA-F]+)"/g)) cloids.push(m[1]!);
    if (text.includes('"type":"cancel"')) for (const m of text.matchAll(/"o":(\d+)/g)) oids.push(Number(m[1]));
    this.sent(cloids, oids);
  }

  counts(): TickCauseCounts {
    return { total: this.#total, caused: this.#caused, onStack: this.#onStack };
  }

  /** Forget samples and counts (after a warm-up); stamps of orders still queued are kept. */
  reset(): void {
    this.samples.length = 0;
    this.later.length = 0;
    this.stacked.length = 0;
    this.stackedSpans.length = 0;
    this.#total = this.#caused = this.#onStack = 0;
  }
}
