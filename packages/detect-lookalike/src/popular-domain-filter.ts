import { Buffer } from "node:buffer";
import { POPULAR_DOMAINS_FILTER } from "./popular-domains.js";

let bits: Uint8Array | undefined;

// Must match scripts/gen-popular-domains.mjs: FNV-1a over UTF-16 code units, seeded, with a
// murmur3 finaliser.
function fnv1a(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Whether `registrableDomain` (ASCII, lowercase) is among the popular sites of
 * {@link POPULAR_DOMAINS_FILTER} (the registrable domains of the Chrome UX Report top-1M
 * origins). A Bloom filter: "false" is certain, "true" is wrong for about 1 in 1,000 other
 * domains. The 1.3 MiB filter is decoded on first use.
 */
export function isPopularDomain(registrableDomain: string): boolean {
  bits ??= new Uint8Array(Buffer.from(POPULAR_DOMAINS_FILTER.base64, "base64"));
  const m = POPULAR_DOMAINS_FILTER.bits;
  const h1 = fnv1a(registrableDomain, 0x811c9dc5);
  const h2 = fnv1a(registrableDomain, 0x9747b28c) | 1;
  for (let i = 0; i < POPULAR_DOMAINS_FILTER.hashes; i++) {
    const b = ((h1 + Math.imul(i, h2)) >>> 0) % m;
    if (((bits[b >>> 3] as number) & (1 << (b & 7))) === 0) return false;
  }
  return true;
}

/** Where the popular-domain list comes from and how many domains it holds. */
export const POPULAR_DOMAINS_SOURCE: { readonly source: string; readonly count: number } = {
  source: POPULAR_DOMAINS_FILTER.source,
  count: POPULAR_DOMAINS_FILTER.count,
};
