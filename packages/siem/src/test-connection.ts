import { create } from "@bufbuild/protobuf";
import { type Alert, AlertSchema, Severity } from "@ctwatch/proto";
import type { DestinationKind, TestConnectionResult } from "./destination.js";
import { ConfigError, DeliveryError, type DeliveryErrorCode } from "./errors.js";

/** `VulnerabilityID` of connection-test events: 0 is no EZMonitor event, so no customer rule fires on it. */
export const TEST_EVENT_ID = 0;

/** The alert a connection test writes: event 0, informational, clearly labelled. */
export function connectionTestAlert(nowMs: number, tenantId = ""): Alert {
  return create(AlertSchema, {
    alertId: `ctwatch-connection-test-${nowMs}`,
    tenantId,
    eventId: TEST_EVENT_ID,
    summary: "ctwatch connection test",
    description: "Test event written by ctwatch's Test Connection. It is not an alert and can be ignored.",
    severity: Severity.INFO,
    detector: "ctwatch/test-connection",
    detectedAtMs: BigInt(nowMs),
  });
}

/**
 * Runs a connection test: times `probe`, and turns any failure into a specific,
 * user-facing {@link TestConnectionResult}. Cancellation still rejects.
 */
export async function runConnectionTest(
  kind: DestinationKind,
  signal: AbortSignal,
  now: () => number,
  probe: () => Promise<{ message: string; warnings?: readonly string[] }>,
): Promise<TestConnectionResult> {
  const started = now();
  try {
    const { message, warnings } = await probe();
    return { ok: true, message, latencyMs: now() - started, warnings: warnings ?? [] };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    const latencyMs = now() - started;
    if (error instanceof ConfigError) {
      return {
        ok: false,
        code: "invalid-configuration",
        message: error.message,
        hint: "Fix the named field.",
        latencyMs,
      };
    }
    if (error instanceof DeliveryError) {
      return {
        ok: false,
        code: error.code,
        message: error.message,
        hint: hintFor(error.code, kind),
        ...(error.status === undefined ? {} : { status: error.status }),
        latencyMs,
      };
    }
    return {
      ok: false,
      code: "unknown",
      message: "the test failed unexpectedly",
      hint: "Check the service logs; retry the test.",
      latencyMs,
    };
  }
}

const CREDENTIAL_HINTS: Readonly<Record<DestinationKind, string>> = {
  "splunk-hec":
    "Check the HEC token (Splunk: Settings → Data inputs → HTTP Event Collector). Paste the token itself, without the word 'Splunk'.",
  "cloudwatch-logs":
    "Check the CloudWatch API key (Settings → Logs → API keys): it may have expired or been revoked. For SigV4, check the access key ID and secret.",
  "sentinel-logs-ingestion":
    "Check the directory (tenant) ID, application (client) ID and client secret; client secrets expire.",
  "sentinel-data-collector":
    "Check the Workspace ID and the primary key (Log Analytics workspace → Agents → Log Analytics agent instructions).",
};

const NOT_FOUND_HINTS: Readonly<Record<DestinationKind, string>> = {
  "splunk-hec":
    "Point the URL at the HEC endpoint: https://<host>:8088 (Splunk Enterprise) or https://http-inputs-<stack>.splunkcloud.com (Splunk Cloud).",
  "cloudwatch-logs": "Check the region, log group and log stream names (they are case-sensitive).",
  "sentinel-logs-ingestion":
    "Check the ingestion endpoint, the DCR immutable ID (dcr-…) and that the stream name is declared in the DCR.",
  "sentinel-data-collector": "Check the Workspace ID.",
};

/** What to do about a failed check, for `kind`. */
export function hintFor(code: DeliveryErrorCode, kind: DestinationKind): string {
  switch (code) {
    case "credentials-rejected":
      return CREDENTIAL_HINTS[kind];
    case "token-required":
      return "The request carried no credential; enter the token and save again.";
    case "token-disabled":
      return "The HEC token is disabled in Splunk: enable it (Settings → Data inputs → HTTP Event Collector) or use another token.";
    case "forbidden":
      return kind === "sentinel-logs-ingestion"
        ? "Assign the application the 'Monitoring Metrics Publisher' role on the data collection rule (it can take up to 30 minutes to apply)."
        : "The credential is valid but lacks permission: it needs logs:PutLogEvents (and logs:CallWithBearerToken for API keys) on the log group.";
    case "bearer-auth-disabled":
      return "Enable bearer token authentication on the log group: CloudWatch → Log groups → <group> → Actions → Edit bearer token authentication → Yes.";
    case "log-group-not-found":
      return "Create the log group or fix its name (names are case-sensitive and region-specific).";
    case "log-stream-not-found":
      return "Create the log stream in the log group or fix its name.";
    case "not-found":
      return NOT_FOUND_HINTS[kind];
    case "incorrect-index":
      return "The token may not write to that index: add it to the token's allowed indexes or leave the index empty.";
    case "ack-misconfigured":
      return "Indexer acknowledgement does not match the token: turn 'Use indexer acknowledgement' on if the token has it enabled, off otherwise.";
    case "ack-timeout":
      return "Splunk accepted the event but did not confirm indexing in time; check indexer health and retry.";
    case "unexpected-redirect":
      return "The URL redirects elsewhere (often the Splunk Web or a login page); use the ingestion endpoint's URL.";
    case "dns-failure":
      return "Check the host name; if it is correct, check this service's DNS resolution.";
    case "tls-failure":
      return "The server's TLS certificate is not trusted (self-signed, expired or for another name). Install a certificate from a public CA.";
    case "connection-refused":
      return kind === "splunk-hec"
        ? "Nothing accepts connections at that host and port: check that HTTP Event Collector is enabled (Global Settings → All Tokens: Enabled) and the port (default 8088)."
        : "Nothing accepts connections at that address; check the endpoint URL.";
    case "connection-failed":
      return "The connection broke; check firewalls and proxies between ctwatch and the SIEM, then retry.";
    case "timeout":
      return "No answer in time: check that the SIEM allows connections from ctwatch's egress addresses, then retry.";
    case "rate-limited":
    case "server-busy":
    case "server-error":
      return "The SIEM is temporarily unable to accept data; retry in a few minutes.";
    case "payload-too-large":
      return "The SIEM rejected the request size; lower the batch size limits.";
    case "invalid-data":
    case "events-rejected":
      return kind === "sentinel-logs-ingestion"
        ? "The DCR stream declaration does not match ctwatch's records; redeploy the DCR from the documented template."
        : "The SIEM rejected the event format; report this to ctwatch support.";
    case "circuit-open":
      return "Deliveries to this destination are paused after repeated failures; they resume automatically.";
    default:
      return "Retry the test; if it keeps failing, check the service logs.";
  }
}
