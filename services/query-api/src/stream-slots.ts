import { ApiError } from "@ctwatch/api";

/**
 * Counts open streams per key (tenant) and refuses more than `maxPerKey`:
 * each stream polls the database, so a tenant cannot multiply the load.
 */
export class StreamSlots {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerKey: number) {}

  /** Takes a slot; the returned function gives it back (idempotent). Throws "resource-exhausted" when full. */
  acquire(key: string): () => void {
    const n = this.open.get(key) ?? 0;
    if (n >= this.maxPerKey)
      throw new ApiError("resource-exhausted", `at most ${this.maxPerKey} open alert streams per tenant`);
    this.open.set(key, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left <= 0) this.open.delete(key);
      else this.open.set(key, left);
    };
  }

  /** Open streams in total (metrics). */
  get total(): number {
    let sum = 0;
    for (const n of this.open.values()) sum += n;
    return sum;
  }
}
