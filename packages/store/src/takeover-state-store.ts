import type { Collection, Db } from "mongodb";

/** The last takeover check of one name of one tenant (event 18). */
export interface TakeoverState {
  tenantId: string;
  /** The watched domain the name is under. */
  domain: string;
  name: string;
  lastCheckedAtMs: number;
  /** "answer", "nodata", "nxdomain" or "failed". */
  outcome: string;
  /** The CNAME chain seen (name first). */
  chain: string[];
  /** True when the last check found a dangling Azure CNAME. */
  dangling: boolean;
}

/**
 * Per-name takeover check state: lets the detector skip names checked recently
 * (a precertificate and its certificate, renewals) and shows operators what was
 * seen. One document per (tenant, name), looked up by `_id`; last writer wins,
 * which is harmless for a "last checked" record.
 */
export interface TakeoverStateStore {
  /** States of these names (at most 1,000) for a tenant; absent names have none. */
  get(tenantId: string, names: readonly string[]): Promise<Map<string, TakeoverState>>;
  /** Stores the state of a check. */
  put(state: TakeoverState): Promise<void>;
}

interface StateDoc extends TakeoverState {
  _id: string;
}

function idOf(tenantId: string, name: string): string {
  return `${tenantId}\u0000${name}`;
}

/** MongoDB implementation (collection `takeover_state`). */
export class MongoTakeoverStateStore implements TakeoverStateStore {
  private readonly coll: Collection<StateDoc>;

  constructor(db: Db) {
    this.coll = db.collection<StateDoc>("takeover_state");
  }

  async init(): Promise<void> {
    await this.coll.createIndex({ tenantId: 1, dangling: 1 }, { name: "tenant_dangling" });
  }

  async get(tenantId: string, names: readonly string[]): Promise<Map<string, TakeoverState>> {
    if (names.length > 1000) throw new RangeError("get takes at most 1000 names");
    const out = new Map<string, TakeoverState>();
    if (names.length === 0) return out;
    const docs = await this.coll.find({ _id: { $in: names.map((n) => idOf(tenantId, n)) } }).toArray();
    for (const { _id, ...rest } of docs) out.set(rest.name, rest);
    return out;
  }

  async put(state: TakeoverState): Promise<void> {
    await this.coll.replaceOne({ _id: idOf(state.tenantId, state.name) }, { ...state }, { upsert: true });
  }
}
