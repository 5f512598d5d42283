// Nonces (FACTS §7.3): unique and increasing per signer, fast-forwarded to the clock — many
// actions in one millisecond get now, now+1, now+2, …; time comes from the scheduler.
import { asyncScheduler, type SchedulerLike } from "rxjs";

export class HlNonceGenerator {
  private last = 0;

  constructor(private readonly scheduler: SchedulerLike = asyncScheduler) {}

  /** The next nonce: max(now, last + 1). */
  next(): number {
    const now = Math.floor(this.scheduler.now());
    this.last = now > this.last ? now : this.last + 1;
    return this.last;
  }

  /** The last nonce handed out (0 before the first). */
  peek(): number {
    return this.last;
  }
}
