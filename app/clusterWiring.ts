// One process of a scaled-out account (`quota.store: redis://…`): what the service and `run` wire
// in when the quota authority is shared. Four jobs, each small:
//   - the venue, scoped to this process's assets (the account's fills, orders and positions of
//     other processes' assets are not ours: not adopted, not cancelled as orphans);
//   - the executor's throttle, followed by the shared authority (quota/gate.ts);
//   - the quote gates' quota state: the store down or the shared budgets below the breaker close them;
//   - the kill-switch bus and the account-wide loss (quota/killBus.ts), once a second.
// Cost: no venue weight at all — one Lua call per batch sent, one per info request counted, one
// PnL + one WS refresh per second per process (Redis commands, loopback or LAN).
import type { Logger } from "pino";
import { Gauge } from "prom-client";
import { type Observable, type SchedulerLike, type Subscription, asyncScheduler, defer, filter, from, identity, map, mergeMap, pipe } from "rxjs";
import { everyOn } from "../sinks/periodic.js";
import { DEFAULT_AUTHORITY_LIMITS } from "../quota/authority.js";
import { SharedQuota, authorityGate, shareFeedback } from "../quota/gate.js";
import { type ClusterTrip, KillBus } from "../quota/killBus.js";
import { RedisQuotaAuthority, redactUrl } from "../quota/redis.js";
import type { ExecutionSinkConfig } from "../sinks/executionSink.js";
import type { KillSwitchState } from "../sinks/killSwitch.js";
import type { AccountSnapshot } from "../streams/orders.js";
import type { QuotaThrottleState } from "../streams/quota.js";
import type { Venue } from "../streams/venue.js";
import type { ServiceMetrics } from "./metrics.js";

export interface ClusterWiringOptions {
  /** quota.store */
  readonly url: string;
  /** quota.scope: the IP scope (processes behind one public IP share it). */
  readonly scope: string;
  /** The master address (the account whose budgets and kill switch are shared). */
  readonly account: string;
  /** Unique per process (host:pid by default). */
  readonly processId: string;
  readonly log: Logger;
  /** Account-wide loss limit (USD): the defaults' risk.maxLossUsd. */
  readonly maxLossUsd: number;
  /** Placements stop below this shared headroom (quota.breakerPct / 100). */
  readonly breakerOpenBelow?: number;
  readonly reserveFraction?: number;
  /** The clock of the once-a-second tick and the trip retries (default the wall clock: Redis keys age by it). */
  readonly scheduler?: SchedulerLike;
}

/** The part of the service this wiring drives. */
export interface ClusterService {
  readonly sink: {
    readonly events$: Observable<{ readonly type: string }>;
    readonly killSwitch: { readonly state: KillSwitchState; readonly active: boolean };
    kill(detail: string): void;
    clearKillSwitch(): boolean;
  };
  status(): readonly { readonly pnl: number }[];
}

export class ClusterWiring {
  readonly authority: RedisQuotaAuthority;
  readonly shared: SharedQuota;
  readonly bus: KillBus;
  /** Remote trips applied here, and the last account PnL read. */
  tripsReceived = 0;
  accountPnl: number | undefined;
  private readonly subs: Subscription[] = [];
  private timer: Subscription | undefined;
  private retry: Subscription | undefined;
  private readonly scheduler: SchedulerLike;
  private pendingTrip: Omit<ClusterTrip, "origin"> | undefined;
  private remoteClear = false;
  private wsRefused: string | undefined;
  /** The store's status last logged; undefined until the first connection (the store starts "down"). */
  private lastStatus: string | undefined;

  constructor(
    readonly options: ClusterWiringOptions,
    private readonly assets: () => ReadonlySet<string>,
  ) {
    this.scheduler = options.scheduler ?? asyncScheduler;
    const reserveFraction = options.reserveFraction ?? DEFAULT_AUTHORITY_LIMITS.reserveFraction;
    this.authority = new RedisQuotaAuthority({ url: options.url, scope: options.scope, account: options.account, limits: { reserveFraction } });
    this.shared = new SharedQuota(this.authority, { processId: options.processId, ...(options.breakerOpenBelow !== undefined ? { breakerOpenBelow: options.breakerOpenBelow, breakerCloseAt: Math.min(1, options.breakerOpenBelow * 1.5) } : {}) });
    this.bus = new KillBus(options.url, options.account, options.processId);
    const log = options.log.child({ component: "cluster" });
    this.subs.push(
      this.authority.status$.subscribe((s) => {
        const first = this.lastStatus === undefined;
        // before the first connection the store is "down" by definition: attach() reports one that does not come up
        if (s === this.lastStatus || (first && s === "down")) return;
        this.lastStatus = s;
        if (first) log.info({ store: redactUrl(options.url) }, "quota store connected");
        else if (s === "down") log.error({ store: redactUrl(options.url), failure: "quota_store_down" }, "quota store unreachable: placements stopped, quotes pulled, cancels on the local emergency budget");
        else log.warn({ store: redactUrl(options.url) }, "quota store reachable again: placements resume under the shared budgets");
      }),
    );
  }

