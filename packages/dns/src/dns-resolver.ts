import { type Counter, type Metrics, retry, sleep } from "@ctwatch/runtime";
import {
  type DnsMessage,
  type DnsRecord,
  type DnsServer,
  type DnsTransport,
  DnsTransportError,
  type QueryType,
  UdpTcpTransport,
} from "./dns-transport.js";

/**
 * How a lookup ended. "answer", "nodata" and "nxdomain" are facts about the
 * name; the others are failures: they say nothing about the name, and callers
 * must never turn them into a finding.
 */
export type LookupOutcome = "answer" | "nodata" | "nxdomain" | "servfail" | "refused" | "timeout" | "error";

/** The result of {@link DnsResolver.lookup}. */
export interface LookupResult {
  name: string;
  type: QueryType;
  outcome: LookupOutcome;
  /** The queried name, then every CNAME target followed, in order (lower-case, no trailing dot). */
  chain: string[];
  /** Records of `type` owned by the last name of `chain` (empty unless outcome is "answer"). */
  records: DnsRecord[];
  /** Why a failure happened, for logs. */
  detail?: string;
}

/** True for outcomes that say nothing about the name (SERVFAIL, REFUSED, timeout, error). */
export function isLookupFailure(outcome: LookupOutcome): boolean {
  return outcome !== "answer" && outcome !== "nodata" && outcome !== "nxdomain";
}

/** Options of {@link DnsResolver}. */
export interface DnsResolverOptions {
  /** Servers asked in turn (a retry goes to the next one). At least one. */
  servers: readonly DnsServer[];
  /** Per-query timeout, ms; default 2,000. */
  timeoutMs?: number;
  /** Tries per question across servers (timeouts, network errors; SERVFAIL/REFUSED only with another server); default 3. */
  attempts?: number;
  /** Queries sent per second at most (cache hits are free); default 50. */
  queriesPerSecond?: number;
  /** Queries in flight at most; default 16. */
  maxInFlight?: number;
  /** Questions waiting for the rate limit at most; beyond it a lookup fails at once ("error"). Default 10,000. */
  maxQueued?: number;
  /** Cached answers at most (oldest evicted first); default 50,000. */
  cacheEntries?: number;
  /** Upper bound of a positive TTL, ms; default 3,600,000. */
  maxTtlMs?: number;
  /** Upper bound of a negative (NXDOMAIN/NODATA) TTL, ms; default 300,000. */
  maxNegativeTtlMs?: number;
  /** How long a failure is cached (so a broken zone is not hammered), ms; default 5,000. */
  failureTtlMs?: number;
  /** CNAMEs followed at most; default 8. */
  maxCnameHops?: number;
  transport?: DnsTransport;
  metrics?: Metrics;
  now?: () => number;
}

interface Hop {
  outcome: Exclude<LookupOutcome, "answer" | "nodata"> | "noerror";
  answers: DnsRecord[];
  expiresAtMs: number;
  detail?: string;
}

class QueueFullError extends Error {}

/**
 * A caching stub resolver over UDP/TCP. It follows CNAME chains itself (so it
 * works against authoritative servers as well as recursive resolvers, and so the
 * chain is visible to callers), keeps answers for their TTL (bounded), sends at
 * most `queriesPerSecond` queries with at most `maxInFlight` outstanding, and
 * reports SERVFAIL, REFUSED and timeouts as failures rather than as answers.
 */
export class DnsResolver {
  private readonly servers: readonly DnsServer[];
  private readonly transport: DnsTransport;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly intervalMs: number;
  private readonly burstMs: number;
  private readonly maxInFlight: number;
  private readonly maxQueued: number;
  private readonly cacheEntries: number;
  private readonly maxTtlMs: number;
  private readonly maxNegativeTtlMs: number;
  private readonly failureTtlMs: number;
  private readonly maxCnameHops: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, Hop>();
  private readonly inFlight = new Map<string, Promise<Hop>>();
  private readonly queries: Counter | undefined;
  private readonly cacheHits: Counter | undefined;
  private tat = 0;
  private queued = 0;
  private active = 0;
  private readonly slots: (() => void)[] = [];
  private serverIndex = 0;

