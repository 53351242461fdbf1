import { CtParseError, MerkleCollapsedTree } from "@ctwatch/ct";
import { LogHttpError, spanSafeUrl } from "@ctwatch/ct-client";
import type { Codec, OutRecord, TopicNames, TypedProducer } from "@ctwatch/kafka";
import type { CertificateEntry } from "@ctwatch/proto";
import { type Counter, type Gauge, type Logger, type Metrics, sleep } from "@ctwatch/runtime";
import type { CheckpointStore, LogCheckpoint } from "@ctwatch/store";
import { withSpan } from "@ctwatch/telemetry";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { toEntryMessage } from "./entry-message.js";
import type { FetchedLeaf, LogSource, VerifiedTreeHead } from "./log-source.js";
import { LogVerificationError, type MisbehaviourReporter } from "./misbehaviour.js";

/** Where a log without a stored checkpoint starts: its current tree size, or an entry index. */
export type StartPosition = { kind: "now" } | { kind: "index"; index: number };

/** Settings of one tailer (one log, or one backfill range of a log). */
export interface LogTailerSettings {
  /** Checkpoint key: the log ID (base64), or `<logId>#backfill:<from>-<to>` for a backfill. */
  checkpointKey: string;
  /** The log ID (published in every entry's position). */
  logId: Uint8Array;
  /** The log's URL (published in every entry's position; the `log` label of metrics). */
  url: string;
  /** Human name for log lines. */
  name: string;
  start: StartPosition;
  /** Stop once every entry below this index is published (backfills); default: follow forever. */
  endIndex?: number;
  /** Sleep between tree-head polls when caught up, ms. */
  pollIntervalMs: number;
  /** Consecutive rounds failing verification before the log is paused and reported; default 3. */
  verifyAttempts?: number;
  /** While paused, how often verification is tried again, ms; default 300 000. */
  pauseRecheckMs?: number;
  /** A tree head is used for at most this long before a fresh one is fetched, ms; default 60 000. */
  headMaxAgeMs?: number;
  /** Largest Kafka send, bytes of record values (chunks keep broker batches small); default 4 MiB. */
  maxSendBytes?: number;
}

/** Collaborators of a tailer. */
export interface LogTailerDeps {
  source: LogSource;
  producer: TypedProducer;
  topics: TopicNames;
  codec: Codec<CertificateEntry>;
  checkpoints: CheckpointStore;
  reporter: MisbehaviourReporter;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
}

/** What a tailer is doing. */
export type TailerState =
  | "starting"
  | "catching-up"
  | "following"
  | "retrying"
  | "paused"
  | "done"
  | "stopped";

/** A tailer's externally visible state (health endpoint, tests). */
export interface TailerStatus {
  readonly state: TailerState;
  /** Every entry below this index is published and acknowledged (undefined before the first load). */
  readonly nextIndex: number | undefined;
  /** Size of the latest verified tree head. */
  readonly treeSize: number | undefined;
  /** Rounds failed in a row (transport or verification). */
  readonly consecutiveFailures: number;
  /** The misbehaviour that paused the log. */
  readonly pausedFor?: string;
}

/**
 * The stored checkpoint with the tree head it was verified against. The extra fields ride along in
 * the checkpoint document (the store persists what it is given); a checkpoint without them (older
 * versions) still works: a smaller tree head is then taken for a stale cache, never for a rollback.
 */
interface TailerCheckpoint extends LogCheckpoint {
  /** Signature timestamp of the verified tree head, ms. */
  verifiedTimestampMs?: number;
  /** The verified tree head as signed by the log (checkpoint note / STH JSON). */
  verifiedTreeHead?: string;
}

interface TailState {
  nextIndex: number;
  tree: MerkleCollapsedTree;
  verified: { treeSize: number; rootHash: Uint8Array; timestampMs?: number; signed?: string };
}

interface EncodedBatch {
  start: number;
  end: number;
  records: OutRecord[];
  deadLetters: OutRecord[];
  bytes: number;
}

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;

/** Events per second over a sliding 10 s window. */
class RateMeter {
  private readonly events: Array<[number, number]> = [];
  add(count: number, nowMs: number): void {
    this.events.push([nowMs, count]);
  }
  rate(nowMs: number): number {
    while (this.events.length > 0 && this.events[0]![0] <= nowMs - 10_000) this.events.shift();
    let n = 0;
    for (const [, c] of this.events) n += c;
    return n / 10;
  }
}

