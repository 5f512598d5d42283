// The soak's invariant checker. It watches the service (its sink's outputs and the gates the
// intents carry) and the paper venue's truth, all the time (every `checkEveryMs` of virtual time
// and on every reconciliation, placement and answer) and once more at the end.
//
// What it holds the service to:
//   - every fill the venue sent is applied once: none lost (the venue has it, we never applied it
//     `fillGraceMs` after its time), none applied twice;
//   - after each reconciliation our position equals the venue's (venue truth adopted);
//   - no order rests on an asset whose quoting has been closed (a pipeline gate, the sink's gate
//     or the kill switch) for longer than `reactionMs`, and no placement is sent while closed;
//   - no placement is sent inside the cancel reserve of the address budget, and no placement
//     draws a rate-limited answer;
//   - every catastrophic fault trips the kill switch; it never trips for an internal error, a
//     position divergence or quota exhaustion;
//   - nothing rests after shutdown.
import { type Observable, Subject, type Subscription, map } from "rxjs";
import type { Venue } from "../../streams/venue.js";
import type { PaperExchange } from "../../sim/index.js";
import { type ActionBatch, batchLength } from "../../streams/actions.js";
import { everyOn } from "../../sinks/periodic.js";
import type { QuoteflowService } from "../../app/service.js";

export type SoakViolationKind =
  | "fillLost"
  | "fillDoubleCounted"
  | "positionAfterReconcile"
  | "restingWhileGated"
  | "placedWhileGated"
  | "placementInReserve"
  | "placementRateLimited"
  | "rateLimitedAnswer"
  | "addressPastCap"
  | "restingAfterShutdown"
  | "catastropheWithoutTrip"
  | "badKillTrip";

export interface SoakViolation {
  readonly kind: SoakViolationKind;
  /** Virtual time (ms) it was seen. */
  readonly time: number;
  readonly detail: string;
}

/**
 * What really leaves the process: the venue as the service gets it, every `submit` call seen
 * before it reaches the venue. The checker holds "no placement while a gate is closed" against
 * these calls, not against the executor's own "sent" report.
 */
export interface SubmitTap {
  readonly venue: Venue;
  readonly submits$: Observable<ActionBatch>;
}

