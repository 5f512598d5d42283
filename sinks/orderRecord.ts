// A new order record: a placement about to be sent (pending-new, not sent yet), or an adopted
// leftover before the venue's view of it opens it (OrderStore.adoptResting).
import type { OrderSpec } from "../streams/actions.js";
import type { PlacementFacts, Rec } from "./orderTypes.js";

export function newRecord(spec: OrderSpec, facts: PlacementFacts, now: number): Rec {
  return {
    cloid: spec.cloid,
    asset: spec.asset,
    isBuy: spec.isBuy,
    px: spec.px,
    origSz: spec.sz,
    legOrigSz: spec.sz,
    tif: spec.tif,
    reduceOnly: spec.reduceOnly,
    oid: null,
    oldOids: [],
    state: "pending-new",
    priorState: null,
    filledSz: 0,
    legFilledSz: 0,
    venueRemainingSz: null,
    source: facts.source,
    midAtPlacement: facts.midAtPlacement,
    quotedHalfSpreadBps: facts.quotedHalfSpreadBps,
    level: facts.level,
    signals: facts.signals,
    placedAt: now,
    sentAt: null,
    lastEventAt: now,
    terminalAt: null,
    stale: false,
    staleSince: null,
    lastStatusQueryAt: null,
    raced: false,
    inferred: false,
    pendingModify: null,
    needsVerify: false,
  };
}