/**
 * Tails one CT log (either API, through its `LogSource`) into Kafka:
 *
 *   tree head (signature) ==> check against the stored head (shrink / fork / consistency)
 *     ==> plan batch ==> download (next batch prefetched) ==> append leaf hashes to the collapsed tree
 *     ==> verify the batch's prefix against the signed root ==> parse (bad entry -> dead letter)
 *     ==> publish (acked) ==> save checkpoint {nextIndex, collapsed tree, verified head}
 *
 * Nothing is published before its batch verified against a signed tree head, and the stored
 * checkpoint moves only after Kafka acknowledged every entry below it; one batch is in flight to
 * Kafka at a time, so a crash re-publishes at most one batch. A batch that fails verification is
 * retried with fresh downloads (transient corruption); when it keeps failing, or when the log signs
 * contradictory tree heads, the log is reported (`MisbehaviourReporter`) and paused: it is
 * re-checked every `pauseRecheckMs`, never skipped.
 */
export class LogTailer {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly label: { log: string };
  private cached: TailState | undefined;
  private st: TailerState = "starting";
  private failures = 0;
  private verifyFailures = 0;
  private pausedFor: string | undefined;
  private lastTreeSize: number | undefined;
  private readonly meter = new RateMeter();
  private readonly m: {
    treeSize: Gauge;
    nextIndex: Gauge;
    backlog: Gauge;
    rate: Gauge;
    paused: Gauge;
    entries: Counter;
    parseErrors: Counter;
    errors: Counter;
    staleHeads: Counter;
    stageSeconds: Counter;
  };

  constructor(
    private readonly s: LogTailerSettings,
    private readonly deps: LogTailerDeps,
  ) {
    this.log = deps.logger.child({ log: s.url, logName: s.name });
    this.now = deps.now ?? Date.now;
    this.label = { log: s.url };
    const mt = deps.metrics;
    this.m = {
      treeSize: mt.gauge("ctwatch_log_tree_size", "Size of the latest verified tree head, by log"),
      nextIndex: mt.gauge("ctwatch_log_next_index", "Every entry below this index is published, by log"),
      backlog: mt.gauge("ctwatch_log_backlog", "Entries in the verified tree not yet published, by log"),
      rate: mt.gauge("ctwatch_log_entries_per_second", "Entries published per second (10 s window), by log"),
      paused: mt.gauge("ctwatch_log_paused", "1 while a log is paused for misbehaviour, by log"),
      entries: mt.counter("ctwatch_log_entries_total", "Entries published, by log"),
      parseErrors: mt.counter(
        "ctwatch_log_parse_errors_total",
        "Entries that failed to parse (dead-lettered)",
      ),
      errors: mt.counter("ctwatch_log_errors_total", "Tailer round failures, by log and kind"),
      staleHeads: mt.counter(
        "ctwatch_log_stale_heads_total",
        "Tree heads older and smaller than the verified one",
      ),
      stageSeconds: mt.counter(
        "ctwatch_log_stage_seconds_total",
        "Time spent per pipeline stage (fetch wait, verify, parse, publish wait), seconds, by log",
      ),
    };
    this.m.paused.set(0, this.label);
  }

  /** The current state. */
  status(): TailerStatus {
    return {
      state: this.st,
      nextIndex: this.cached?.nextIndex,
      treeSize: this.lastTreeSize,
      consecutiveFailures: this.failures,
      ...(this.pausedFor ? { pausedFor: this.pausedFor } : {}),
    };
  }

  /** Runs until `signal` aborts (draining the batch in flight) or a backfill completes. */
  async run(signal: AbortSignal): Promise<void> {
    const verifyAttempts = this.s.verifyAttempts ?? 3;
    while (!signal.aborted) {
      try {
        const st = await this.ensureState(signal);
        if (!st) {
          await sleep(this.s.pollIntervalMs, signal);
          continue;
        }
        if (this.s.endIndex !== undefined && st.nextIndex >= this.s.endIndex) {
          this.st = "done";
          this.log.info("backfill complete", { endIndex: this.s.endIndex });
          return;
        }
        const progressed = await this.follow(st, signal);
        if (this.pausedFor) {
          this.log.warn("log verifies again: resumed", { pausedFor: this.pausedFor });
          this.pausedFor = undefined;
          this.m.paused.set(0, this.label);
        }
        this.failures = 0;
        this.verifyFailures = 0;
        if (!progressed) {
          this.st = "following";
          await sleep(this.s.pollIntervalMs, signal);
        }
      } catch (caught) {
        if (signal.aborted) break;
        // A body that is not what the API promises (not JSON, corrupt gzip) is bad data, not transport.
        const err =
          caught instanceof LogHttpError && caught.kind === "bad-body"
            ? new LogVerificationError("bad-data", caught.message, {}, { cause: caught })
            : caught;
        // In-memory progress may be ahead of what Kafka acknowledged: start again from the store.
        this.cached = undefined;
        this.failures++;
        const kind = errorKind(err);
        this.m.errors.inc({ ...this.label, kind });
        if (err instanceof LogVerificationError) {
          this.deps.source.reset();
          this.verifyFailures++;
          if (err.conclusive || this.verifyFailures >= verifyAttempts) {
            await this.pause(err, this.verifyFailures);
            await sleep(this.s.pauseRecheckMs ?? 300_000, signal).catch(() => {});
            continue;
          }
          this.st = "retrying";
          this.log.warn("batch failed verification; fetching again", {
            kind,
            err,
            attempt: this.verifyFailures,
          });
          await sleep(Math.min(10_000, 500 * 2 ** (this.verifyFailures - 1)), signal).catch(() => {});
          continue;
        }
        this.st = "retrying";
        const backoffMs = Math.min(60_000, 1000 * 2 ** Math.min(this.failures - 1, 6));
        const delay = backoffMs / 2 + Math.random() * (backoffMs / 2);
        this.log.warn("tailer round failed; will retry", { kind, err, delayMs: Math.round(delay) });
        await sleep(delay, signal).catch(() => {});
      }
    }
    if (this.st !== "done") this.st = "stopped";
  }

