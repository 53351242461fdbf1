export { areKeyboardNeighbours, classifyEdit } from "./classify-edit.js";
export { CONFUSABLE_PROTOTYPES, CONFUSABLES_SOURCE } from "./confusable-prototypes.js";
export { lookalikeDedupKey } from "./lookalike-dedup-key.js";
export {
  buildLookalikeIndex,
  type LookalikeBuildOptions,
  type LookalikeBuildProgress,
  type LookalikeIndex,
  type LookalikeIndexOptions,
  lookalikeIndexBuildSteps,
  type WatchedBrandInput,
} from "./lookalike-index.js";
export {
  EVENT_SIMILAR_DOMAIN,
  EVENT_SIMILAR_DOMAIN_DIFFERENT_TLD,
  type LookalikeEventId,
  type LookalikeMatch,
} from "./lookalike-match.js";
export { LOOKALIKE_PRESETS } from "./lookalike-presets.js";
export {
  type NameRejectReason,
  type NormalizedName,
  type NormalizeResult,
  normalizeName,
} from "./normalize-name.js";
export {
  type ParseWatchedDomainResult,
  parseWatchedDomain,
  type WatchedDomain,
  type WatchlistRejectReason,
} from "./parse-watched-domain.js";
export { PHISHING_KEYWORDS, STRONG_PHISHING_KEYWORDS } from "./phishing-keywords.js";
export { isPopularDomain, POPULAR_DOMAINS_SOURCE } from "./popular-domain-filter.js";
export { looseSkeleton, skeleton } from "./skeleton.js";
export type { Technique } from "./technique.js";
export { WatchlistError, type WatchlistIssue } from "./watchlist-error.js";
