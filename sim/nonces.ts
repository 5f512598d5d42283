// Nonces per signer as the venue keeps them (FACTS §13, DOC-NONCE newest): the 100 highest are
// stored; a new one must be above the least of them (once 100 are stored), never seen before, and
// within (T − 2 days, T + 1 day) of the block time T. A signer is the key that signed: an agent's
// nonces are its own, shared by every account it signs for.
import { duplicateNonceText, nonceTooHighText, nonceTooLowText } from "./texts.js";

export const SIM_NONCES_KEPT = 100;
export const SIM_NONCE_PAST_MS = 2 * 86_400_000;
export const SIM_NONCE_FUTURE_MS = 86_400_000;

/** The highest nonces of one signer, ascending. */
export class SimNonceSet {
  private readonly kept: number[] = [];

  constructor(readonly capacity = SIM_NONCES_KEPT) {}

  /** The refusal text for `nonce` at block time `now`, or undefined when it is valid. */
  check(nonce: number, now: number): string | undefined {
    if (nonce <= now - SIM_NONCE_PAST_MS) return nonceTooLowText(nonce, now - SIM_NONCE_PAST_MS + 1);
    if (nonce >= now + SIM_NONCE_FUTURE_MS) return nonceTooHighText(nonce, now + SIM_NONCE_FUTURE_MS - 1);
    if (this.kept.length >= this.capacity && nonce < this.kept[0]!) return nonceTooLowText(nonce, this.kept[0]!);
    if (this.has(nonce)) return duplicateNonceText(nonce);
    return undefined;
  }

  /** Mark `nonce` used (only after check passed). */
  use(nonce: number): void {
    let lo = 0;
    let hi = this.kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.kept[mid]! < nonce) lo = mid + 1;
      else hi = mid;
    }
    this.kept.splice(lo, 0, nonce);
    if (this.kept.length > this.capacity) this.kept.shift();
  }

  private has(nonce: number): boolean {
    let lo = 0;
    let hi = this.kept.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.kept[mid]!;
      if (v === nonce) return true;
      if (v < nonce) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}