  private async pause(err: LogVerificationError, attempts: number): Promise<void> {
    this.st = "paused";
    this.m.paused.set(1, this.label);
    if (this.pausedFor) {
      this.log.warn("log still misbehaving; stays paused", { kind: err.kind, message: err.message });
      return;
    }
    this.pausedFor = err.kind;
    await this.deps.reporter.report({
      type: "log-misbehaviour",
      logId: b64(this.s.logId),
      logUrl: this.s.url,
      logName: this.s.name,
      kind: err.kind,
      message: err.message,
      detectedAtMs: this.now(),
      attempts,
      evidence: err.evidence,
    });
  }

  /** The in-memory state, else the stored checkpoint, else a new start (undefined: not yet possible). */
  private async ensureState(signal: AbortSignal): Promise<TailState | undefined> {
    if (this.cached) return this.cached;
    const stored = (await this.deps.checkpoints.load(this.s.checkpointKey)) as TailerCheckpoint | undefined;
    if (stored) {
      this.cached = fromCheckpoint(stored);
      return this.cached;
    }
    const head = await this.deps.source.treeHead(signal);
    const index = this.s.start.kind === "now" ? head.treeSize : this.s.start.index;
    if (index > head.treeSize) {
      this.log.info("start index is beyond the tree: waiting for the log to grow", {
        start: index,
        treeSize: head.treeSize,
      });
      return undefined;
    }
    const tree = await this.deps.source.collapsedTreeAt(index, head, signal);
    const st: TailState = { nextIndex: index, tree, verified: head };
    await this.deps.checkpoints.save(this.toCheckpoint(st));
    this.log.info("starting a new log", { start: index, treeSize: head.treeSize });
    this.cached = st;
    return st;
  }

  private toCheckpoint(st: TailState): TailerCheckpoint {
    return {
      logId: this.s.checkpointKey,
      nextIndex: st.nextIndex,
      treeHashes: st.tree.state().hashes.map(b64),
      verifiedTreeSize: st.verified.treeSize,
      verifiedRootHash: b64(st.verified.rootHash),
      updatedAtMs: this.now(),
      ...(st.verified.timestampMs !== undefined ? { verifiedTimestampMs: st.verified.timestampMs } : {}),
      ...(st.verified.signed !== undefined ? { verifiedTreeHead: st.verified.signed } : {}),
    };
  }

  /**
   * Checks a new head against the last verified one. Returns false for a stale head (older and
   * smaller: a lagging cache or replica); throws for a rollback or a fork.
   */
  private async acceptHead(st: TailState, head: VerifiedTreeHead, signal: AbortSignal): Promise<boolean> {
    const v = st.verified;
    const evidence = {
      previous: v.signed ?? { treeSize: v.treeSize, rootHash: b64(v.rootHash) },
      current: head.signed,
    };
    if (head.treeSize < v.treeSize) {
      if (v.timestampMs !== undefined && head.timestampMs > v.timestampMs) {
        throw new LogVerificationError(
          "shrinking-tree",
          `tree head of ${head.treeSize} signed after one of ${v.treeSize}`,
          evidence,
        );
      }
      this.m.staleHeads.inc(this.label);
      return false;
    }
    if (v.rootHash.length !== 32) return true;
    if (head.treeSize === v.treeSize) {
      if (!sameBytes(head.rootHash, v.rootHash))
        throw new LogVerificationError("fork", `two roots signed for tree size ${head.treeSize}`, evidence);
      return true;
    }
    // The new head is larger. When we are at the old head, the next batch's prefix check proves the
    // two consistent; when we are behind it, check the old head against the new one now.
    if (st.nextIndex < v.treeSize && v.treeSize > 0) {
      const old = await this.deps.source.collapsedTreeAt(v.treeSize, head, signal);
      if (!sameBytes(old.root(), v.rootHash)) {
        throw new LogVerificationError(
          "fork",
          `tree head of ${head.treeSize} is not consistent with the verified one of ${v.treeSize}`,
          evidence,
        );
      }
    }
    return true;
  }

