/**
 * @ctwatch/api: the pure core of the gRPC API. No I/O: the server
 * (services/query-api) feeds it requests, principals and store records.
 *
 *   metadata ==> bearerSecret ==> Principal ==> authorize(METHOD_POLICIES) ==> rate limit
 *            ==> validate request ==> stores ==> to*Record ==> response
 */
export { fromApiAlertState, toAlertRecord, toApiAlertState, toApiStateChange } from "./alert-record.js";
export { ApiError, type ApiErrorCode, isApiError } from "./api-error.js";
export {
  bearerSecret,
  hashTokenSecret,
  looksLikeTenantToken,
  MAX_AUTHORIZATION_LENGTH,
  newTokenId,
  newTokenSecret,
  OperatorCredential,
  type RandomBytes,
  TOKEN_SECRET_BYTES,
  TOKEN_SECRET_PREFIX,
} from "./api-token.js";
export { toCertificateRecord, toSubdomain } from "./inventory-messages.js";
export {
  API_SERVICES,
  type Authorization,
  authorize,
  METHOD_POLICIES,
  type MethodPolicy,
  methodKey,
  policyFor,
} from "./method-policy.js";
export {
  decodePageToken,
  encodePageToken,
  filterFingerprint,
  intProp,
  keysetPage,
  MAX_PAGE_TOKEN_LENGTH,
  strProp,
} from "./page-token.js";
export { actorOf, hasScope, type Principal, quotaKeyOf, SCOPES } from "./principal.js";
export { fromApiScope, rateLimit, toApiScope, toApiToken, toTenant } from "./tenant-messages.js";
export { type Rate, type TakeResult, TokenBucketLimiter } from "./token-bucket-limiter.js";
export {
  alertId,
  allowedName,
  brandDomain,
  caaIssuerDomain,
  caOwnerName,
  destinationName,
  email,
  eventId,
  list,
  optionalTimeMs,
  ownedDomain,
  pageSize,
  required,
  tenantId,
  text,
  tokenId,
} from "./validate.js";
export { MAX_REMEMBERED_IDS, type StoredMark, WatchPosition } from "./watch-position.js";
export {
  fromApiWatchKind,
  type ParsedWatchEntry,
  parseWatchlistEntry,
  toApiWatchKind,
  toWatchlistEntry,
} from "./watchlist-entry.js";
