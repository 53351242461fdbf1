import type { Technique } from "./technique.js";

/** Event 12, "A similar domain has been found." (same ID as `EventId.SimilarDomain` in @ctwatch/events). */
export const EVENT_SIMILAR_DOMAIN = 12;
/**
 * Event 13, "A similar domain with different Top Level Domain was found." (same ID as
 * `EventId.SimilarDomainDifferentTld` in @ctwatch/events): the brand's exact label
 * under another public suffix, e.g. `yourcompany.co` for `yourcompany.com`.
 */
export const EVENT_SIMILAR_DOMAIN_DIFFERENT_TLD = 13;

/** The two event IDs this detector raises. */
export type LookalikeEventId = typeof EVENT_SIMILAR_DOMAIN | typeof EVENT_SIMILAR_DOMAIN_DIFFERENT_TLD;

/** One detection: a name that imitates one tenant's watched brand(s), with its explanation. One per tenant. */
export interface LookalikeMatch {
  readonly tenantId: string;
  /** The watched brand domain (ASCII) imitated best, e.g. `paypal.com`. */
  readonly brand: string;
  /** Other watched domains of the same tenant that the name also imitates (`paypal.de`, ...). */
  readonly otherBrands: readonly string[];
  /** 13 when the only technique is `tld-swap`, else 12. */
  readonly eventId: LookalikeEventId;
  /** Every technique found, most specific first. */
  readonly techniques: readonly Technique[];
  /** The name that matched, normalised: ASCII, lowercase, wildcard label stripped. */
  readonly name: string;
  /** The same name in Unicode form (differs for IDNs). */
  readonly unicodeName: string;
  /** Whether the certificate name was a wildcard (`*.`). */
  readonly wildcard: boolean;
  /** Registrable domain of the name (ASCII); the unit of deduplication. */
  readonly registrableDomain: string;
  /** Public suffix of the name (ICANN or private PSL section). */
  readonly publicSuffix: string;
  /** The part of the name that imitates the brand label (label, token or joined labels), Unicode. */
  readonly imitation: string;
  /** Visual skeleton of `imitation`. */
  readonly skeleton: string;
  /** Visual skeleton of the brand label. */
  readonly brandSkeleton: string;
  /** Levenshtein distance between `imitation` and the brand label (Unicode forms). */
  readonly editDistance: number;
  /** Confidence in [0, 1]; a heuristic from the techniques and the brand label length. */
  readonly score: number;
  /** One-line explanation for the analyst. */
  readonly reason: string;
}
