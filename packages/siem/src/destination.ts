import type { Alert } from "@ctwatch/proto";
import type { BatchLimits } from "./batcher.js";
import type { DeliveryErrorCode } from "./errors.js";

/** The SIEM APIs ctwatch can deliver to. */
export type DestinationKind =
  | "splunk-hec"
  | "cloudwatch-logs"
  | "sentinel-logs-ingestion"
  | "sentinel-data-collector";

/** The outcome of {@link SiemDestination.testConnection}, worded for the person configuring it. */
export type TestConnectionResult =
  | {
      readonly ok: true;
      /** What was written where, e.g. "Test event written to index main (indexer acknowledged)". */
      readonly message: string;
      readonly latencyMs: number;
      /** Non-fatal remarks (e.g. the Data Collector API's retirement date). */
      readonly warnings: readonly string[];
    }
  | {
      readonly ok: false;
      /** Which check failed, for UIs and metrics. */
      readonly code: DeliveryErrorCode | "invalid-configuration";
      /** What went wrong, specific and free of secrets. */
      readonly message: string;
      /** What to do about it. */
      readonly hint: string;
      readonly status?: number;
      readonly latencyMs: number;
    };

/**
 * One configured SIEM. All adapters implement this contract:
 *
 * - {@link SiemDestination.planBatches} splits alerts into requests the API accepts
 *   (count, bytes, and for CloudWatch chronological order within 24 h).
 * - {@link SiemDestination.deliver} sends one such batch and resolves only when the
 *   SIEM has accepted every event (with Splunk indexer acknowledgement: indexed).
 *   It rejects with a `DeliveryError` (`code`, `retryable`, `retryAfterMs`, `status`,
 *   `splittable` for 413), or with the signal's reason when cancelled. It makes one
 *   attempt: retries, splitting and circuit breaking belong to the `Deliverer`.
 * - Delivery is at-least-once. None of these APIs deduplicates, so a retry after a
 *   lost answer can store an alert twice; every event carries `AlertId` (deterministic
 *   per alert) so SIEM searches can deduplicate.
 * - Instances hold decrypted credentials in `Secret` wrappers: serialising or
 *   inspecting a destination never shows them.
 */
export interface SiemDestination {
  /** The configuration's ID (stable across restarts; used for breakers and logs). */
  readonly id: string;
  readonly kind: DestinationKind;
  /** The limits {@link SiemDestination.planBatches} applies. */
  maxBatch(): BatchLimits;
  /** Splits `alerts` into batches that each fit one request, in the order they should be sent. */
  planBatches(alerts: readonly Alert[]): Alert[][];
  /** Delivers one batch from {@link SiemDestination.planBatches}; see the interface contract. */
  deliver(alerts: readonly Alert[], signal: AbortSignal): Promise<void>;
  /** Writes one test event (`VulnerabilityID` 0) and reports, specifically, what happened. Never throws for a SIEM error. */
  testConnection(signal: AbortSignal): Promise<TestConnectionResult>;
}
