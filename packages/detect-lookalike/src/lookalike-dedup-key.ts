import type { LookalikeMatch } from "./lookalike-match.js";

/**
 * Key for "one alert per (tenant, lookalike registrable domain)": matches with the same
 * key are the same alert, whatever subdomain, brand or technique. The caller keeps the
 * seen-set (and its expiry); this function only defines identity. The NUL separator
 * cannot occur in a DNS name, so distinct pairs never collide.
 */
export function lookalikeDedupKey(match: Pick<LookalikeMatch, "tenantId" | "registrableDomain">): string {
  return `${match.tenantId}\u0000${match.registrableDomain}`;
}