  /** The venue as this process sees it: only its assets' orders, fills, positions and open orders. */
  scopeVenue(venue: Venue): Venue {
    const mine = (asset: string): boolean => this.assets().has(asset);
    const scopeSnapshot = map((s: AccountSnapshot): AccountSnapshot => ({
      ...s,
      positions: s.positions.filter((p) => mine(p.asset)),
      openOrders: s.openOrders.filter((o) => mine(o.asset)),
    }));
    const pushes = venue.accountPushes$;
    // every info request reserves its weight in the shared IP window first (and waits while it is full)
    const info = <T>(weight: number, call: () => Observable<T>): Observable<T> => defer(() => from(this.shared.reserveInfo(weight))).pipe(mergeMap(call));
    return {
      get name() {
        return venue.name;
      },
      meta: () => info(20, () => venue.meta()),
      book: (a) => venue.book(a),
      trades: (a) => venue.trades(a),
      orderUpdates$: venue.orderUpdates$.pipe(filter((u) => mine(u.asset))),
      fills$: venue.fills$.pipe(map((b) => ({ ...b, fills: b.fills.filter((f) => mine(f.asset)) }))),
      connection$: venue.connection$,
      decodeErrors$: venue.decodeErrors$,
      submit: (b) => venue.submit(b),
      account: (o) => info(o?.openOrders === false ? 2 : 22, () => venue.account(o)).pipe(scopeSnapshot),
      ...(pushes ? { accountPushes$: pushes.pipe(scopeSnapshot) } : {}),
      orderStatus: (r) => info(2, () => venue.orderStatus(r)),
      rateLimit: () => info(20, () => venue.rateLimit()),
    };
  }

  /** The sink's config with the shared authority after the local throttle. */
  sinkConfig(config: ExecutionSinkConfig): ExecutionSinkConfig {
    const base = config.executor?.throttle;
    return {
      ...config,
      executor: {
        ...config.executor,
        throttle: (feedback, onRefused) => {
          const fb = shareFeedback(feedback);
          return pipe(base ? base(fb, onRefused) : identity, authorityGate(this.shared, fb, onRefused));
        },
      },
    };
  }

  quotaState(local$: Observable<QuotaThrottleState>): Observable<QuotaThrottleState> {
    return this.shared.quotaState(local$);
  }

  healthReasons(): string[] {
    const out: string[] = [];
    if (this.authority.status === "down") out.push(`quota store unreachable (${redactUrl(this.options.url)}): placements stopped`);
    if (this.wsRefused !== undefined) out.push(`websocket caps of this IP: ${this.wsRefused}`);
    return out;
  }

  /** Gauges on the service's registry: store up, shared usage, shared refusals, remote trips. */
  registerMetrics(metrics: ServiceMetrics): void {
    const registers = [metrics.registry];
    const self = this;
    new Gauge({ name: "quoteflow_quota_store_up", help: "1 while the shared quota store (Redis) answers, 0 while placements are stopped for it", registers, collect() { this.set(self.authority.status === "up" ? 1 : 0); } });
    new Gauge({
      name: "quoteflow_quota_shared_usage",
      help: "The shared budgets as last answered by the store: ip_used (weight in the last 60 s, every process of the IP), address_used, address_reserved, address_cap",
      labelNames: ["budget"],
      registers,
      collect() {
        const u = self.shared.usage$.value;
        if (u === undefined) return;
        this.set({ budget: "ip_used" }, u.ipUsed);
        this.set({ budget: "address_used" }, u.used);
        this.set({ budget: "address_reserved" }, u.reserved);
        this.set({ budget: "address_cap" }, u.cap);
      },
    });
    new Gauge({
      name: "quoteflow_quota_shared_decisions",
      help: "Batches the shared authority reserved, or refused by reason (ip, address, down), and cancels sent or held on the emergency budget, since start",
      labelNames: ["decision"],
      registers,
      collect() {
        const c = self.shared.counts;
        this.set({ decision: "reserved" }, c.reserved);
        this.set({ decision: "refused_ip" }, c.refusedIp);
        this.set({ decision: "refused_address" }, c.refusedAddress);
        this.set({ decision: "refused_down" }, c.refusedDown);
        this.set({ decision: "emergency_cancel" }, c.emergencyCancels);
        this.set({ decision: "emergency_refused" }, c.emergencyRefused);
        this.set({ decision: "store_outages" }, c.outages);
        this.set({ decision: "cancel_delayed" }, c.cancelsDelayed);
        this.set({ decision: "info_delayed" }, c.infoDelayed);
      },
    });
    new Gauge({ name: "quoteflow_cluster_kill_trips_received", help: "Kill-switch trips from other processes of the account applied here", registers, collect() { this.set(self.tripsReceived); } });
  }

