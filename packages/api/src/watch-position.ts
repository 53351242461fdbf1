import { ApiError } from "./api-error.js";
import { decodePageToken, encodePageToken, intProp } from "./page-token.js";

/** Most alert IDs remembered as sent inside the look-back window (beyond it, older ones may repeat). */
export const MAX_REMEMBERED_IDS = 100_000;

/** An alert as the follower sees it: its ID and when the store wrote it. */
export interface StoredMark {
  readonly alertId: string;
  readonly storedAtMs: number;
}

/**
 * The position of one alert stream (`WatchAlerts`) over the store's
 * `storedAtMs` order, without change streams:
 *
 *   poll: read storedAtMs >= lowMs ==> skip IDs already sent ==> send ==> lowMs = now - lookback
 *
 * Writers' clocks differ and a write becomes visible a little after its
 * `storedAtMs`; `lookbackMs` bounds both. Every poll re-reads the last
 * `lookbackMs`, and a set of IDs sent in that window suppresses repeats. A
 * cursor records only `lowMs`, so a resumed stream may repeat alerts of the
 * last `lookbackMs` before it (at least once; clients deduplicate by ID), and
 * misses none whose visibility lag stayed under `lookbackMs`.
 */
export class WatchPosition {
  private readonly sent = new Map<string, number>();

  private constructor(
    private lowMs: number,
    private readonly lookbackMs: number,
  ) {}

  /** Starts from a cursor issued by {@link WatchPosition.cursor}. Throws `ApiError` for a bad one. */
  static fromCursor(cursor: string, lookbackMs: number): WatchPosition {
    const low = decodePageToken(cursor, "watch", (p) => intProp(p, "low"), "cursor");
    if (low < 0) throw ApiError.invalid("cursor", "is not a cursor this server issued");
    return new WatchPosition(low, lookbackMs);
  }

  /** Starts with alerts stored at or after `sinceMs`. */
  static since(sinceMs: number, lookbackMs: number): WatchPosition {
    return new WatchPosition(Math.max(0, sinceMs), lookbackMs);
  }

  /** The lower bound of the next read (inclusive), ms. */
  get readFromMs(): number {
    return this.lowMs;
  }

  /** The cursor to resume from this point. */
  cursor(): string {
    return encodePageToken("watch", { low: this.lowMs });
  }

  /** Filters a read: the alerts not sent yet, marked as sent, in the order given. */
  unsent<T extends StoredMark>(read: readonly T[]): T[] {
    const out: T[] = [];
    for (const a of read) {
      if (this.sent.has(a.alertId)) continue;
      this.sent.set(a.alertId, a.storedAtMs);
      out.push(a);
    }
    if (this.sent.size > MAX_REMEMBERED_IDS) {
      for (const id of this.sent.keys()) {
        this.sent.delete(id);
        if (this.sent.size <= MAX_REMEMBERED_IDS) break;
      }
    }
    return out;
  }

  /**
   * Advances after a read at `nowMs`. `complete` is false when the read stopped
   * at its size cap; then the position moves no further than `lastStoredAtMs`
   * (the last alert read), so the rest is read next time.
   */
  advance(nowMs: number, complete: boolean, lastStoredAtMs?: number): void {
    let next = nowMs - this.lookbackMs;
    if (!complete && lastStoredAtMs !== undefined) next = Math.min(next, lastStoredAtMs);
    if (next > this.lowMs) this.lowMs = next;
    for (const [id, at] of this.sent) if (at < this.lowMs) this.sent.delete(id);
  }
}
