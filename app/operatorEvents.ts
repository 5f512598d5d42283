// Operator events counted in plain numbers and published into prom-client at scrape time.
import type { ServiceMetrics } from "./metrics.js";

/**
 * Operator events (the pipeline probe's `flow`, in and out of every operator) counted in plain
 * numbers per (asset, operator, direction) and published into the prom-client counter when it is
 * read (its `collect`, i.e. at every scrape), instead of hashing the label set on every event.
 * prom-client's `labels()` children hash on every `inc()` too, so caching them would not save it.
 */
export class OperatorEventCounts {
  private readonly cells = new Map<string, Map<string, Map<string, { n: number; published: number }>>>();

  constructor(private readonly counter: ServiceMetrics["operatorEvents"]) {
    // prom-client calls a metric's `collect` (a constructor option, kept on the instance) in get();
    // chained after any collect already set.
    const target = counter as unknown as { collect?: (this: unknown) => void | Promise<void> };
    const previous = target.collect;
    const flush = () => this.flush();
    target.collect = function (this: unknown) {
      flush();
      return previous?.call(this);
    };
  }

  inc(asset: string, operator: string, direction: string): void {
    let byOperator = this.cells.get(asset);
    if (!byOperator) this.cells.set(asset, (byOperator = new Map()));
    let byDirection = byOperator.get(operator);
    if (!byDirection) byOperator.set(operator, (byDirection = new Map()));
    const cell = byDirection.get(direction);
    if (cell) cell.n++;
    else byDirection.set(direction, { n: 1, published: 0 });
  }

  /** Publishes what was counted since the last read. */
  flush(): void {
    for (const [asset, byOperator] of this.cells) {
      for (const [operator, byDirection] of byOperator) {
        for (const [direction, cell] of byDirection) {
          if (cell.n === cell.published) continue;
          this.counter.inc({ asset, operator, direction }, cell.n - cell.published);
          cell.published = cell.n;
        }
      }
    }
  }
}
