import {
  ApiError,
  decodePageToken,
  filterFingerprint,
  intProp,
  keysetPage,
  optionalTimeMs,
  ownedDomain,
  pageSize,
  strProp,
  toCertificateRecord,
  toSubdomain,
} from "@ctwatch/api";
import type { InventoryService } from "@ctwatch/proto";
import type { CertificateInventoryStore, SubdomainSearch } from "@ctwatch/store";
import type { MethodsOf, ServiceImpl } from "./bind-service.js";

/** A search text: up to 253 characters of what DNS names contain, lower-cased. */
function nameQuery(field: string, value: string): string | undefined {
  const v = value.trim().toLowerCase();
  if (v === "") return undefined;
  if (v.length > 253 || !/^[a-z0-9.*_-]+$/.test(v))
    throw ApiError.invalid(field, "must be up to 253 characters of a-z, 0-9, '.', '-', '_' and '*'");
  return v;
}

/** InventoryService: subdomains and certificates seen for the tenant's owned domains. */
export function inventoryHandlers(
  subdomains: SubdomainSearch,
  certificates: CertificateInventoryStore,
): ServiceImpl<MethodsOf<typeof InventoryService>> {
  return {
    async listSubdomains(req, ctx) {
      const filters = {
        domain: req.domain ? ownedDomain("domain", req.domain) : undefined,
        nameContains: nameQuery("query", req.query),
      };
      const size = pageSize(req.pageSize, 100, 1000);
      const fp = filterFingerprint(filters);
      const after = req.pageToken
        ? decodePageToken(req.pageToken, fp, (p) => {
            const t = intProp(p, "t");
            const n = strProp(p, "n");
            return t !== undefined && n !== undefined ? { firstSeenAtMs: t, name: n } : undefined;
          })
        : undefined;
      const recs = await subdomains.search({
        tenantId: ctx.auth.tenantId,
        ...(filters.domain ? { domain: filters.domain } : {}),
        ...(filters.nameContains ? { nameContains: filters.nameContains } : {}),
        ...(after ? { after } : {}),
        limit: size + 1,
        maxTimeMs: ctx.remainingMs() ?? 0,
      });
      const { page, nextPageToken } = keysetPage(recs, size, fp, (r) => ({ t: r.firstSeenAtMs, n: r.name }));
      return { subdomains: page.map(toSubdomain), nextPageToken };
    },

    async searchCertificates(req, ctx) {
      const filters = {
        domain: req.domain ? ownedDomain("domain", req.domain) : undefined,
        nameContains: nameQuery("query", req.query),
        validAtMs: optionalTimeMs("valid_at_ms", req.validAtMs),
      };
      const size = pageSize(req.pageSize, 100, 1000);
      const fp = filterFingerprint(filters);
      const after = req.pageToken
        ? decodePageToken(req.pageToken, fp, (p) => {
            const t = intProp(p, "t");
            const k = strProp(p, "k");
            return t !== undefined && k !== undefined ? { firstSeenAtMs: t, issuanceKey: k } : undefined;
          })
        : undefined;
      const recs = await certificates.search({
        tenantId: ctx.auth.tenantId,
        ...(filters.domain ? { domain: filters.domain } : {}),
        ...(filters.nameContains ? { nameContains: filters.nameContains } : {}),
        ...(filters.validAtMs !== undefined ? { validAtMs: filters.validAtMs } : {}),
        ...(after ? { after } : {}),
        limit: size + 1,
        maxTimeMs: ctx.remainingMs() ?? 0,
      });
      const { page, nextPageToken } = keysetPage(recs, size, fp, (r) => ({
        t: r.firstSeenAtMs,
        k: r.issuanceKey,
      }));
      return { certificates: page.map(toCertificateRecord), nextPageToken };
    },
  };
}