export function tapSubmits(venue: Venue): SubmitTap {
  const submits = new Subject<ActionBatch>();
  const wrapped = new Proxy(venue, {
    get(target, key) {
      if (key === "submit") {
        return (batch: ActionBatch) => {
          submits.next(batch);
          return target.submit(batch);
        };
      }
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { venue: wrapped, submits$: submits.asObservable() };
}

export interface SoakCheckerOptions {
  readonly user: string;
  readonly assets: readonly string[];
  /** How long after closing a gate an order may still rest (ms). */
  readonly reactionMs: number;
  /** A venue fill must be applied within this long of its time (ms): covers dropouts and delivery. */
  readonly fillGraceMs: number;
  /** Placements must leave this fraction of the address budget to cancels (the config's reservePct). */
  readonly reserveFraction: number;
  readonly checkEveryMs?: number;
  /** The venue's submit calls (tapSubmits): placements are checked against them; without it, against the executor's "sent". */
  readonly submits?: SubmitTap;
}

export interface KillTripRecord {
  readonly trigger: string;
  readonly time: number;
  readonly detail: string;
}

export interface CatastropheRecord {
  readonly kind: "longDropout";
  readonly time: number;
  readonly until: number;
  tripped: boolean;
}

const EPS = 1e-9;
/** Triggers that mean the service failed, never a market or venue condition. */
const BAD_TRIGGERS = new Set(["InternalError", "PositionDivergence", "QuotaExhaustion"]);

export class SoakChecker {
  readonly violations: SoakViolation[] = [];
  readonly counts: Record<SoakViolationKind, number> = {
    fillLost: 0,
    fillDoubleCounted: 0,
    positionAfterReconcile: 0,
    restingWhileGated: 0,
    placedWhileGated: 0,
    placementInReserve: 0,
    placementRateLimited: 0,
    rateLimitedAnswer: 0,
    addressPastCap: 0,
    restingAfterShutdown: 0,
    catastropheWithoutTrip: 0,
    badKillTrip: 0,
  };
  readonly trips: KillTripRecord[] = [];
  readonly catastrophes: CatastropheRecord[] = [];
  /** Reconciliations checked, and the largest |ours − venue| right after one (coins). */
  reconciles = 0;
  maxReconcileError = 0;
  /** Drift windows: stretches of time our position differed from the venue's. */
  driftWindows = 0;
  longestDriftMs = 0;
  longestDriftAsset = "";
  /** Longest time from a gate closing to nothing resting on that asset. */
  longestGateToFlatMs = 0;
  gateClosures = 0;
  fillsApplied = 0;
  placementsSent = 0;
  /** Placement/modify elements the sink dropped from its send queue because their gate had closed (never sent). */
  droppedAtGate = 0;
  rateLimitedAnswers = 0;
  /** Highest share of the address cap (cap + surplus) in use at any check. */
  maxAddressUse = 0;
  #pastCap = false;
  venueFills = 0;

  readonly #applied = new Map<string, number>();
  readonly #drift = new Map<string, number>();
  readonly #sinkClosed = new Map<string, boolean>();
  readonly #closedSince = new Map<string, number>();
  readonly #flatSeen = new Set<string>();
  readonly #reportedResting = new Set<number>();
  readonly #inFlight = new Map<ActionBatch, number>();
  #inFlightElements = 0;
  #venueFillIdx = 0;
  #subs: Subscription[] = [];
  #fillSub: Subscription | null = null;
  #maxViolations = 200;

  constructor(
    private readonly service: QuoteflowService,
    private readonly exchange: PaperExchange,
    private readonly options: SoakCheckerOptions,
  ) {}

  private now(): number {
    return this.exchange.now();
  }

  /** Subscribe to the service's outputs and start the periodic checks. Call after `service.start()`. */
  start(): void {
    const sink = this.service.sink;
    // applied fills are counted through shutdown too (finish() checks every venue fill, shutdown's races included)
    this.#fillSub = sink.eventsOf("fill").subscribe((g) => {
      const key = `${g.fill.asset}:${g.fill.tid}`;
      const n = (this.#applied.get(key) ?? 0) + 1;
      this.#applied.set(key, n);
      this.fillsApplied++;
      if (n === 2) this.violate("fillDoubleCounted", `fill ${key} (oid ${g.fill.oid}) applied twice`);
    });
    this.#subs.push(
      sink.eventsOf("reconcile").pipe(map((e) => e.report)).subscribe((r) => {
        this.reconciles++;
        for (const asset of this.options.assets) {
          const ours = r.positions[asset] ?? sink.positions.position(asset);
          const err = Math.abs(ours - this.venuePosition(asset));
          this.maxReconcileError = Math.max(this.maxReconcileError, err);
          if (err > EPS) this.violate("positionAfterReconcile", `${asset}: after reconcile (${r.trigger}) ours ${ours}, venue ${this.venuePosition(asset)}`);
        }
      }),
      sink.eventsOf("gate").subscribe((g) => {
        this.#sinkClosed.set(g.asset, g.reason !== null);
        this.updateClosed(g.asset);
      }),
      sink.eventsOf("killSwitch").pipe(map((e) => e.state)).subscribe((s) => {
        if (s.active) {
          const last = this.trips[this.trips.length - 1];
          if (!last || last.time !== s.trip.time || last.trigger !== s.trip.trigger) {
            this.trips.push({ trigger: s.trip.trigger, time: s.trip.time, detail: s.trip.detail });
            for (const c of this.catastrophes) if (!c.tripped && s.trip.time >= c.time && s.trip.trigger === "StaleData") c.tripped = true;
            if (BAD_TRIGGERS.has(s.trip.trigger)) this.violate("badKillTrip", `kill switch ${s.trip.trigger}: ${s.trip.detail}`);
          }
        }
        for (const a of this.options.assets) this.updateClosed(a);
      }),
      sink.eventsOf("action").pipe(map((a) => a.action)).subscribe((e) => {
        if (e.kind === "sent") {
          this.#inFlight.set(e.batch, elements(e.batch));
          this.#inFlightElements += elements(e.batch);
          if (!this.options.submits && (e.batch.type === "order" || e.batch.type === "batchModify")) this.onPlacement(e.batch);
        } else if (e.kind === "result" || e.kind === "failed") {
          const n = this.#inFlight.get(e.batch);
          if (n !== undefined) {
            this.#inFlight.delete(e.batch);
            this.#inFlightElements -= n;
          }
          if (e.kind === "result" && !e.result.ok && e.result.rateLimited) {
            this.rateLimitedAnswers++;
            if (e.batch.type === "order" || e.batch.type === "batchModify") this.violate("placementRateLimited", `${e.batch.type} of ${elements(e.batch)} answered rate-limited: ${e.result.error}`);
            else this.violate("rateLimitedAnswer", `${e.batch.type} of ${elements(e.batch)} answered rate-limited: ${e.result.error}`);
          }
        }
      }),
      sink.eventsOf("dropped").subscribe((d) => (this.droppedAtGate += d.elements)),
      ...(this.options.submits
        ? [
            this.options.submits.submits$.subscribe((b) => {
              if (b.type === "order" || b.type === "batchModify") this.onPlacement(b);
            }),
          ]
        : []),
      everyOn(this.exchange.scheduler, this.options.checkEveryMs ?? 250, () => this.tick()),
    );
  }

  /** Stop the periodic checks (before shutdown; the end checks follow). */
  stop(): void {
    for (const s of this.#subs.splice(0)) s.unsubscribe();
  }

  /** A catastrophic fault the soak injected (it must trip the kill switch). */
  noteCatastrophe(c: Omit<CatastropheRecord, "tripped">): void {
    this.catastrophes.push({ ...c, tripped: false });
  }

  private violate(kind: SoakViolationKind, detail: string): void {
    this.counts[kind]++;
    if (this.violations.length < this.#maxViolations) this.violations.push({ kind, time: this.now(), detail });
  }

  private venuePosition(asset: string): number {
    return this.exchange.account(this.options.user).positions.get(asset)?.szi ?? 0;
  }

  private isClosed(asset: string): boolean {
    return this.service.sink.killSwitch.state.active || this.#sinkClosed.get(asset) === true || this.service.gates.closedReason(asset) !== undefined;
  }

  private updateClosed(asset: string): void {
    const closed = this.isClosed(asset);
    const since = this.#closedSince.get(asset);
    if (closed && since === undefined) {
      this.#closedSince.set(asset, this.now());
      this.#flatSeen.delete(asset);
      this.gateClosures++;
    } else if (!closed && since !== undefined) {
      this.#closedSince.delete(asset);
    }
  }

  private onPlacement(batch: Extract<ActionBatch, { type: "order" | "batchModify" }>): void {
    this.placementsSent++;
    const assets = new Set(batch.type === "order" ? batch.orders.map((o) => o.asset) : batch.modifies.map((m) => m.order.asset));
    for (const a of assets) {
      if (this.isClosed(a)) {
        const reason = this.service.sink.killSwitch.state.active ? "kill switch" : this.#sinkClosed.get(a) ? "sink gate" : `gate ${this.service.gates.closedReason(a)}`;
        this.violate("placedWhileGated", `${batch.type} on ${a} sent while closed by ${reason}`);
      }
    }
    const rl = this.exchange.rateLimit(this.options.user);
    const n = elements(batch);
    // The batch itself is already counted in flight (its "sent" came first).
    const projected = rl.nRequestsUsed + this.#inFlightElements;
    if (projected > (1 - this.options.reserveFraction) * rl.nRequestsCap) {
      this.violate("placementInReserve", `${batch.type} of ${n}: used ${rl.nRequestsUsed} + in flight ${this.#inFlightElements - n} + ${n} > ${((1 - this.options.reserveFraction) * 100).toFixed(0)}% of cap ${rl.nRequestsCap}`);
    }
  }

  private tick(): void {
    const now = this.now();
    // the address budget: requests used never past the venue's cap (cap + surplus)
    const rl = this.exchange.rateLimit(this.options.user);
    const cap = rl.nRequestsCap + rl.nRequestsSurplus;
    this.maxAddressUse = Math.max(this.maxAddressUse, cap > 0 ? rl.nRequestsUsed / cap : 0);
    if (rl.nRequestsUsed > cap && !this.#pastCap) {
      this.#pastCap = true;
      this.violate("addressPastCap", `address requests used ${rl.nRequestsUsed} > cap ${cap}`);
    } else if (rl.nRequestsUsed <= cap) this.#pastCap = false;
    // the venue's open orders, read only when a gate is closed (building the list every 250 ms was
    // a twentieth of what a soak allocates)
    let open: ReturnType<typeof this.exchange.openOrders> | undefined;
    for (const asset of this.options.assets) {
      this.updateClosed(asset);
      // drift: our position vs the venue's, continuously
      const d = Math.abs(this.service.sink.positions.position(asset) - this.venuePosition(asset));
      const since = this.#drift.get(asset);
      if (d > EPS && since === undefined) this.#drift.set(asset, now);
      else if (d <= EPS && since !== undefined) {
        this.#drift.delete(asset);
        this.endDrift(asset, now - since);
      }
      // resting while gated
      const closedSince = this.#closedSince.get(asset);
      if (closedSince === undefined) continue;
      open ??= this.exchange.openOrders(this.options.user);
      const resting = open.filter((o) => o.asset === asset);
      if (resting.length === 0) {
        if (!this.#flatSeen.has(asset)) {
          this.#flatSeen.add(asset);
          this.longestGateToFlatMs = Math.max(this.longestGateToFlatMs, now - closedSince);
        }
        continue;
      }
      if (now - closedSince > this.options.reactionMs) {
        for (const o of resting) {
          if (this.#reportedResting.has(o.oid)) continue;
          this.#reportedResting.add(o.oid);
          this.violate("restingWhileGated", `${asset} oid ${o.oid} (cloid ${o.cloid}) rests ${now - closedSince} ms after quoting closed at ${closedSince} (${this.closedWhy(asset)})`);
        }
      }
    }
    if (this.#reportedResting.size > 10_000) this.#reportedResting.clear();
    this.checkVenueFills(now - this.options.fillGraceMs);
  }

  private closedWhy(asset: string): string {
    const k = this.service.sink.killSwitch.state;
    if (k.active) return `kill switch ${k.trip.trigger}`;
    if (this.#sinkClosed.get(asset)) return "sink gate";
    return `gate ${this.service.gates.closedReason(asset) ?? "?"}`;
  }

  private endDrift(asset: string, ms: number): void {
    this.driftWindows++;
    if (ms > this.longestDriftMs) {
      this.longestDriftMs = ms;
      this.longestDriftAsset = asset;
    }
  }

  /** Venue fills up to `until` (venue time) must all have been applied. */
  private checkVenueFills(until: number): void {
    const fills = this.exchange.account(this.options.user).fills;
    while (this.#venueFillIdx < fills.length) {
      const f = fills[this.#venueFillIdx]!.fill;
      if (f.time > until) break;
      this.#venueFillIdx++;
      this.venueFills++;
      if (!this.#applied.has(`${f.asset}:${f.tid}`)) this.violate("fillLost", `venue fill ${f.asset}:${f.tid} (oid ${f.oid}, ${f.isBuy ? "buy" : "sell"} ${f.size} @ ${f.price}, time ${f.time}) never applied`);
    }
  }

  /** The end checks, after shutdown: every venue fill applied, nothing resting, drift windows closed, catastrophes tripped. */
  finish(): void {
    this.#fillSub?.unsubscribe();
    this.#fillSub = null;
    const now = this.now();
    this.checkVenueFills(Infinity);
    for (const [asset, since] of this.#drift) this.endDrift(asset, now - since);
    this.#drift.clear();
    const left = this.exchange.openOrders(this.options.user);
    for (const o of left) this.violate("restingAfterShutdown", `${o.asset} oid ${o.oid} (cloid ${o.cloid}) ${o.isBuy ? "bid" : "ask"} ${o.sz} @ ${o.px} still resting after shutdown`);
    for (const c of this.catastrophes) if (!c.tripped) this.violate("catastropheWithoutTrip", `${c.kind} ${c.time}→${c.until} did not trip the kill switch`);
  }

  /**
   * Drop the per-fill records kept for the end checks (benchmarks measuring the service's own
   * memory call this; the lost/double checks only cover fills after it). Returns how many of the
   * venue's fills, from the start of its ledger, were checked already: the caller may drop those
   * from the ledger. The ones after them are newer than the grace and not checked yet; they and
   * their applied records stay, so each is still checked (and counted) once.
   */
  forgetHistory(): number {
    const fills = this.exchange.account(this.options.user).fills;
    const checked = this.#venueFillIdx;
    const pending = new Map<string, number>();
    for (let i = checked; i < fills.length; i++) {
      const f = fills[i]!.fill;
      const key = `${f.asset}:${f.tid}`;
      const n = this.#applied.get(key);
      if (n !== undefined) pending.set(key, n);
    }
    this.#applied.clear();
    for (const [key, n] of pending) this.#applied.set(key, n);
    this.#reportedResting.clear();
    this.#venueFillIdx = 0;
    return checked;
  }

  /** Venue fills applied at the end (for the table). */
  restingAfterShutdown(): number {
    return this.counts.restingAfterShutdown;
  }

  ok(): boolean {
    return Object.values(this.counts).every((n) => n === 0);
  }
}

const elements = batchLength;
