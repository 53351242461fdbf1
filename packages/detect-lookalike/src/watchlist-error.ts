import type { WatchlistRejectReason } from "./parse-watched-domain.js";

/** One refused watchlist entry (or one of its owned/allowlisted names). */
export interface WatchlistIssue {
  /** Position of the entry in the array given to `buildLookalikeIndex`. */
  readonly index: number;
  readonly tenantId: string;
  /** Which field holds the bad value. */
  readonly field: "tenantId" | "domain" | "ownedDomains" | "allowlist";
  readonly value: string;
  readonly reason: WatchlistRejectReason | "missing-tenant";
  /** Human-readable explanation, e.g. "the domain is a public suffix (...)". */
  readonly message: string;
}

/** Thrown by `buildLookalikeIndex` when any watchlist entry is invalid; lists every problem. */
export class WatchlistError extends Error {
  /** Every refused value, in input order. */
  readonly issues: readonly WatchlistIssue[];

  constructor(issues: readonly WatchlistIssue[]) {
    const lines = issues
      .slice(0, 20)
      .map(
        (i) =>
          `  #${i.index} tenant=${JSON.stringify(i.tenantId)} ${i.field}=${JSON.stringify(i.value)}: ${i.message}`,
      );
    const more = issues.length > 20 ? `\n  ... and ${issues.length - 20} more` : "";
    super(`${issues.length} invalid watchlist value(s):\n${lines.join("\n")}${more}`);
    this.name = "WatchlistError";
    this.issues = issues;
  }
}
