// Test-only (excluded from the build): in-memory implementations of the tailer's collaborators.
import type { OutRecord, TypedProducer } from "@ctwatch/kafka";
import type { CheckpointStore, LogCheckpoint } from "@ctwatch/store";
import type { MisbehaviourEvent, MisbehaviourReporter } from "../misbehaviour.js";

/** A producer that keeps what it was sent; `failNext` makes the next sends reject. */
export class MemoryProducer implements TypedProducer {
  readonly name = "memory-producer";
  readonly sent: Array<{ topic: string; records: OutRecord[] }> = [];
  failNext = 0;
  /** Delay before acknowledging each send, ms. */
  ackDelayMs = 0;

  async send(topic: string, records: readonly OutRecord[]): Promise<void> {
    if (this.ackDelayMs > 0) await new Promise((r) => setTimeout(r, this.ackDelayMs));
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("broker unavailable");
    }
    this.sent.push({ topic, records: [...records] });
  }

  records(topic: string): OutRecord[] {
    return this.sent.filter((s) => s.topic === topic).flatMap((s) => s.records);
  }

  async stop(): Promise<void> {}
}

/** A checkpoint store with the Mongo store's forward-only rule. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly docs = new Map<string, LogCheckpoint>();
  saves = 0;

  async load(logId: string): Promise<LogCheckpoint | undefined> {
    const d = this.docs.get(logId);
    return d ? structuredClone(d) : undefined;
  }

  async save(cp: LogCheckpoint): Promise<void> {
    this.saves++;
    const cur = this.docs.get(cp.logId);
    if (cur && cur.nextIndex > cp.nextIndex) return;
    this.docs.set(cp.logId, structuredClone(cp));
  }
}

/** Collects misbehaviour reports. */
export class MemoryReporter implements MisbehaviourReporter {
  readonly events: MisbehaviourEvent[] = [];
  async report(e: MisbehaviourEvent): Promise<void> {
    this.events.push(e);
  }
}

/** Polls until `probe` is truthy or fails after `timeoutMs`. */
export async function until<T>(
  probe: () => T | undefined | false,
  timeoutMs = 10_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
