/** A domain a tenant owns and watches (lower-case A-labels, no trailing dot). */
export interface OwnedDomain {
  tenantId: string;
  domain: string;
  /** When the tenant started watching it, ms; 0 or absent when unknown. */
  addedAtMs?: number;
}

/** A name that falls under an owned domain. */
export interface OwnedMatch {
  tenantId: string;
  /** The watched domain the name is under. */
  domain: string;
}

/** Longest name considered, characters (RFC 1035 limit). Longer names match nothing. */
export const MAX_NAME_LENGTH = 253;
/** Most labels walked per name; bounds work on hostile input. */
export const MAX_LABELS = 127;

/**
 * Maps a DNS name to every (tenant, watched domain) it is at or under, by
 * looking up each of the name's suffixes in a hash map: O(labels) per name,
 * independent of how many domains are watched. Immutable; rebuild to change.
 */
export class OwnedDomainIndex {
  private readonly byDomain = new Map<string, OwnedMatch[]>();
  private readonly added = new Map<string, number>();

  constructor(domains: readonly OwnedDomain[]) {
    for (const d of domains) {
      const key = normaliseName(d.domain);
      if (!key) continue;
      const list = this.byDomain.get(key) ?? [];
      if (!list.some((m) => m.tenantId === d.tenantId)) list.push({ tenantId: d.tenantId, domain: key });
      this.byDomain.set(key, list);
      this.added.set(`${d.tenantId}\u0000${key}`, d.addedAtMs ?? 0);
    }
  }

  /** When the tenant started watching `domain`, ms; 0 when unknown or not watched. */
  addedAtMs(tenantId: string, domain: string): number {
    return this.added.get(`${tenantId}\u0000${domain}`) ?? 0;
  }

  /** Every (tenant, watched domain), in insertion order. */
  entries(): OwnedMatch[] {
    return [...this.byDomain.values()].flat();
  }

  /** Number of distinct watched domains. */
  get size(): number {
    return this.byDomain.size;
  }

  /** Every watched domain `name` equals or is under (a wildcard "*." prefix is ignored). */
  match(name: string): OwnedMatch[] {
    let n = normaliseName(name);
    if (!n) return [];
    if (n.startsWith("*.")) n = n.slice(2);
    const out: OwnedMatch[] = [];
    let i = 0;
    for (let labels = 0; labels < MAX_LABELS; labels++) {
      const hit = this.byDomain.get(i === 0 ? n : n.slice(i));
      if (hit) out.push(...hit);
      const dot = n.indexOf(".", i);
      if (dot < 0) break;
      i = dot + 1;
    }
    return out;
  }
}

/** Lower-cases and strips one trailing dot; "" for an empty or over-long name. */
export function normaliseName(name: string): string {
  let n = name.trim().toLowerCase();
  if (n.endsWith(".")) n = n.slice(0, -1);
  if (n.length === 0 || n.length > MAX_NAME_LENGTH) return "";
  return n;
}
