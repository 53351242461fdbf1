import type { Collection, Db } from "mongodb";
import { isDuplicateKeyError } from "./connect.js";

/**
 * One delivery incident of a destination (it failed past the retry budget or its
 * breaker opened) and which emails about it were sent. The shape is what
 * @ctwatch/notify's `IncidentLedger` works with.
 */
export interface StoredIncident {
  /** `<destinationId>#<seq>`. */
  id: string;
  seq: number;
  tenantId: string;
  destinationId: string;
  destinationKind: string;
  openedAtMs: number;
  code: string;
  reason: string;
  message: string;
  hint: string;
  notifyNotBeforeMs: number;
  previousEmailAtMs?: number;
  recoveredAtMs?: number;
  openNotifiedAtMs?: number;
  recoveryNotifiedAtMs?: number;
}

type IncidentDoc = Omit<StoredIncident, "id"> & { _id: string };

const FIELD = { open: "openNotifiedAtMs", recovery: "recoveryNotifiedAtMs" } as const;

function fromDoc({ _id, ...rest }: IncidentDoc): StoredIncident {
  return { id: _id, ...rest };
}

/**
 * MongoDB implementation of the incident ledger (collection `delivery_incidents`).
 * Opening is a unique insert of `<destinationId>#<seq>`: instances that see the same
 * failure open one incident. Recovery and email claims are conditional updates
 * (atomic on MongoDB; on FerretDB 1.x two instances racing on one incident could
 * both claim, i.e. a duplicate email, never a lost one).
 */
export class MongoIncidentStore {
  private readonly coll: Collection<IncidentDoc>;

  constructor(db: Db) {
    this.coll = db.collection<IncidentDoc>("delivery_incidents");
  }

  async init(): Promise<void> {
    await this.coll.createIndex({ destinationId: 1, seq: -1 }, { name: "destination_seq" });
  }

  async latest(destinationId: string): Promise<StoredIncident | undefined> {
    const doc = await this.coll.find({ destinationId }).sort({ seq: -1 }).limit(1).next();
    return doc ? fromDoc(doc) : undefined;
  }

  /** Incidents of a tenant, newest first (at most `limit`, default 100). */
  async list(tenantId: string, limit = 100): Promise<StoredIncident[]> {
    const docs = await this.coll
      .find({ tenantId })
      .sort({ openedAtMs: -1 })
      .limit(Math.min(Math.max(limit, 1), 1000))
      .toArray();
    return docs.map(fromDoc);
  }

  async open(
    incident: Omit<StoredIncident, "recoveredAtMs" | "openNotifiedAtMs" | "recoveryNotifiedAtMs">,
  ): Promise<boolean> {
    const { id, ...rest } = incident;
    try {
      await this.coll.insertOne({ _id: id, ...rest });
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async recover(incidentId: string, atMs: number): Promise<boolean> {
    const res = await this.coll.updateOne(
      { _id: incidentId, recoveredAtMs: { $exists: false } },
      { $set: { recoveredAtMs: atMs } },
    );
    return res.modifiedCount === 1;
  }

  async claimNotification(incidentId: string, which: "open" | "recovery", atMs: number): Promise<boolean> {
    const field = FIELD[which];
    const res = await this.coll.updateOne(
      { _id: incidentId, [field]: { $exists: false } },
      { $set: { [field]: atMs } },
    );
    return res.modifiedCount === 1;
  }

  async releaseNotification(incidentId: string, which: "open" | "recovery"): Promise<void> {
    await this.coll.updateOne({ _id: incidentId }, { $unset: { [FIELD[which]]: "" } });
  }

  async pendingNotifications(nowMs: number, limit: number): Promise<StoredIncident[]> {
    const n = Math.min(Math.max(limit, 1), 1000);
    const opening = await this.coll
      .find({
        recoveredAtMs: { $exists: false },
        openNotifiedAtMs: { $exists: false },
        notifyNotBeforeMs: { $lte: nowMs },
      })
      .limit(n)
      .toArray();
    const recovering = await this.coll
      .find({
        recoveredAtMs: { $exists: true },
        openNotifiedAtMs: { $exists: true },
        recoveryNotifiedAtMs: { $exists: false },
      })
      .limit(n)
      .toArray();
    return [...opening, ...recovering].slice(0, n).map(fromDoc);
  }
}
