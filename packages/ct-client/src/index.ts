/**
 * @ctwatch/ct-client: HTTP clients for CT logs (RFC 6962 and static-ct-api) and CT log lists.
 * Bounded, rate-limited (adaptive on 429/503), retrying; verification lives in @ctwatch/ct.
 */
export {
  type FetchLimits,
  HttpFetcher,
  type HttpFetcherOptions,
  LogHttpError,
  spanSafeUrl,
} from "./http-fetcher.js";
export { IssuerCache, type IssuerCacheOptions, type IssuerShortfall } from "./issuer-cache.js";
export {
  APPLE_LOG_LIST_URL,
  CHROME_LOG_LIST_SIGNATURE_URL,
  CHROME_LOG_LIST_URL,
  GOOGLE_LOG_LIST_PUBLIC_KEY,
  LOG_STATES,
  type LogApi,
  type LogList,
  type LogListEntry,
  LogListError,
  type LogListSource,
  type LogSelection,
  type LogState,
  loadLogList,
  MAX_LOG_LIST_BYTES,
  parseLogList,
  selectLogs,
  verifyLogListSignature,
} from "./log-list.js";
export { type ProofByHash, type RawLogEntry, Rfc6962Client } from "./rfc6962-client.js";
export {
  type FetchedDataTile,
  MAX_CHECKPOINT_BYTES,
  StaticCtClient,
  TILE_WIDTH,
} from "./static-ct-client.js";