  constructor(opts: DnsResolverOptions) {
    if (opts.servers.length === 0) throw new RangeError("DnsResolver needs at least one server");
    this.servers = opts.servers;
    this.transport = opts.transport ?? new UdpTcpTransport();
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.attempts = Math.max(1, opts.attempts ?? 3);
    const qps = Math.max(0.001, opts.queriesPerSecond ?? 50);
    this.intervalMs = 1000 / qps;
    this.burstMs = this.intervalMs * Math.max(0, Math.ceil(qps) - 1);
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 16);
    this.maxQueued = opts.maxQueued ?? 10_000;
    this.cacheEntries = opts.cacheEntries ?? 50_000;
    this.maxTtlMs = opts.maxTtlMs ?? 3_600_000;
    this.maxNegativeTtlMs = opts.maxNegativeTtlMs ?? 300_000;
    this.failureTtlMs = opts.failureTtlMs ?? 5000;
    this.maxCnameHops = opts.maxCnameHops ?? 8;
    this.now = opts.now ?? Date.now;
    this.queries = opts.metrics?.counter(
      "ctwatch_dns_queries_total",
      "DNS queries sent, by type and outcome",
    );
    this.cacheHits = opts.metrics?.counter(
      "ctwatch_dns_cache_total",
      "DNS questions answered, by cache result",
    );
  }

  /**
   * Looks `name` up, following CNAMEs (unless `type` is CNAME). NXDOMAIN at the
   * end of a chain is reported for the chain's last name. Never rejects: every
   * problem is an outcome.
   */
  async lookup(name: string, type: QueryType): Promise<LookupResult> {
    const start = normaliseName(name);
    const chain = [start];
    let current = start;
    for (let hop = 0; hop <= this.maxCnameHops; hop++) {
      const r = await this.question(current, type);
      if (r.outcome !== "noerror" && r.outcome !== "nxdomain") {
        return { name: start, type, outcome: r.outcome, chain, records: [], detail: r.detail ?? r.outcome };
      }
      let target = current;
      if (type !== "CNAME") {
        for (;;) {
          const cname = r.answers.find((a) => a.type === "CNAME" && a.name === target);
          if (cname?.type !== "CNAME") break;
          if (chain.includes(cname.target)) {
            return {
              name: start,
              type,
              outcome: "error",
              chain,
              records: [],
              detail: `CNAME loop at ${cname.target}`,
            };
          }
          if (chain.length > this.maxCnameHops) {
            return { name: start, type, outcome: "error", chain, records: [], detail: "too many CNAMEs" };
          }
          chain.push(cname.target);
          target = cname.target;
        }
      }
      const records = r.answers.filter((a) => a.type === type && a.name === target);
      if (records.length > 0) return { name: start, type, outcome: "answer", chain, records };
      if (r.outcome === "nxdomain") return { name: start, type, outcome: "nxdomain", chain, records: [] };
      if (target === current) return { name: start, type, outcome: "nodata", chain, records: [] };
      // The server gave the CNAME but not the target's data (an authoritative
      // server for another zone): ask for the target.
      current = target;
    }
    return { name: start, type, outcome: "error", chain, records: [], detail: "too many CNAMEs" };
  }

  /** Drops every cached answer (tests, operator reload). */
  clearCache(): void {
    this.cache.clear();
  }

  private async question(name: string, type: QueryType): Promise<Hop> {
    const key = `${type} ${name}`;
    const cached = this.cache.get(key);
    if (cached && cached.expiresAtMs > this.now()) {
      this.cacheHits?.inc({ result: "hit" });
      return cached;
    }
    if (cached) this.cache.delete(key);
    const pending = this.inFlight.get(key);
    if (pending) {
      this.cacheHits?.inc({ result: "shared" });
      return pending;
    }
    this.cacheHits?.inc({ result: "miss" });
    const p = this.ask(name, type)
      .then((hop) => {
        this.store(key, hop);
        return hop;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  private store(key: string, hop: Hop): void {
    if (hop.expiresAtMs <= this.now()) return;
    if (this.cache.size >= this.cacheEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, hop);
  }

  private async ask(name: string, type: QueryType): Promise<Hop> {
    try {
      await this.rateLimit();
    } catch (err) {
      if (err instanceof QueueFullError) {
        return { outcome: "error", answers: [], expiresAtMs: 0, detail: "DNS rate-limit queue is full" };
      }
      throw err;
    }
    await this.acquireSlot();
    try {
      const msg = await retry(
        (attempt) => {
          const server = this.servers[(this.serverIndex + attempt - 1) % this.servers.length] as DnsServer;
          return this.transport.exchange(server, name, type, this.timeoutMs).then((m) => {
            // SERVFAIL/REFUSED may be one server's problem: let another one answer.
            if (
              (m.rcode === "SERVFAIL" || m.rcode === "REFUSED") &&
              this.servers.length > 1 &&
              attempt < this.attempts
            ) {
              throw new RcodeRetry(m);
            }
            return m;
          });
        },
        { maxAttempts: this.attempts, baseDelayMs: 50, maxDelayMs: 500, classify: () => ({ retry: true }) },
      ).catch((err: unknown) => {
        if (err instanceof RcodeRetry) return err.response;
        throw err;
      });
      this.serverIndex = (this.serverIndex + 1) % this.servers.length;
      const hop = this.toHop(msg);
      this.queries?.inc({ type, outcome: hop.outcome });
      return hop;
    } catch (err) {
      const kind = err instanceof DnsTransportError ? err.kind : "error";
      const outcome = kind === "timeout" ? "timeout" : "error";
      this.queries?.inc({ type, outcome });
      return {
        outcome,
        answers: [],
        expiresAtMs: this.now() + this.failureTtlMs,
        detail: err instanceof Error ? err.message : String(err),
      };
    } finally {
      this.releaseSlot();
    }
  }

  private toHop(m: DnsMessage): Hop {
    const now = this.now();
    switch (m.rcode) {
      case "NOERROR": {
        if (m.answers.length === 0)
          return { outcome: "noerror", answers: [], expiresAtMs: now + this.negativeTtl(m) };
        const ttl = Math.min(...m.answers.map((a) => a.ttl)) * 1000;
        return { outcome: "noerror", answers: m.answers, expiresAtMs: now + Math.min(ttl, this.maxTtlMs) };
      }
      case "NXDOMAIN":
        return { outcome: "nxdomain", answers: m.answers, expiresAtMs: now + this.negativeTtl(m) };
      case "SERVFAIL":
        return { outcome: "servfail", answers: [], expiresAtMs: now + this.failureTtlMs, detail: "SERVFAIL" };
      case "REFUSED":
        return { outcome: "refused", answers: [], expiresAtMs: now + this.failureTtlMs, detail: "REFUSED" };
      default:
        return {
          outcome: "error",
          answers: [],
          expiresAtMs: now + this.failureTtlMs,
          detail: `rcode ${m.rcode}`,
        };
    }
  }

  /** RFC 2308: the SOA's TTL bounded by its MINIMUM, capped; 0 without SOA. */
  private negativeTtl(m: DnsMessage): number {
    const soa = m.authorities.find((a) => a.type === "SOA");
    if (soa?.type !== "SOA") return 0;
    return Math.min(Math.min(soa.ttl, soa.minimum) * 1000, this.maxNegativeTtlMs);
  }

  /** GCRA: at most one query per interval on average, bursts up to `queriesPerSecond`. */
  private async rateLimit(): Promise<void> {
    if (this.queued >= this.maxQueued) throw new QueueFullError();
    const now = this.now();
    this.tat = Math.max(this.tat, now);
    const waitMs = this.tat - this.burstMs - now;
    this.tat += this.intervalMs;
    if (waitMs <= 0) return;
    this.queued++;
    try {
      await sleep(waitMs);
    } finally {
      this.queued--;
    }
  }

  private acquireSlot(): Promise<void> {
    if (this.active < this.maxInFlight) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.slots.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.slots.shift();
    if (next) next();
    else this.active--;
  }
}

class RcodeRetry extends Error {
  constructor(readonly response: DnsMessage) {
    super(`rcode ${response.rcode}`);
  }
}

/** Lower-case, no trailing dot. */
export function normaliseName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}