  /**
   * Fetches a tree head and publishes verified batches up to it (or for at most `headMaxAgeMs`).
   * Resolves true when something was published. The head poll is untraced (a caught-up log polls
   * every `pollIntervalMs`); a round with work is one root span `ct.round`, the parent of its
   * downloads and of the Kafka PRODUCER spans, so each entry's `traceparent` leads back to it.
   */
  private async follow(st: TailState, signal: AbortSignal): Promise<boolean> {
    const head = await this.deps.source.treeHead(signal);
    this.lastTreeSize = head.treeSize;
    this.m.treeSize.set(head.treeSize, this.label);
    this.m.rate.set(this.meter.rate(this.now()), this.label);
    if (!(await this.acceptHead(st, head, signal))) return false;
    const target = Math.min(head.treeSize, this.s.endIndex ?? Number.POSITIVE_INFINITY);
    this.m.backlog.set(Math.max(0, target - st.nextIndex), this.label);
    if (st.nextIndex >= target) return false;
    this.st = "catching-up";
    return withSpan(
      "ct.round",
      {
        "ct.log.id": b64(this.s.logId),
        "ct.log.url": spanSafeUrl(new URL(this.s.url)),
        "ct.tree_size": head.treeSize,
        "ct.round.start_index": st.nextIndex,
      },
      async (span) => {
        const published = await this.round(st, head, target, signal);
        span.setAttribute("ct.round.end_index", this.cached?.nextIndex ?? st.nextIndex);
        return published;
      },
      { parent: ROOT_CONTEXT },
    );
  }

  /** Downloads, verifies, parses and publishes [st.nextIndex, target) against `head`. */
  private async round(
    st: TailState,
    head: VerifiedTreeHead,
    target: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const source = this.deps.source;
    const started = this.now();
    const headMaxAgeMs = this.s.headMaxAgeMs ?? 60_000;
    const ac = new AbortController();
    const sig = AbortSignal.any([signal, ac.signal]);
    const plan = (from: number) => {
      const end = Math.min(source.planBatch(from, head), target);
      if (end <= from) return undefined;
      const leaves = source.fetchLeaves(from, end, sig);
      leaves.catch(() => {}); // handled where awaited; an unused prefetch is aborted
      return { start: from, end, leaves, requestedAtMs: this.now() };
    };
    let tree = st.tree.clone();
    let publishing: Promise<void> | undefined;
    let published = false;
    try {
      let cur = plan(st.nextIndex);
      while (cur) {
        const t0 = this.now();
        const leaves = await cur.leaves;
        const t1 = this.now();
        checkLeaves(leaves, cur.start, cur.end);
        const grown = tree.clone();
        for (const l of leaves) grown.append(l.leafHash);
        // Download the next batch while this one is verified, parsed and published.
        const next = cur.end < target && this.now() - started < headMaxAgeMs ? plan(cur.end) : undefined;
        const ok =
          cur.end === head.treeSize
            ? sameBytes(grown.root(), head.rootHash)
            : await source.verifyPrefix(grown, head, sig);
        if (!ok) {
          throw new LogVerificationError(
            "root-mismatch",
            `entries [${cur.start}, ${cur.end}) do not hash to the root signed for tree size ${head.treeSize}`,
            { checkpoint: head.signed, start: cur.start, end: cur.end },
          );
        }
        const t2 = this.now();
        const batch = this.encode(leaves, cur.start, cur.end);
        const t3 = this.now();
        if (publishing) await publishing;
        const t4 = this.now();
        this.stage("fetch", t1 - t0);
        this.stage("verify", t2 - t1);
        this.stage("parse", t3 - t2);
        this.stage("publish", t4 - t3);
        const after: TailState = { nextIndex: cur.end, tree: grown, verified: head };
        publishing = this.publish(batch, after);
        publishing.catch(() => {}); // awaited below or in `finally`
        tree = grown;
        published = true;
        cur = next;
      }
      if (publishing) {
        const t = this.now();
        await publishing;
        this.stage("publish", this.now() - t);
      }
      if ((this.cached?.nextIndex ?? 0) >= head.treeSize) this.st = "following";
    } finally {
      ac.abort();
      if (publishing) await publishing.catch(() => {});
    }
    return published;
  }

