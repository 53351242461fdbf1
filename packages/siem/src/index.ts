/**
 * @ctwatch/siem: delivers ctwatch alerts to SIEMs in EZMonitor's formats.
 *
 *   Alert ==> format (Splunk HEC | CloudWatch | Sentinel) ==> SiemDestination.deliver
 *   Deliverer: planBatches ==> circuit breaker ==> retry (backoff, Retry-After) ==> 413 split
 *              ==> per destination: delivered | parked
 */
export { type BatchLimits, type BatchMeasure, planBatches, utf8Length } from "./batcher.js";
export {
  type BreakerSnapshot,
  type BreakerState,
  CircuitBreaker,
  type CircuitBreakerOptions,
} from "./circuit-breaker.js";
export { CLOUDWATCH_MAX_SPAN_MS, cloudWatchLogsEndpoint } from "./cloudwatch-logs.js";
export {
  type AzureCloud,
  type CloudWatchAuthConfig,
  type CloudWatchLogsConfig,
  type CommonDestinationFields,
  DEFAULT_TIMEOUT_MS,
  DESTINATION_LIMITS,
  type DestinationConfig,
  describeDestinationConfig,
  type ParseConfigOptions,
  parseDestinationConfig,
  SECRET_FIELDS,
  type SealedSecret,
  type SentinelDataCollectorConfig,
  type SentinelLogsIngestionConfig,
  type SplunkHecConfig,
  sealDestinationConfig,
  secretContext,
} from "./config.js";
export { createDestination, type DestinationDeps } from "./create-destination.js";
export { Deliverer, type DelivererOptions, type DeliveryOutcome, type ParkReason } from "./deliverer.js";
export type { DestinationKind, SiemDestination, TestConnectionResult } from "./destination.js";
export { AZURE_CLOUDS } from "./entra-token.js";
export {
  ConfigError,
  DeliveryError,
  type DeliveryErrorCode,
  type DeliveryErrorInit,
  isDeliveryError,
} from "./errors.js";
export {
  CLOUDWATCH_DEFAULTS,
  CLOUDWATCH_EVENT_OVERHEAD_BYTES,
  type CloudWatchEnvelope,
  type CloudWatchFormatOptions,
  cloudWatchTimestampMs,
  type PutLogEventsEvent,
  toCloudWatchEnvelope,
  toPutLogEventsEvent,
} from "./format-cloudwatch.js";
export {
  SENTINEL_COLUMNS,
  SENTINEL_DEFAULT_LOG_TYPE,
  SENTINEL_DEFAULT_STREAM,
  SENTINEL_DEFAULT_TABLE,
  type SentinelColumn,
  type SentinelRecord,
  sentinelDcrTemplate,
  sentinelStreamDeclaration,
  sentinelTableColumns,
  sentinelTransformKql,
  toDataCollectorRecord,
  toLogsIngestionRecord,
} from "./format-sentinel.js";
export {
  encodeHecBatch,
  encodeHecEvent,
  HEC_DEFAULTS,
  type HecEvent,
  type HecFormatOptions,
  toHecEvent,
} from "./format-splunk.js";
export type { FetchLike } from "./http.js";
export { childLogger, type LogFields, type Logger, noopLogger } from "./logger.js";
export {
  type EzMonitorRecord,
  MAX_FIELD_CHARS,
  MAX_LIST_ITEMS,
  type RecordValue,
  severityName,
  toEzMonitorRecord,
} from "./record.js";
export {
  abortableSleep,
  classifyDeliveryError,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  MAX_RETRY_AFTER_MS,
  nextDelayMs,
  parseRetryAfter,
  type RetryAttemptInfo,
  type RetryClock,
  type RetryOptions,
  type RetryPolicy,
  retry,
} from "./retry.js";
export {
  isSealedSecret,
  parseKeyMaterial,
  redact,
  SECRET_KEY_BYTES,
  Secret,
  SecretBox,
  type SecretBoxOptions,
  scrubSecrets,
} from "./secret-box.js";
export { secretKeysVar } from "./secret-keys-var.js";
export { DATA_COLLECTOR_DEPRECATION_WARNING, DATA_COLLECTOR_RETIREMENT } from "./sentinel-data-collector.js";
export { dataCollectorAuthorization, dataCollectorStringToSign, rfc1123 } from "./shared-key.js";
export { type SigV4Credentials, type SigV4Request, type SigV4Scope, signSigV4, toAmzDate } from "./sigv4.js";
export { connectionTestAlert, hintFor, TEST_EVENT_ID } from "./test-connection.js";
export { batchTraceContext, MAX_BATCH_LINKS, type SiemSpanInfo, tracedFetch } from "./traced-fetch.js";
