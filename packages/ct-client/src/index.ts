export { type FetchLimits, HttpFetcher, type HttpFetcherOptions, LogHttpError } from "./http-fetcher.js";
export { MAX_CHECKPOINT_BYTES, StaticCtClient, TILE_WIDTH } from "./static-ct-client.js";
