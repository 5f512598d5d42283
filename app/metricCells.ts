// The hot series of the service's metrics, counted in place and folded into prom-client when it
// collects (a scrape, `get()`). prom-client builds a label hash string and looks it up on every
// `inc`/`observe` (~20 µs a request on the tick path at 20 assets, PROFILE.md §18); here a series
// is found by its label values through one small Map per label, and a counter's increment is an
// addition. What a scrape reads is the same: every pending amount is folded in before it.
import type { Counter, Histogram } from "prom-client";

interface Cell<L extends string, P> {
  readonly labels: Record<L, string>;
  pending: P;
  /** Folded at least once: a series first added to with 0 still shows (prom-client's inc(0) makes its zero). */
  folded: boolean;
}

/** Series by label values (in labelNames order), one nested Map level per label. */
class Cells<L extends string, P> {
  readonly all: Cell<L, P>[] = [];
  readonly #root = new Map<string, unknown>();

  constructor(
    readonly labelNames: readonly L[],
    private readonly blank: () => P,
  ) {
    if (labelNames.length < 1 || labelNames.length > 3) throw new Error(`metric cells take 1 to 3 labels, got ${labelNames.length}`);
  }

  get(a: string, b?: string, c?: string): Cell<L, P> {
    const n = this.labelNames.length;
    let level = this.#root;
    if (n >= 2) level = branch(level, a);
    if (n === 3) level = branch(level, b ?? "");
    const last = n === 1 ? a : n === 2 ? (b ?? "") : (c ?? "");
    let cell = level.get(last) as Cell<L, P> | undefined;
    if (cell === undefined) {
      const labels = {} as Record<L, string>;
      const values = [a, b ?? "", c ?? ""];
      for (let i = 0; i < n; i++) labels[this.labelNames[i]!] = values[i]!;
      cell = { labels, pending: this.blank(), folded: false };
      level.set(last, cell);
      this.all.push(cell);
    }
    return cell;
  }
}

/** The metric's name for an error (prom-client keeps it on the object; its types do not say so). */
function nameOf(metric: object | undefined): string {
  const name = (metric as { name?: unknown } | undefined)?.name;
  return typeof name === "string" ? name : "(not attached)";
}

function branch(level: Map<string, unknown>, value: string): Map<string, unknown> {
  let next = level.get(value) as Map<string, unknown> | undefined;
  if (next === undefined) level.set(value, (next = new Map()));
  return next;
}

/** A labelled counter whose increments wait in place until prom-client collects it. */
export class HotCounter<L extends string> {
  readonly #cells: Cells<L, number>;
  #counter: Counter<L> | undefined;

  constructor(labelNames: readonly L[]) {
    this.#cells = new Cells<L, number>(labelNames, () => 0);
  }

  /** The counter to fold into (its `collect` calls `fold`). */
  attach(counter: Counter<L>): Counter<L> {
    this.#counter = counter;
    return counter;
  }

  /** Add `n` (finite, ≥ 0: prom-client's own rule, checked here where the caller is) to the series of these label values. */
  add(n: number, a: string, b?: string, c?: string): void {
    if (!(n >= 0) || n === Infinity) throw new TypeError(`counter ${nameOf(this.#counter)}: expected a finite increment ≥ 0, got ${n}`);
    this.#cells.get(a, b, c).pending += n;
  }

  /** Move every pending amount into the prom-client counter. */
  fold(): void {
    const counter = this.#counter;
    if (counter === undefined) return;
    for (const cell of this.#cells.all) {
      if (cell.pending === 0 && cell.folded) continue;
      const n = cell.pending;
      cell.pending = 0;
      cell.folded = true;
      counter.inc(cell.labels, n);
    }
  }
}

/** Observations one histogram holds back at most before folding them on the spot (bounded memory without a scrape). */
export const HOT_HISTOGRAM_MAX_PENDING = 4096;

/** A labelled histogram whose observations wait in place until prom-client collects it. */
export class HotHistogram<L extends string> {
  readonly #cells: Cells<L, number[]>;
  #histogram: Histogram<L> | undefined;
  #pending = 0;

  constructor(labelNames: readonly L[]) {
    this.#cells = new Cells<L, number[]>(labelNames, () => []);
  }

  attach(histogram: Histogram<L>): Histogram<L> {
    this.#histogram = histogram;
    return histogram;
  }

  observe(value: number, a: string, b?: string, c?: string): void {
    if (!Number.isFinite(value)) throw new TypeError(`histogram ${nameOf(this.#histogram)}: expected a finite value, got ${value}`);
    this.#cells.get(a, b, c).pending.push(value);
    if (++this.#pending >= HOT_HISTOGRAM_MAX_PENDING) this.fold();
  }

  fold(): void {
    const histogram = this.#histogram;
    if (histogram === undefined) return;
    this.#pending = 0;
    for (const cell of this.#cells.all) {
      const values = cell.pending;
      if (values.length === 0) continue;
      for (let i = 0; i < values.length; i++) histogram.observe(cell.labels, values[i]!);
      values.length = 0;
    }
  }
}
