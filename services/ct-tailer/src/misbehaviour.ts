import type { OutRecord, TypedProducer } from "@ctwatch/kafka";
import type { Counter, Logger, Metrics } from "@ctwatch/runtime";

/**
 * What a log did wrong:
 * - `bad-signature`: a tree head (checkpoint / STH) does not verify with the log's key;
 * - `shrinking-tree`: a signed tree head newer than the last verified one is smaller;
 * - `fork`: two signed tree heads that cannot both be true (same size, different roots, or a
 *   consistency check between them failed);
 * - `root-mismatch`: the entries served do not hash to the signed root;
 * - `bad-proof`: a proof the log served does not verify;
 * - `bad-data`: the log serves bytes that are not what its API promises (framing, lengths, indexes).
 */
export type MisbehaviourKind =
  | "bad-signature"
  | "shrinking-tree"
  | "fork"
  | "root-mismatch"
  | "bad-proof"
  | "bad-data";

/** Kinds proven by the log's own signatures at once: no retry can make them go away. */
const SIGNED_EVIDENCE: ReadonlySet<MisbehaviourKind> = new Set(["shrinking-tree", "fork"]);

/**
 * The log served something that does not verify. Nothing from the round that raised it is published
 * and the checkpoint does not move. Transport problems (timeouts, 5xx, 429) are never this.
 */
export class LogVerificationError extends Error {
  constructor(
    readonly kind: MisbehaviourKind,
    message: string,
    /** The signed tree head(s) involved, as served: what an operator or auditor needs as proof. */
    readonly evidence: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(`${kind}: ${message}`, options);
    this.name = "LogVerificationError";
  }

  /** True when the evidence is signed by the log itself (reported on first sight, not retried). */
  get conclusive(): boolean {
    return SIGNED_EVIDENCE.has(this.kind);
  }
}

/** One misbehaviour report (the JSON value on the events topic). */
export interface MisbehaviourEvent {
  readonly type: "log-misbehaviour";
  /** base64 log ID. */
  readonly logId: string;
  readonly logUrl: string;
  readonly logName: string;
  readonly kind: MisbehaviourKind;
  readonly message: string;
  readonly detectedAtMs: number;
  /** How many consecutive rounds failed verification before the log was paused. */
  readonly attempts: number;
  readonly evidence: Record<string, unknown>;
}

/**
 * Where misbehaviour goes. Called once per pause (not per retry). Must not throw: reporting is
 * best-effort and never blocks the tailer.
 */
export interface MisbehaviourReporter {
  report(event: MisbehaviourEvent): Promise<void>;
}

/**
 * Reports misbehaviour three ways: an `error` log line (for log-based alerting), the
 * `ctwatch_log_misbehaviour_total{log,kind}` counter (for Prometheus alerting), and, when a topic is
 * given, a JSON record keyed by log ID on that topic (durable evidence for the ops team).
 */
export class OpsMisbehaviourReporter implements MisbehaviourReporter {
  private readonly counter: Counter;

  constructor(
    private readonly deps: { logger: Logger; metrics: Metrics; producer?: TypedProducer; topic?: string },
  ) {
    this.counter = deps.metrics.counter(
      "ctwatch_log_misbehaviour_total",
      "CT log misbehaviour events (log paused), by log and kind",
    );
  }

  async report(event: MisbehaviourEvent): Promise<void> {
    this.counter.inc({ log: event.logUrl, kind: event.kind });
    this.deps.logger.error("CT log misbehaviour: log paused, checkpoint not advanced", {
      log: event.logUrl,
      logName: event.logName,
      kind: event.kind,
      message: event.message,
      evidence: event.evidence,
    });
    const { producer, topic } = this.deps;
    if (!producer || !topic) return;
    const record: OutRecord = {
      key: event.logId,
      value: new TextEncoder().encode(JSON.stringify(event)),
      headers: { "content-type": "application/json", "ctwatch-event": event.type },
    };
    try {
      await producer.send(topic, [record]);
    } catch (err) {
      this.deps.logger.warn("could not publish the misbehaviour event", { log: event.logUrl, err });
    }
  }
}
