/**
 * @ctwatch/siem-testkit: strict local stand-ins for the SIEM ingestion APIs, on
 * 127.0.0.1 and a random port, recording what they accept and injecting faults.
 * Independent of @ctwatch/siem's code (own signature checks), so the two test each other.
 */
export {
  CloudWatchLogsReceiver,
  type CloudWatchLogsReceiverOptions,
  type StoredLogEvent,
  type TestLogGroup,
} from "./cloudwatch-logs-receiver.js";
export { compileTransformKql, type KqlRow } from "./dcr-transform.js";
export { parseConcatenatedJson, type StreamItem } from "./json-stream.js";
export {
  ClassicCustomTable,
  inferSuffix,
  type LogAnalyticsRow,
  type TypeSuffix,
} from "./log-analytics-table.js";
export { compileMetricFilter } from "./metric-filter.js";
export {
  type Fault,
  type ReceiverOptions,
  ReceiverServer,
  type RecordedRequest,
  type Reply,
  splitUrl,
} from "./receiver-server.js";
export {
  expectedSharedKeySignature,
  SentinelDataCollectorReceiver,
  type SentinelDataCollectorReceiverOptions,
} from "./sentinel-data-collector-receiver.js";
export {
  SentinelLogsIngestionReceiver,
  type SentinelLogsIngestionReceiverOptions,
  type StreamDeclaration,
  type TestDcr,
} from "./sentinel-logs-ingestion-receiver.js";
export { type ReceivedRequest, type SigV4Failure, verifySigV4 } from "./sigv4-verify.js";
export {
  type HecReceivedEvent,
  type HecTokenSettings,
  SplunkHecReceiver,
  type SplunkHecReceiverOptions,
} from "./splunk-hec-receiver.js";
