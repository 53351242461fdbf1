import type { WatchedBrandInput } from "@ctwatch/detect-lookalike";
import type { WatchItemRecord } from "@ctwatch/store";

/** The watch list as the lookalike index takes it. */
export interface LookalikeInputs {
  /** One input per brand item; a tenant's owned and allowlisted names ride on its first brand. */
  inputs: WatchedBrandInput[];
  /** Brand items left out because there were more than `maxBrands`. */
  droppedBrands: number;
}

function byTenant(items: readonly WatchItemRecord[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of items) {
    const list = out.get(i.tenantId);
    if (list) list.push(i.value);
    else out.set(i.tenantId, [i.value]);
  }
  return out;
}

/**
 * Turns stored watch items into index inputs: every `brand` item is a watched brand; the
 * same tenant's `owned-domain` items become its `ownedDomains` and its `allow` items its
 * `allowlist` (the index merges both per tenant, so they are attached once). Tenants without
 * brands are not lookalike tenants. Brands are ordered by (tenant, value), so that which ones
 * are kept under `maxBrands` does not depend on the store's order; the rest are counted in
 * `droppedBrands`. Values are not validated here: the index build reports invalid ones.
 */
export function lookalikeInputs(
  brands: readonly WatchItemRecord[],
  owned: readonly WatchItemRecord[],
  allowed: readonly WatchItemRecord[],
  maxBrands: number,
): LookalikeInputs {
  const sorted = [...brands].sort((a, b) =>
    a.tenantId !== b.tenantId
      ? a.tenantId < b.tenantId
        ? -1
        : 1
      : a.value < b.value
        ? -1
        : a.value > b.value
          ? 1
          : 0,
  );
  const kept = sorted.slice(0, Math.max(0, maxBrands));
  const ownedBy = byTenant(owned);
  const allowedBy = byTenant(allowed);
  const attached = new Set<string>();
  const inputs = kept.map((b): WatchedBrandInput => {
    if (attached.has(b.tenantId)) return { tenantId: b.tenantId, domain: b.value };
    attached.add(b.tenantId);
    return {
      tenantId: b.tenantId,
      domain: b.value,
      ownedDomains: ownedBy.get(b.tenantId) ?? [],
      allowlist: allowedBy.get(b.tenantId) ?? [],
    };
  });
  return { inputs, droppedBrands: sorted.length - kept.length };
}
