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
    this.cell(asset, operator, direction).n++;
  }

  /** One (asset, operator, direction) count, incremented without a lookup (the pipeline binds it once). */
  bound(asset: string, operator: string, direction: string): () => void {
    const cell = this.cell(asset, operator, direction);
    return () => {
      cell.n++;
    };
  }

  private cell(asset: string, operator: string, direction: string): { n: number; published: number } {
    let byOperator = this.cells.get(asset);
    if (!byOperator) this.cells.set(asset, (byOperator = new Map()));
    let byDirection = byOperator.get(operator);
    if (!byDirection) byOperator.set(operator, (byDirection = new Map()));
    let cell = byDirection.get(direction);
    // a count of 0 is not published (flush skips it), as before the first event
    if (!cell) byDirection.set(direction, (cell = { n: 0, published: 0 }));
    return cell;
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
