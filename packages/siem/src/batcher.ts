/** The limits one request of a destination must respect. */
export interface BatchLimits {
  /** Events per request. */
  readonly maxEvents: number;
  /** Bytes per request, as the destination counts them (see `sizeOf`). */
  readonly maxBytes: number;
  /** Largest time span between the oldest and newest event of one request, ms (CloudWatch: 24 h). */
  readonly maxSpanMs?: number;
}

/** How {@link planBatches} measures items. */
export interface BatchMeasure<T> {
  /** Bytes `item` adds to a request, including any per-event overhead the API counts. */
  readonly sizeOf: (item: T) => number;
  /** Bytes every request costs regardless of its events (e.g. `[` `]`), default 0. */
  readonly fixedBytes?: number;
  /** Timestamp of `item`, ms; required when `maxSpanMs` is set. */
  readonly timeOf?: (item: T) => number;
}

/**
 * Splits `items` into consecutive batches that each respect `limits`, keeping the
 * input order (sort first when the API wants chronological order). Greedy: a batch
 * is closed when the next item would break a limit.
 *
 * An item larger than `maxBytes` on its own gets a batch of its own: the adapter
 * then rejects it as `payload-too-large`, and the deliverer parks just that item.
 */
export function planBatches<T>(items: readonly T[], limits: BatchLimits, measure: BatchMeasure<T>): T[][] {
  if (!(limits.maxEvents >= 1)) throw new RangeError("maxEvents must be at least 1");
  if (!(limits.maxBytes >= 1)) throw new RangeError("maxBytes must be at least 1");
  if (limits.maxSpanMs !== undefined && !measure.timeOf)
    throw new RangeError("timeOf is required with maxSpanMs");
  const fixed = measure.fixedBytes ?? 0;
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = fixed;
  let minTime = Number.POSITIVE_INFINITY;
  let maxTime = Number.NEGATIVE_INFINITY;
  for (const item of items) {
    const size = measure.sizeOf(item);
    const time = limits.maxSpanMs === undefined ? 0 : measure.timeOf!(item);
    const spanIfAdded = Math.max(maxTime, time) - Math.min(minTime, time);
    const fits =
      current.length < limits.maxEvents &&
      bytes + size <= limits.maxBytes &&
      (limits.maxSpanMs === undefined || current.length === 0 || spanIfAdded <= limits.maxSpanMs);
    if (!fits && current.length > 0) {
      batches.push(current);
      current = [];
      bytes = fixed;
      minTime = Number.POSITIVE_INFINITY;
      maxTime = Number.NEGATIVE_INFINITY;
    }
    current.push(item);
    bytes += size;
    minTime = Math.min(minTime, time);
    maxTime = Math.max(maxTime, time);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Byte length of `text` in UTF-8. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
