import type { FetchLike } from "./http.js";
import type { Logger } from "./logger.js";

/** What adapters get from {@link createDestination}: injected I/O and clock. */
export interface AdapterDeps {
  readonly fetch: FetchLike;
  readonly logger: Logger;
  readonly now: () => number;
  readonly randomUUID: () => string;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}
