import { Observable, type MonoTypeOperatorFunction, type Subscriber } from "rxjs";
import type { QuoteGateReason } from "../streams/gate.js";
import { emptyIntent, type QuoteIntent } from "../streams/intent.js";
import { SourceSubscriber } from "../streams/sourceSubscriber.js";

/**
 * The close / swallow / reopen contract every quote gate shares (staleGate, crossedBookGate,
 * quotaBreakerGate), kept in one place so the gates differ only in *when* they close:
 *
 * - a gate closes by emitting, at that moment, one empty intent with its reason for the known
 *   asset; with no asset known yet, the empty intent goes out with the first intent instead;
 * - while closed it swallows intents but remembers the latest;
 * - on reopening it re-emits that latest intent at once.
 *
 * One instance per subscription (it holds that subscription's state). Not an operator itself.
 */
export class QuoteGateCore {
  #open: boolean;
  #reason: QuoteGateReason;
  /** Closed, but the closing has not been emitted because no asset was known. */
  #unannounced: boolean;
  #latest: QuoteIntent | undefined;
  #asset: string | undefined;

  constructor(
    private readonly out: Subscriber<QuoteIntent>,
    initial: { readonly open: true } | { readonly open: false; readonly reason: QuoteGateReason },
  ) {
    this.#open = initial.open;
    this.#reason = initial.open ? { kind: "NoDataReceived" } : initial.reason;
    this.#unannounced = !initial.open;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** An asset to announce a closing for before any intent has named one (e.g. the data's own asset). */
  knowAsset(asset: string): void {
    if (this.#latest === undefined) this.#asset = asset;
  }

  /**
   * An intent arrives: passed when open; remembered when closed (announcing a pending closing,
   * stamped `timeOf(intent)`). The time is asked for only then: on the hot path (open) it is unused.
   */
  intent(intent: QuoteIntent, timeOf: (intent: QuoteIntent) => number): void {
    this.#latest = intent;
    this.#asset = intent.asset;
    if (this.#open) {
      this.out.next(intent);
    } else if (this.#unannounced) {
      this.#unannounced = false;
      this.out.next(emptyIntent(intent.asset, timeOf(intent), this.#reason));
    }
  }

  /** Open the gate; re-emits the latest intent if it was closed. */
  reopen(): void {
    if (this.#open) return;
    this.#open = true;
    this.#unannounced = false;
    if (this.#latest !== undefined) this.out.next(this.#latest);
  }

  /**
   * Close with `why` at `time`, emitting the empty intent for the known asset (else `fallbackAsset`,
   * else with the first intent). A gate already closed and announced emits nothing more.
   */
  close(why: QuoteGateReason, time: number, fallbackAsset?: string): void {
    this.#reason = why;
    if (!this.#open && !this.#unannounced) return;
    this.#open = false;
    const target = this.#asset ?? fallbackAsset;
    if (target === undefined) {
      this.#unannounced = true;
      return;
    }
    this.#unannounced = false;
    this.out.next(emptyIntent(target, time, why));
  }

  /** Change the reason a closed gate will announce, without emitting. */
  setReason(why: QuoteGateReason): void {
    if (!this.#open) this.#reason = why;
  }
}

/** How one gate reacts to its control stream; built per subscription, so it may hold state. */
export interface QuoteGateWiring<C> {
  /** A value of the control stream (data, books, breaker state) arrived. */
  control(value: C): void;
  /** The time stamped on the empty intent that a pending closing emits with the first intent. */
  intentTime(intent: QuoteIntent): number;
  /** Releases what `control` set up (timers). */
  teardown?(): void;
}

/**
 * A quote gate as an operator: one `QuoteGateCore` per subscription, the control stream
 * subscribed first (its errors error the output, its completion does not), then the intents
 * (their errors and completion pass through).
 */
export function quoteGate<C>(
  control$: Observable<C>,
  initial: { readonly open: true } | { readonly open: false; readonly reason: QuoteGateReason },
  wire: (gate: QuoteGateCore) => QuoteGateWiring<C>,
): MonoTypeOperatorFunction<QuoteIntent> {
  return (source) =>
    new Observable<QuoteIntent>((subscriber) => {
      const gate = new QuoteGateCore(subscriber, initial);
      const wiring = wire(gate);
      const controlSubscription = control$.subscribe(new SourceSubscriber<C>(subscriber, (value) => wiring.control(value), "ignore"));
      const intentTime = (intent: QuoteIntent): number => wiring.intentTime(intent);
      const sourceSubscription = source.subscribe(new SourceSubscriber<QuoteIntent>(subscriber, (intent) => gate.intent(intent, intentTime)));
      return () => {
        sourceSubscription.unsubscribe();
        controlSubscription.unsubscribe();
        wiring.teardown?.();
      };
    });
}
