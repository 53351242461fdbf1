import type { LookalikeMatch } from "./lookalike-match.js";

/**
 * The alert dedup key of a lookalike: `lookalike|<registrable domain>`. The alert store
 * keeps one alert per (tenant, dedup key), so this gives "one alert per (tenant, lookalike
 * registrable domain)" whatever subdomain, brand, technique or event (12 or 13) a later
 * certificate shows; later certificates add evidence to that alert. The key holds no
 * tenant: the tenant is the alert's own field and part of the alert ID and Kafka key.
 */
export function lookalikeDedupKey(match: Pick<LookalikeMatch, "registrableDomain">): string {
  return `lookalike|${match.registrableDomain}`;
}