  /**
   * Before the service starts: claim this process's WS connection and user on the IP (refused
   * past 10 connections / 10 users: an Error naming the cap), start the kill bus, and once a
   * second refresh the claim, publish a trip that could not be published, and check the account's loss.
   */
  async attach(svc: ClusterService): Promise<void> {
    const log = this.options.log.child({ component: "cluster" });
    await this.authority.ready(5_000).catch((err: unknown) => log.error({ err, failure: "quota_store_down" }, "quota store not reachable at start: placements wait for it"));
    const ws = await this.authority.wsAcquire(this.options.processId, 1, [this.options.account]);
    if (!ws.ok && this.authority.status === "up") throw new Error(`quota.scope ${this.options.scope}: ${ws.reason}`);
    await this.bus.ready(5_000).catch(() => undefined);
    await this.bus.start({
      onTrip: (trip) => {
        this.tripsReceived++;
        log.error({ origin: trip.origin, trigger: trip.trigger, detail: trip.detail }, "kill switch tripped by another process of the account");
        if (!svc.sink.killSwitch.active) svc.sink.kill(`cluster: ${trip.origin} tripped ${trip.trigger}: ${trip.detail}`);
      },
      onClear: (origin) => {
        log.warn({ origin }, "kill switch cleared for the account");
        if (svc.sink.killSwitch.active) {
          this.remoteClear = true;
          svc.sink.clearKillSwitch();
        }
      },
    });
    let wasActive = svc.sink.killSwitch.active;
    this.subs.push(
      svc.sink.events$.pipe(filter((e): e is { type: "killSwitch"; state: KillSwitchState } => e.type === "killSwitch")).subscribe((e) => {
        const state = e.state;
        if (state.active && !wasActive && !state.trip.detail.startsWith("cluster:")) {
          this.pendingTrip = { trigger: state.trip.trigger, detail: state.trip.detail, asset: state.trip.asset, at: this.scheduler.now() };
          void this.flushTrip();
        } else if (!state.active && wasActive) {
          if (this.remoteClear) this.remoteClear = false;
          else void this.bus.clear();
        }
        wasActive = state.active;
      }),
    );
    this.timer = everyOn(this.scheduler, 1_000, () => void this.tick(svc, log));
  }

  /** Publish the local trip; retried every 100 ms while the store does not take it. */
  private async flushTrip(): Promise<void> {
    const t = this.pendingTrip;
    if (t === undefined) return;
    if (await this.bus.trip(t)) {
      if (this.pendingTrip === t) this.pendingTrip = undefined;
      this.options.log.warn({ component: "cluster", trigger: t.trigger }, "kill switch trip published to every process of the account");
    } else if (this.timer !== undefined && !this.timer.closed) {
      this.retry?.unsubscribe();
      this.retry = this.scheduler.schedule(() => void this.flushTrip(), 100);
    }
  }

  private async tick(svc: ClusterService, log: Logger): Promise<void> {
    await this.flushTrip();
    const ws = await this.authority.wsAcquire(this.options.processId, 1, [this.options.account]);
    this.wsRefused = ws.ok || this.authority.status === "down" ? undefined : ws.reason;
    const pnl = svc.status().reduce((s, a) => s + a.pnl, 0);
    const total = await this.bus.accountPnl(pnl);
    this.accountPnl = total;
    if (total !== undefined && total < -this.options.maxLossUsd && !svc.sink.killSwitch.active) {
      log.error({ accountPnl: total, maxLossUsd: this.options.maxLossUsd }, "account-wide loss limit reached");
      svc.sink.kill(`account-wide loss ${total.toFixed(2)} USD below −${this.options.maxLossUsd} (every process of the account)`);
    }
  }

  async close(): Promise<void> {
    this.timer?.unsubscribe();
    this.retry?.unsubscribe();
    for (const s of this.subs) s.unsubscribe();
    await this.authority.wsRelease(this.options.processId);
    this.shared.dispose();
    await this.bus.close();
    await this.authority.close();
  }
}
