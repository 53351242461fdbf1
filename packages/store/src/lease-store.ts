import type { Collection, Db } from "mongodb";
import { isDuplicateKeyError } from "./connect.js";

/**
 * Short exclusive leases by name (e.g. "redeliver:<destinationId>"), so one of
 * several instances does a periodic job. Acquisition is a unique-key insert; an
 * expired lease is removed by a delete conditioned on its owner and expiry, so two
 * instances racing for it cannot both win (this holds on FerretDB too, which does
 * not make concurrent updates of one document atomic). A lease is an optimisation
 * against duplicate work, not a correctness guarantee: holders must still be idempotent.
 */
export interface LeaseStore {
  /** True when `owner` now holds `name` until `nowMs + ttlMs` (a holder may renew). */
  tryAcquire(name: string, owner: string, ttlMs: number, nowMs: number): Promise<boolean>;
  /** Gives the lease up if `owner` holds it. */
  release(name: string, owner: string): Promise<void>;
}

interface LeaseDoc {
  _id: string;
  owner: string;
  expiresAtMs: number;
}

/** MongoDB implementation (collection `leases`). */
export class MongoLeaseStore implements LeaseStore {
  private readonly coll: Collection<LeaseDoc>;

  constructor(db: Db) {
    this.coll = db.collection<LeaseDoc>("leases");
  }

  async tryAcquire(name: string, owner: string, ttlMs: number, nowMs: number): Promise<boolean> {
    const expiresAtMs = nowMs + ttlMs;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.coll.insertOne({ _id: name, owner, expiresAtMs });
        return true;
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
      const current = await this.coll.findOne({ _id: name });
      if (!current) continue;
      if (current.owner === owner) {
        await this.coll.updateOne({ _id: name, owner }, { $set: { expiresAtMs } });
        return true;
      }
      if (current.expiresAtMs > nowMs) return false;
      await this.coll.deleteOne({ _id: name, owner: current.owner, expiresAtMs: current.expiresAtMs });
    }
    return false;
  }

  async release(name: string, owner: string): Promise<void> {
    await this.coll.deleteOne({ _id: name, owner });
  }
}
