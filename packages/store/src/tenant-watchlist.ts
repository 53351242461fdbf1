import type { Collection, Db, Filter } from "mongodb";
import type { WatchPinKind, WatchPinRecord } from "./watch-pin-store.js";
import type { WatchItemKind, WatchItemRecord } from "./watchlist-store.js";

/** Every kind of entry in a tenant's watch list: items and pins. */
export type TenantWatchKind = WatchItemKind | WatchPinKind;

/** One entry of a tenant's watch list. `domain` is "" for items, the pinned domain for pins. */
export interface TenantWatchEntry {
  kind: TenantWatchKind;
  domain: string;
  value: string;
  createdAtMs: number;
}

/** Where a page of {@link TenantWatchlist.page} starts: strictly after this entry. */
export interface WatchEntryKey {
  kind: TenantWatchKind;
  domain: string;
  value: string;
}

const PIN_KINDS: readonly string[] = ["root-pin", "caa-pin"];

/** True for the pin kinds (stored in `watch_pins`), false for items (`watch_items`). */
export function isPinKind(kind: TenantWatchKind): kind is WatchPinKind {
  return PIN_KINDS.includes(kind);
}

function compareKeys(a: WatchEntryKey, b: WatchEntryKey): number {
  if (a.kind !== b.kind) return a.kind < b.kind ? -1 : 1;
  if (a.domain !== b.domain) return a.domain < b.domain ? -1 : 1;
  if (a.value !== b.value) return a.value < b.value ? -1 : 1;
  return 0;
}

/**
 * A read view of one tenant's whole watch list (items in `watch_items`, pins in
 * `watch_pins`) for the API: bounded pages in one stable order (kind, domain,
 * value), counts for per-tenant limits, and membership checks. Writes go through
 * `WatchlistStore` and `WatchPinStore`, which bump the shared revision.
 */
export interface TenantWatchlist {
  /** Entries of the given kinds (all kinds when empty), strictly after `after`, at most `limit` (1-1000). */
  page(
    tenantId: string,
    kinds: readonly TenantWatchKind[],
    after: WatchEntryKey | undefined,
    limit: number,
  ): Promise<TenantWatchEntry[]>;
  /** Number of entries (items and pins) the tenant has. */
  count(tenantId: string): Promise<number>;
  /** True when the tenant has the item. */
  hasItem(tenantId: string, kind: WatchItemKind, value: string): Promise<boolean>;
}

/** MongoDB implementation of {@link TenantWatchlist}. */
export class MongoTenantWatchlist implements TenantWatchlist {
  private readonly items: Collection<WatchItemRecord>;
  private readonly pins: Collection<WatchPinRecord>;

  constructor(db: Db) {
    this.items = db.collection<WatchItemRecord>("watch_items");
    this.pins = db.collection<WatchPinRecord>("watch_pins");
  }

  async page(
    tenantId: string,
    kinds: readonly TenantWatchKind[],
    after: WatchEntryKey | undefined,
    limit: number,
  ): Promise<TenantWatchEntry[]> {
    const n = Math.min(Math.max(Math.trunc(limit), 1), 1000);
    const all = kinds.length === 0;
    const itemKinds = kinds.filter((k): k is WatchItemKind => !isPinKind(k));
    const pinKinds = kinds.filter(isPinKind);
    const out: TenantWatchEntry[] = [];
    if (all || itemKinds.length > 0) {
      const filter: Filter<WatchItemRecord> = { tenantId };
      if (!all) filter.kind = { $in: itemKinds };
      if (after) {
        // Items have no domain (""): after (k, d, v) means kind > k, or kind = k and
        // ("" > d is impossible) "" = d and value > v.
        filter.$or =
          after.domain === ""
            ? [
                { kind: { $gt: after.kind as WatchItemKind } },
                { kind: after.kind as WatchItemKind, value: { $gt: after.value } },
              ]
            : [{ kind: { $gt: after.kind as WatchItemKind } }];
      }
      const docs = await this.items
        .find(filter, { projection: { _id: 0 } })
        .sort({ kind: 1, value: 1 })
        .limit(n)
        .toArray();
      for (const d of docs)
        out.push({ kind: d.kind, domain: "", value: d.value, createdAtMs: d.createdAtMs });
    }
    if (all || pinKinds.length > 0) {
      const filter: Filter<WatchPinRecord> = { tenantId };
      if (!all) filter.kind = { $in: pinKinds };
      if (after) {
        filter.$or = [
          { kind: { $gt: after.kind as WatchPinKind } },
          { kind: after.kind as WatchPinKind, domain: { $gt: after.domain } },
          { kind: after.kind as WatchPinKind, domain: after.domain, value: { $gt: after.value } },
        ];
      }
      const docs = await this.pins
        .find(filter, { projection: { _id: 0 } })
        .sort({ kind: 1, domain: 1, value: 1 })
        .limit(n)
        .toArray();
      for (const d of docs)
        out.push({ kind: d.kind, domain: d.domain, value: d.value, createdAtMs: d.createdAtMs });
    }
    return out.sort(compareKeys).slice(0, n);
  }

  async count(tenantId: string): Promise<number> {
    const [items, pins] = await Promise.all([
      this.items.countDocuments({ tenantId }),
      this.pins.countDocuments({ tenantId }),
    ]);
    return items + pins;
  }

  async hasItem(tenantId: string, kind: WatchItemKind, value: string): Promise<boolean> {
    return (await this.items.findOne({ tenantId, kind, value }, { projection: { _id: 1 } })) !== null;
  }
}
