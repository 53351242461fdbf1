import { learningUntilMs, normaliseName, type OwnedDomainIndex } from "@ctwatch/detectors";
import type { InRecord } from "@ctwatch/kafka";
import type { CertificateEntry } from "@ctwatch/proto";
import type { DomainLearningStore } from "@ctwatch/store";

/** What the detector handlers read of a consumed record (they need nothing else, which keeps them easy to drive). */
export type EntryRecord = Pick<InRecord<CertificateEntry>, "value">;

/** The certificate names of one tenant's watched domain. */
export interface WatchedNames {
  tenantId: string;
  domain: string;
  /** Distinct names (apex and wildcards included), lower-case, certificate order. */
  names: string[];
}

/** Most names of one certificate looked at. */
const MAX_NAMES = 1000;

/**
 * Every (tenant, watched domain) a certificate has names at or under, with those
 * names: SAN dNSNames plus a DNS-like subject CN.
 */
export function watchedNamesOf(
  cert: { dnsNames: readonly string[]; subjectCn: string },
  index: OwnedDomainIndex,
): WatchedNames[] {
  const names = new Set<string>();
  for (const raw of cert.dnsNames) {
    if (names.size >= MAX_NAMES) break;
    const n = normaliseName(raw);
    if (n) names.add(n);
  }
  const cn = normaliseName(cert.subjectCn);
  if (cn?.includes(".") && !cn.includes(" ") && names.size < MAX_NAMES) names.add(cn);
  const out = new Map<string, WatchedNames>();
  for (const name of names) {
    for (const m of index.match(name)) {
      const k = `${m.tenantId}\u0000${m.domain}`;
      const w = out.get(k) ?? { tenantId: m.tenantId, domain: m.domain, names: [] };
      w.names.push(name);
      out.set(k, w);
    }
  }
  return [...out.values()];
}

/**
 * Quiet-learning state of watched domains: the service-wide window after a
 * domain was added (`windowMs`, 0 = off) and per-domain initial-sync periods
 * from the store, re-read at most every `refreshMs`.
 */
export class LearningState {
  private overrides = new Map<string, number>();
  private loadedAtMs = -Infinity;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly store: DomainLearningStore | undefined,
    private readonly windowMs: number,
    private readonly refreshMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True while the tenant's domain is learning quietly. Rejects when the store fails. */
  async isLearning(index: OwnedDomainIndex, tenantId: string, domain: string): Promise<boolean> {
    await this.refresh();
    const until = learningUntilMs({
      addedAtMs: index.addedAtMs(tenantId, domain),
      windowMs: this.windowMs,
      overrideUntilMs: this.overrides.get(`${tenantId}\u0000${domain}`) ?? 0,
    });
    return this.now() < until;
  }

  private async refresh(): Promise<void> {
    if (!this.store || this.now() - this.loadedAtMs < this.refreshMs) return;
    const store = this.store;
    this.loading ??= (async () => {
      const rows = await store.active(this.now());
      this.overrides = new Map(rows.map((r) => [`${r.tenantId}\u0000${r.domain}`, r.learningUntilMs]));
      this.loadedAtMs = this.now();
    })().finally(() => {
      this.loading = undefined;
    });
    await this.loading;
  }
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Lower-case hex of bytes. */
export function hex(b: Uint8Array | undefined): string {
  return b ? Buffer.from(b).toString("hex") : "";
}

/**
 * Operator pins of one kind (`watch_pins`: root CA owners for event 20, CAA issuer
 * domains for event 29) by tenant and owned domain, as the detectors consult them.
 */
export class PinIndex {
  private readonly byDomain = new Map<string, Set<string>>();

  constructor(pins: readonly { tenantId: string; domain: string; value: string }[]) {
    for (const p of pins) {
      const k = `${p.tenantId}\u0000${p.domain}`;
      const set = this.byDomain.get(k) ?? new Set<string>();
      set.add(p.value);
      this.byDomain.set(k, set);
    }
  }

  /** The pinned values of a tenant's owned domain (empty when none). */
  values(tenantId: string, domain: string): readonly string[] {
    return [...(this.byDomain.get(`${tenantId}\u0000${domain}`) ?? [])];
  }

  /** True when any of `candidates` is pinned for the tenant's domain. */
  hasAny(tenantId: string, domain: string, candidates: readonly string[]): boolean {
    const set = this.byDomain.get(`${tenantId}\u0000${domain}`);
    return set !== undefined && candidates.some((c) => set.has(c));
  }
}

/** No pins: what detectors use when no pin store is wired. */
export const NO_PINS = new PinIndex([]);
