// POST /exchange of the paper server (and WS `post` of type "action"). Each body is decoded once
// with the served codecs; the signature is checked over the action exactly as the client sent it
// (msgpack key order is part of what was signed, so the hash is taken over the raw JSON action);
// then, at the matcher (after the entry latency, so a `noop` can overtake an order in flight):
// nonce rules per signer, `expiresAfter`, and the action on the account it resolves to — the
// signer's own, its master's when the signer is an approved agent, or a sub-account (vaultAddress).
import type { ActionBatch, BatchResult } from "../streams/actions.js";
import { decodeWith } from "../streams/codec.js";
import { decodeActionToBatch } from "../streams/wire/encode.js";
import { HlServedExchangeRequest, type HlServedAction } from "../streams/wire/exchange.js";
import { hlBatchResultToWire } from "../streams/wire/serve.js";
import { recoverL1Signer } from "../streams/wire/signing.js";
import { isHlUserSignedAction, recoverUserSignedSigner } from "../streams/wire/userSigned.js";
import type { SimAccount } from "./account.js";
import { simReserveRequestWeight } from "./reserveWeight.js";
import type { SimServerState } from "./serverState.js";
import { BUILDER_NOT_APPROVED, SIM_TEXT, expiredText, unknownSignerText } from "./texts.js";

export interface SimHttpReply {
  readonly status: number;
  readonly json?: unknown;
  readonly text?: string;
}

const OK_DEFAULT = { status: "ok", response: { type: "default" } } as const;
const err = (response: string): SimHttpReply => ({ status: 200, json: { status: "err", response } });

function modifyWire(r: BatchResult): unknown {
  if (r.ok && r.type === "batchModify") {
    const s = r.statuses[0];
    if (s?.kind === "rejected") return { status: "err", response: s.error };
    return OK_DEFAULT;
  }
  return hlBatchResultToWire(r);
}

