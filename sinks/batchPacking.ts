// Cross-asset batch packing: the batches that arose together (one step of the core, or a
// coalescing window) become as few signed requests as the venue's rules allow. Pure.
//
// Rules (FACTS §9, §10, §13):
// - one kind per request, never mixed: cancel, cancelByCloid, batchModify, ALO placements, other
//   placements (ALO-only batches are prioritised by the validators, so ALO never shares with GTC/IOC);
// - at most `maxBatchSize` elements per request (default 39: IP weight 1 + floor(n / 40) = 1);
// - every element exactly once;
// - per asset, the order of its elements is kept across requests: an element goes into a request
//   no earlier than the one holding that asset's previous element (a cancel by CLOID never
//   overtakes the placement it cancels; a placement never overtakes its own asset's cancels);
// - scheduleCancel and reserveRequestWeight are never packed (one request of their own, in arrival position).
import type { ActionBatch, CancelByCloidSpec, CancelSpec, ModifySpec, OrderSpec } from "../streams/actions.js";

export type PackKind = "cancel" | "cancelByCloid" | "batchModify" | "order:Alo" | "order:other";

export interface PackOptions {
  /** Elements per request at most (default 39: IP weight 1; Hyperliquid documents no smaller cap). */
  readonly maxBatchSize?: number;
}

export const DEFAULT_MAX_BATCH_SIZE = 39;

type Element =
  | { readonly kind: "cancel"; readonly asset: string; readonly item: CancelSpec }
  | { readonly kind: "cancelByCloid"; readonly asset: string; readonly item: CancelByCloidSpec }
  | { readonly kind: "batchModify"; readonly asset: string; readonly item: ModifySpec }
  | { readonly kind: "order:Alo" | "order:other"; readonly asset: string; readonly item: OrderSpec };

type Slot = { readonly kind: PackKind; readonly items: Element[] } | { readonly kind: "fixed"; readonly batch: ActionBatch };

/** The elements of a batch, each with its pack kind and asset (none for scheduleCancel). */
function elementsOf(batch: ActionBatch): Element[] {
  switch (batch.type) {
    case "cancel":
      return batch.cancels.map((item) => ({ kind: "cancel", asset: item.asset, item }));
    case "cancelByCloid":
      return batch.cancels.map((item) => ({ kind: "cancelByCloid", asset: item.asset, item }));
    case "batchModify":
      return batch.modifies.map((item) => ({ kind: "batchModify", asset: item.order.asset, item }));
    case "order":
      return batch.orders.map((item) => ({ kind: item.tif === "Alo" ? "order:Alo" : "order:other", asset: item.asset, item }));
    case "scheduleCancel":
    case "reserveRequestWeight":
      return [];
  }
}

function batchOf(kind: PackKind, items: readonly Element[]): ActionBatch {
  switch (kind) {
    case "cancel":
      return { type: "cancel", cancels: items.map((e) => e.item as CancelSpec) };
    case "cancelByCloid":
      return { type: "cancelByCloid", cancels: items.map((e) => e.item as CancelByCloidSpec) };
    case "batchModify":
      return { type: "batchModify", modifies: items.map((e) => e.item as ModifySpec) };
    case "order:Alo":
    case "order:other":
      return { type: "order", orders: items.map((e) => e.item as OrderSpec) };
  }
}

/**
 * Pack `batches` (in arrival order) into requests by the rules above. First fit: each element
 * joins the first request of its kind, with room, at or after its asset's last request.
 *
 * ```
 * in:  [cancel A1] [order A2 A3] [cancel B1] [order B2] [cancelByCloid A2]
 * out: [cancel A1 B1] [order A2 A3 B2] [cancelByCloid A2]
 * ```
 */
export function packBatches(batches: readonly ActionBatch[], options: PackOptions = {}): ActionBatch[] {
  const max = Math.max(1, Math.floor(options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE));
  const slots: Slot[] = [];
  // per kind, the indices of slots that still have room (ascending)
  const open = new Map<PackKind, number[]>();
  const lastAt = new Map<string, number>();
  for (const b of batches) {
    if (b.type === "scheduleCancel" || b.type === "reserveRequestWeight") {
      slots.push({ kind: "fixed", batch: b });
      continue;
    }
    for (const e of elementsOf(b)) {
      const from = lastAt.get(e.asset) ?? 0;
      let list = open.get(e.kind);
      if (!list) open.set(e.kind, (list = []));
      let at = -1;
      for (const i of list) {
        if (i >= from) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        at = slots.length;
        slots.push({ kind: e.kind, items: [] });
        list.push(at);
      }
      const slot = slots[at] as { kind: PackKind; items: Element[] };
      slot.items.push(e);
      if (slot.items.length >= max) list.splice(list.indexOf(at), 1);
      lastAt.set(e.asset, at);
    }
  }
  return slots.map((s) => (s.kind === "fixed" ? s.batch : batchOf(s.kind, s.items)));
}

/** The kind a batch packs as (its first element's; null for scheduleCancel or an empty batch). */
export function packKindOf(batch: ActionBatch): PackKind | null {
  return elementsOf(batch)[0]?.kind ?? null;
}
