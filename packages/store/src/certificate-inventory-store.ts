import type { Collection, Db, Filter } from "mongodb";
import { isDuplicateKeyError } from "./connect.js";

/** Most DNS names kept per certificate (more are dropped from the record, not from detection). */
export const MAX_INVENTORY_DNS_NAMES = 1000;

/**
 * One certificate issuance seen for a tenant's owned domains. Keyed by the
 * issuance key, so a precertificate and its final certificate are one record
 * (the first sighting's fields are kept).
 */
export interface CertificateSighting {
  tenantId: string;
  /** Issuance key (SHA-256 of the TBS without poison and SCT list), hex. */
  issuanceKey: string;
  /** SHA-256 of the first sighting's certificate or precertificate, hex. */
  certSha256: string;
  precertificate: boolean;
  /** SAN DNS names, lower case, at most {@link MAX_INVENTORY_DNS_NAMES}. */
  dnsNames: string[];
  /** The tenant's owned domains the names fall under. */
  domains: string[];
  subjectCn: string;
  issuerDn: string;
  serialHex: string;
  notBeforeMs: number;
  notAfterMs: number;
  /** Log of the first sighting: log ID (base64), leaf index (decimal), SCT time (ms). */
  logId: string;
  leafIndex: string;
  loggedAtMs: number;
  /** When ctwatch first saw it for this tenant, ms. */
  firstSeenAtMs: number;
}

/** Filter of {@link CertificateInventoryStore.search}; fields are ANDed. */
export interface CertificateSearch {
  tenantId: string;
  /** Certificates under this owned domain. */
  domain?: string;
  /** A DNS name contains this text (matched literally, lower case). */
  nameContains?: string;
  /** Valid at this time (notBefore ≤ t < notAfter), ms. */
  validAtMs?: number;
  /** Continue after this record of the previous page. */
  after?: { firstSeenAtMs: number; issuanceKey: string };
  /** 1-1000. */
  limit: number;
  maxTimeMs?: number;
}

/**
 * The per-tenant certificate inventory (collection `tenant_certificates`): the
 * detectors record each issuance that matches a tenant's owned domains, the
 * API searches it. Recording is an insert on a unique `_id`, hence idempotent
 * and safe across partitions and replays.
 */
export interface CertificateInventoryStore {
  /** Records the sighting unless the tenant already has the issuance; true when this call added it. */
  record(rec: CertificateSighting): Promise<boolean>;
  /** Newest first (first seen, then issuance key descending): stable for paging. */
  search(q: CertificateSearch): Promise<CertificateSighting[]>;
}

interface SightingDoc extends CertificateSighting {
  _id: string;
}

/** Escapes text for a literal match inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** MongoDB implementation of {@link CertificateInventoryStore}. */
export class MongoCertificateInventoryStore implements CertificateInventoryStore {
  private readonly coll: Collection<SightingDoc>;

  constructor(db: Db) {
    this.coll = db.collection<SightingDoc>("tenant_certificates");
  }

  /** Creates indexes (idempotent). */
  async init(): Promise<void> {
    await this.coll.createIndex({ tenantId: 1, firstSeenAtMs: -1, issuanceKey: -1 }, { name: "tenant_time" });
    await this.coll.createIndex({ tenantId: 1, domains: 1 }, { name: "tenant_domains" });
  }

  async record(rec: CertificateSighting): Promise<boolean> {
    const doc: SightingDoc = {
      _id: `${rec.tenantId}/${rec.issuanceKey}`,
      ...rec,
      dnsNames: rec.dnsNames.slice(0, MAX_INVENTORY_DNS_NAMES),
    };
    try {
      await this.coll.insertOne(doc);
      return true;
    } catch (err) {
      if (isDuplicateKeyError(err)) return false;
      throw err;
    }
  }

  async search(q: CertificateSearch): Promise<CertificateSighting[]> {
    const and: Filter<SightingDoc>[] = [{ tenantId: q.tenantId }];
    if (q.domain) and.push({ domains: q.domain });
    if (q.nameContains) and.push({ dnsNames: { $regex: escapeRegExp(q.nameContains.toLowerCase()) } });
    if (q.validAtMs !== undefined)
      and.push({ notBeforeMs: { $lte: q.validAtMs }, notAfterMs: { $gt: q.validAtMs } });
    if (q.after) {
      and.push({
        $or: [
          { firstSeenAtMs: { $lt: q.after.firstSeenAtMs } },
          { firstSeenAtMs: q.after.firstSeenAtMs, issuanceKey: { $lt: q.after.issuanceKey } },
        ],
      });
    }
    const docs = await this.coll
      .find({ $and: and }, { projection: { _id: 0 } })
      .sort({ firstSeenAtMs: -1, issuanceKey: -1 })
      .limit(Math.min(Math.max(Math.trunc(q.limit), 1), 1000))
      .maxTimeMS(q.maxTimeMs ?? 0)
      .toArray();
    return docs;
  }
}