/** The handler: `respond` is called once, after the venue's latency. */
export function simExchangeHandler(state: SimServerState): (body: unknown, ip: string, respond: (r: SimHttpReply) => void) => void {
  const ex = state.exchange;
  const accounts = state.accounts;

  return (body, ip, respond) => {
    const decoded = decodeWith(HlServedExchangeRequest, body, "exchange request");
    if (!decoded.ok) {
      respond({ status: 422, text: `${SIM_TEXT.malformedBody}: ${decoded.error.problems[0] ?? "invalid body"}` });
      return;
    }
    const req = decoded.value;
    const action: HlServedAction = req.action;
    // the bytes that were signed: the action as sent (the decoded copy may order keys differently)
    const signedAction = (body as { action: Record<string, unknown> & { type: string } }).action;
    const userSigned = isHlUserSignedAction(action.type);
    const signedForMainnet = (): boolean => {
      try {
        const m = recoverL1Signer({ action: signedAction, nonce: req.nonce, vaultAddress: req.vaultAddress ?? null, expiresAfter: req.expiresAfter ?? null, isMainnet: true, signature: req.signature });
        return accounts.exists(m) || accounts.agent(m, ex.now()) !== undefined;
      } catch {
        return false;
      }
    };
    let signer: string;
    try {
      signer = (
        userSigned
          ? recoverUserSignedSigner(signedAction, req.signature)
          : recoverL1Signer({ action: signedAction, nonce: req.nonce, vaultAddress: req.vaultAddress ?? null, expiresAfter: req.expiresAfter ?? null, isMainnet: false, signature: req.signature })
      ).toLowerCase();
    } catch {
      respond(err("Unable to recover signer."));
      return;
    }
    // The faucet funds unknown signers; a known account (or agent) that signed for mainnet would
    // otherwise trade silently on the stranger address its signature recovers to here. Testnet
    // answers that address "does not exist", and so does the paper venue.
    if (!userSigned && accounts.mode === "faucet" && !accounts.exists(signer) && !accounts.agent(signer, ex.now()) && signedForMainnet()) {
      respond(err(unknownSignerText(signer)));
      return;
    }
    // user-signed actions act for the signer itself (an agent cannot approve agents)
    const resolved = accounts.resolve(signer, userSigned ? null : req.vaultAddress, ex.now());
    if (!resolved.ok) {
      respond(err(resolved.text));
      return;
    }
    if (userSigned && resolved.agent) {
      respond(err(unknownSignerText(signer)));
      return;
    }
    const user = resolved.account;
    const expiresAfter = req.expiresAfter ?? null;
    /** Nonce and expiry at the block: a text refuses the whole action and changes nothing else. */
    const gate = (acct: SimAccount, weight: number): string | undefined => {
      const now = ex.now();
      if (expiresAfter !== null && !userSigned && expiresAfter < now) {
        acct.budget.charge(5 * weight); // DOC-EXCH: stale expiresAfter consumes 5× the address budget
        return expiredText(expiresAfter, now);
      }
      const nonces = accounts.nonceSet(signer);
      const refusal = nonces.check(req.nonce, now);
      if (refusal !== undefined) return refusal;
      nonces.use(req.nonce);
      return undefined;
    };
    const simple = (work: (acct: SimAccount) => unknown, cancelLike = false): void => {
      ex.runAction(
        () => {
          const acct = ex.account(user);
          const refusal = gate(acct, 1);
          return refusal !== undefined ? { status: "err", response: refusal } : work(acct);
        },
        (json) => respond({ status: 200, json }),
        cancelLike,
      );
    };

    switch (action.type) {
      case "noop":
        simple(() => OK_DEFAULT, true);
        return;
      case "updateLeverage":
        simple(() => {
          const meta = ex.assetById(action.asset);
          const refusal = meta ? ex.setLeverage(user, meta.name, action.isCross, action.leverage) : SIM_TEXT.unknownAsset;
          return refusal === undefined ? OK_DEFAULT : { status: "err", response: refusal };
        });
        return;
      case "updateIsolatedMargin":
      case "setReferrer":
        // accepted as the venue accepts them; their effect (isolated margin top-ups, referral codes) is not modelled
        simple(() => OK_DEFAULT);
        return;
      case "approveAgent":
        simple(() => {
          accounts.approveAgent(user, action.agentAddress, action.agentName ?? "", ex.now());
          return OK_DEFAULT;
        });
        return;
      case "approveBuilderFee":
        simple(() => (accounts.approveBuilder(user, action.builder, action.maxFeeRate) ? OK_DEFAULT : { status: "err", response: `Invalid max fee rate: ${action.maxFeeRate.slice(0, 20)}` }));
        return;
      case "reserveRequestWeight":
        // Paid from what the account could withdraw, 0.0005 USDC a request (sim/reserveWeight.ts).
        // For itself: an ActionBatch like any other (IP weight 1, one address request, its block);
        // for a `destination` (FACTS §13), here.
        if (action.destination === undefined) break;
        simple((acct) => {
          const refusal = simReserveRequestWeight(ex, acct, action.weight, ex.account(action.destination!));
          return refusal === undefined ? OK_DEFAULT : { status: "err", response: refusal };
        });
        return;
      case "createSubAccount":
        simple(() => ({ status: "ok", response: { type: "createSubAccount", data: accounts.createSubAccount(user, action.name) } }));
        return;
      default:
        break;
    }
    // order batches: builder approval is pre-validation (one error for the whole action)
    if (action.type === "order" && action.builder) {
      const approved = accounts.maxBuilderFee(resolved.master, action.builder.b);
      if (approved === 0 || action.builder.f > approved) {
        respond(err(BUILDER_NOT_APPROVED));
        return;
      }
    }
    const single = action.type === "modify";
    const asBatch = single ? { type: "batchModify", modifies: [{ oid: action.oid, order: action.order }] } : action;
    const batch = decodeActionToBatch(asBatch as { type: string } & Record<string, unknown>, (id) => ex.assetById(id)?.name);
    if (!batch.ok) {
      respond(err(batch.error.message));
      return;
    }
    const b: ActionBatch = batch.value;
    const weight = b.type === "order" ? b.orders.length : b.type === "cancel" || b.type === "cancelByCloid" ? b.cancels.length : b.type === "batchModify" ? b.modifies.length : 1;
    ex.submit(
      user,
      b,
      (reply) => {
        if (reply.http === 429) respond({ status: 429, text: "429 Too Many Requests" });
        else respond({ status: 200, json: single ? modifyWire(reply.result) : hlBatchResultToWire(reply.result) });
      },
      { ip, gate: (acct) => gate(acct, weight) },
    );
  };
}
