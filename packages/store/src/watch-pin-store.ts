import type { Collection, Db } from "mongodb";
import { isDuplicateKeyError } from "./connect.js";

/**
 * Operator pins on an owned domain:
 * - `root-pin`: a CA owner (as the CCADB names it, e.g. "Internet Security Research Group")
 *   always accepted for the domain by the different-root-CA detector (event 20), on top
 *   of the owners it learned;
 * - `caa-pin`: a CAA issuer domain (e.g. "letsencrypt.org") the tenant authorises for the
 *   domain, for the CAA detector (event 29).
 */
export type WatchPinKind = "root-pin" | "caa-pin";

/** One pin of one tenant. */
export interface WatchPinRecord {
  tenantId: string;
  kind: WatchPinKind;
  /** The owned domain the pin applies to (lower-case A-labels). */
  domain: string;
  /** The pinned CA owner name or CAA issuer domain. */
  value: string;
  createdAtMs: number;
}

/**
 * Tenants' pins (collection `watch_pins`, unique per tenant, kind, domain and
 * value). Changes bump the same revision as the watch list (`meta` document
 * `watchlist-revision`), so a detector polling `revision()` picks up pins and
 * watch items alike, live, without change streams.
 */
export interface WatchPinStore {
  /** Adds a pin; idempotent. True when it was new. */
  add(rec: Omit<WatchPinRecord, "createdAtMs">, nowMs?: number): Promise<boolean>;
  /** Removes a pin; true when it existed. */
  remove(tenantId: string, kind: WatchPinKind, domain: string, value: string): Promise<boolean>;
  /** All pins of `kind` across tenants (bounded by `limit`, default 1,000,000): what detectors load. */
  list(kind: WatchPinKind, limit?: number): Promise<WatchPinRecord[]>;
  /** A number that changes whenever a watch list or a pin changes. */
  revision(): Promise<number>;
}

interface MetaDoc {
  _id: string;
  value: number;
}

/** The `meta` document both this store and `MongoWatchlistStore` bump on every change. */
const REVISION_ID = "watchlist-revision";

/** MongoDB implementation of {@link WatchPinStore}. */
export class MongoWatchPinStore implements WatchPinStore {
  private readonly pins: Collection<WatchPinRecord>;
  private readonly meta: Collection<MetaDoc>;

  constructor(db: Db) {
    this.pins = db.collection<WatchPinRecord>("watch_pins");
    this.meta = db.collection<MetaDoc>("meta");
  }

  /** Creates indexes (idempotent). */
  async init(): Promise<void> {
    await this.pins.createIndex(
      { tenantId: 1, kind: 1, domain: 1, value: 1 },
      { unique: true, name: "tenant_kind_domain_value" },
    );
    await this.pins.createIndex({ kind: 1 }, { name: "kind" });
  }

  private async bump(): Promise<void> {
    await this.meta.updateOne({ _id: REVISION_ID }, { $inc: { value: 1 } }, { upsert: true });
  }

  async add(rec: Omit<WatchPinRecord, "createdAtMs">, nowMs = Date.now()): Promise<boolean> {
    try {
      await this.pins.insertOne({ ...rec, createdAtMs: nowMs });
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
    await this.bump();
    return true;
  }

  async remove(tenantId: string, kind: WatchPinKind, domain: string, value: string): Promise<boolean> {
    const res = await this.pins.deleteOne({ tenantId, kind, domain, value });
    if (res.deletedCount > 0) await this.bump();
    return res.deletedCount > 0;
  }

  async list(kind: WatchPinKind, limit = 1_000_000): Promise<WatchPinRecord[]> {
    return this.pins
      .find({ kind }, { projection: { _id: 0 } })
      .limit(limit)
      .toArray();
  }

  async revision(): Promise<number> {
    const doc = await this.meta.findOne({ _id: REVISION_ID });
    return doc?.value ?? 0;
  }
}
