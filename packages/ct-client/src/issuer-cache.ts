import { createHash } from "node:crypto";
import { LogHttpError } from "./http-fetcher.js";

/** Options of `IssuerCache`. */
export interface IssuerCacheOptions {
  /** Certificates kept (least recently used evicted); default 10 000 (a few MiB: CT has ~1,000 issuers). */
  maxEntries?: number;
  /** How long a fingerprint the log answered 404 for is not asked again, ms; default 10 min. */
  missingTtlMs?: number;
  /** Clock, ms (tests). */
  now?: () => number;
}

/** What `IssuerCache.ensure` could not provide. */
export interface IssuerShortfall {
  /** Fingerprints (hex) the log does not serve (404). */
  readonly missing: string[];
  /** Fingerprints (hex) whose served DER does not hash to them: not cached, reported. */
  readonly mismatched: string[];
}

const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

/**
 * Issuer certificates of static-ct-api logs, content-addressed by SHA-256 and therefore safe to share
 * between logs: a certificate enters the cache only when its DER hashes to the fingerprint it was
 * fetched for. `get` is synchronous so it can serve as `lookupIssuer` while parsing tiles; `ensure`
 * fetches what a batch needs beforehand, once per fingerprint even when asked concurrently.
 * Bounded: LRU over `maxEntries`; negative answers expire after `missingTtlMs`.
 */
export class IssuerCache {
  private readonly certs = new Map<string, Uint8Array>();
  private readonly missingUntil = new Map<string, number>();
  private readonly pending = new Map<string, Promise<"ok" | "missing" | "mismatch">>();
  private readonly maxEntries: number;
  private readonly missingTtlMs: number;
  private readonly now: () => number;

  constructor(opts: IssuerCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.missingTtlMs = opts.missingTtlMs ?? 600_000;
    this.now = opts.now ?? Date.now;
  }

  /** Certificates cached. */
  get size(): number {
    return this.certs.size;
  }

  /** The DER of the issuer whose SHA-256 is `sha256`, when cached (verified). */
  get(sha256: Uint8Array): Uint8Array | undefined {
    const key = toHex(sha256);
    const der = this.certs.get(key);
    if (der !== undefined) {
      this.certs.delete(key);
      this.certs.set(key, der);
    }
    return der;
  }

  /**
   * Makes sure every fingerprint in `fingerprints` is cached, fetching the others with `fetchIssuer`
   * (hex fingerprint -> DER) concurrently. Resolves with what could not be provided; rejects with the
   * first transport error other than 404 (the caller retries its round) or the abort reason.
   */
  async ensure(
    fingerprints: Iterable<Uint8Array>,
    fetchIssuer: (sha256Hex: string, signal?: AbortSignal) => Promise<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<IssuerShortfall> {
    const wanted = new Set<string>();
    for (const fp of fingerprints) wanted.add(toHex(fp));
    const now = this.now();
    const jobs: Array<Promise<[string, "ok" | "missing" | "mismatch"]>> = [];
    for (const hex of wanted) {
      if (this.certs.has(hex)) continue;
      const until = this.missingUntil.get(hex);
      if (until !== undefined && until > now) {
        jobs.push(Promise.resolve([hex, "missing"]));
        continue;
      }
      let job = this.pending.get(hex);
      if (!job) {
        job = this.fetchOne(hex, fetchIssuer, signal).finally(() => this.pending.delete(hex));
        this.pending.set(hex, job);
      }
      jobs.push(job.then((r) => [hex, r]));
    }
    const results = await Promise.all(jobs);
    return {
      missing: results.filter(([, r]) => r === "missing").map(([h]) => h),
      mismatched: results.filter(([, r]) => r === "mismatch").map(([h]) => h),
    };
  }

  private async fetchOne(
    hex: string,
    fetchIssuer: (sha256Hex: string, signal?: AbortSignal) => Promise<Uint8Array>,
    signal?: AbortSignal,
  ): Promise<"ok" | "missing" | "mismatch"> {
    let der: Uint8Array;
    try {
      der = await fetchIssuer(hex, signal);
    } catch (err) {
      if (err instanceof LogHttpError && err.kind === "not-found") {
        this.missingUntil.set(hex, this.now() + this.missingTtlMs);
        if (this.missingUntil.size > this.maxEntries) {
          const oldest = this.missingUntil.keys().next().value;
          if (oldest !== undefined) this.missingUntil.delete(oldest);
        }
        return "missing";
      }
      throw err;
    }
    if (createHash("sha256").update(der).digest("hex") !== hex) return "mismatch";
    this.missingUntil.delete(hex);
    this.certs.set(hex, new Uint8Array(der));
    if (this.certs.size > this.maxEntries) {
      const oldest = this.certs.keys().next().value;
      if (oldest !== undefined) this.certs.delete(oldest);
    }
    return "ok";
  }
}