  private stage(stage: string, ms: number): void {
    if (ms > 0) this.m.stageSeconds.inc({ ...this.label, stage }, ms / 1000);
  }

  /** Parses and encodes a verified batch; entries that do not parse become dead letters. */
  private encode(leaves: FetchedLeaf[], start: number, end: number): EncodedBatch {
    const records: OutRecord[] = [];
    const deadLetters: OutRecord[] = [];
    const observedAtMs = this.now();
    const meta = { logId: this.s.logId, url: this.s.url };
    let bytes = 0;
    for (const leaf of leaves) {
      try {
        const entry = leaf.entry();
        const value = this.deps.codec.encode(toEntryMessage(entry, meta, observedAtMs));
        bytes += value.length;
        records.push({ key: entry.issuanceKey, value });
      } catch (err) {
        if (!(err instanceof CtParseError)) throw err;
        deadLetters.push({
          key: `${this.s.url}/${leaf.leafIndex}`,
          value: leaf.merkleTreeLeaf(),
          headers: {
            "ctwatch-error": err.message.slice(0, 500),
            "ctwatch-error-reason": err.code,
            "ctwatch-source": `${this.s.url}#${leaf.leafIndex}`,
            "ctwatch-content": "merkle-tree-leaf",
          },
        });
      }
    }
    return { start, end, records, deadLetters, bytes };
  }

  /** Sends a batch (dead letters, then entries in bounded chunks) and then saves the checkpoint. */
  private async publish(batch: EncodedBatch, after: TailState): Promise<void> {
    const { producer, topics } = this.deps;
    if (batch.deadLetters.length > 0) {
      this.m.parseErrors.inc(this.label, batch.deadLetters.length);
      this.log.warn("unparseable entries sent to the dead-letter topic", { count: batch.deadLetters.length });
      await producer.send(topics.entriesDeadLetter, batch.deadLetters);
    }
    const max = this.s.maxSendBytes ?? 4 << 20;
    let chunk: OutRecord[] = [];
    let chunkBytes = 0;
    for (const r of batch.records) {
      if (chunk.length > 0 && chunkBytes + r.value.length > max) {
        await producer.send(topics.entries, chunk);
        chunk = [];
        chunkBytes = 0;
      }
      chunk.push(r);
      chunkBytes += r.value.length;
    }
    if (chunk.length > 0) await producer.send(topics.entries, chunk);
    await this.deps.checkpoints.save(this.toCheckpoint(after));
    this.cached = after;
    // Progress: earlier failures were transient.
    this.failures = 0;
    this.verifyFailures = 0;
    const now = this.now();
    const n = batch.end - batch.start;
    this.m.entries.inc(this.label, batch.records.length);
    this.meter.add(n, now);
    this.m.rate.set(this.meter.rate(now), this.label);
    this.m.nextIndex.set(batch.end, this.label);
    this.m.backlog.set(Math.max(0, (this.lastTreeSize ?? batch.end) - batch.end), this.label);
    this.log.debug("published", { from: batch.start, to: batch.end, bytes: batch.bytes });
  }
}

function fromCheckpoint(c: TailerCheckpoint): TailState {
  return {
    nextIndex: c.nextIndex,
    tree: MerkleCollapsedTree.fromState(c.nextIndex, c.treeHashes.map(unb64)),
    verified: {
      treeSize: c.verifiedTreeSize,
      rootHash: unb64(c.verifiedRootHash),
      ...(typeof c.verifiedTimestampMs === "number" ? { timestampMs: c.verifiedTimestampMs } : {}),
      ...(typeof c.verifiedTreeHead === "string" ? { signed: c.verifiedTreeHead } : {}),
    },
  };
}

/** The source must return exactly [start, end) in order. */
function checkLeaves(leaves: FetchedLeaf[], start: number, end: number): void {
  if (leaves.length !== end - start || leaves.some((l, i) => l.leafIndex !== start + i)) {
    throw new LogVerificationError("bad-data", `asked entries [${start}, ${end}), got ${leaves.length}`, {
      start,
      end,
    });
  }
}

function errorKind(err: unknown): string {
  if (err instanceof LogVerificationError) return err.kind;
  if (err instanceof LogHttpError) return `http-${err.kind}`;
  if (err instanceof CtParseError) return "parse";
  return "other";
}
