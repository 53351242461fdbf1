import { randomUUID } from "node:crypto";
import type { AdapterDeps } from "./adapter-deps.js";
import { CloudWatchLogsDestination, cloudWatchLogsEndpoint } from "./cloudwatch-logs.js";
import {
  DEFAULT_TIMEOUT_MS,
  DESTINATION_LIMITS,
  type DestinationConfig,
  openSecret,
  parseDestinationConfig,
} from "./config.js";
import type { SiemDestination } from "./destination.js";
import { AZURE_CLOUDS, EntraTokenProvider } from "./entra-token.js";
import { ConfigError } from "./errors.js";
import { CLOUDWATCH_DEFAULTS } from "./format-cloudwatch.js";
import { SENTINEL_DEFAULT_LOG_TYPE, SENTINEL_DEFAULT_STREAM } from "./format-sentinel.js";
import { HEC_DEFAULTS } from "./format-splunk.js";
import type { FetchLike } from "./http.js";
import { childLogger, type Logger } from "./logger.js";
import { abortableSleep } from "./retry.js";
import type { SecretBox } from "./secret-box.js";
import { SentinelDataCollectorDestination } from "./sentinel-data-collector.js";
import { SentinelLogsIngestionDestination } from "./sentinel-logs-ingestion.js";
import { SplunkHecDestination } from "./splunk-hec.js";
import { tracedFetch } from "./traced-fetch.js";

/** What {@link createDestination} needs besides the config. */
export interface DestinationDeps {
  /** Opens the config's sealed credentials. */
  readonly secretBox: SecretBox;
  readonly logger: Logger;
  /** Default `globalThis.fetch` (undici). */
  readonly fetch?: FetchLike;
  /** Clock, ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Accept `http:` endpoints (local receivers in tests). Default false. */
  readonly allowInsecureHttp?: boolean;
  /** GUID source for request IDs and the HEC ack channel. Default `crypto.randomUUID`. */
  readonly randomUUID?: () => string;
  /** Abortable sleep used for ack polling. Default a timer. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The ctwatch tenant owning the destination: an attribute of its request spans. */
  readonly tenantId?: string;
}

/**
 * Builds the adapter for a stored destination config. Validates `config` (so it may
 * come straight from storage), opens its sealed credentials into `Secret`s and fills
 * in defaults. Throws {@link ConfigError} naming the field for anything invalid,
 * including a credential that does not decrypt. Performs no I/O.
 */
export function createDestination(
  config: DestinationConfig | unknown,
  deps: DestinationDeps,
): SiemDestination {
  const c = parseDestinationConfig(config, { allowInsecureHttp: deps.allowInsecureHttp ?? false });
  const adapterDeps: AdapterDeps = {
    fetch: tracedFetch(deps.fetch ?? ((input, init) => fetch(input, init)), {
      destinationKind: c.kind,
      ...(deps.tenantId ? { tenantId: deps.tenantId } : {}),
    }),
    logger: childLogger(deps.logger, { destination: c.id, kind: c.kind }),
    now: deps.now ?? Date.now,
    randomUUID: deps.randomUUID ?? randomUUID,
    sleep: deps.sleep ?? abortableSleep,
  };
  const limits = {
    maxEvents: c.maxEvents ?? DESTINATION_LIMITS[c.kind].maxEvents[0],
    maxBytes: c.maxBytes ?? DESTINATION_LIMITS[c.kind].maxBytes[0],
  };
  const timeoutMs = c.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const box = deps.secretBox;
  switch (c.kind) {
    case "splunk-hec":
      return new SplunkHecDestination(
        {
          id: c.id,
          baseUrl: hecBaseUrl(c.url),
          token: openSecret(box, c.id, "token", c.token),
          format: {
            sourcetype: c.sourcetype ?? HEC_DEFAULTS.sourcetype,
            source: c.source ?? HEC_DEFAULTS.source,
            ...(c.index ? { index: c.index } : {}),
            ...(c.host ? { host: c.host } : {}),
          },
          limits,
          timeoutMs,
          useAck: c.useAck ?? false,
          ackTimeoutMs: c.ackTimeoutMs ?? 60_000,
          ackPollIntervalMs: c.ackPollIntervalMs ?? 1_000,
          channel: c.channel ?? adapterDeps.randomUUID(),
        },
        adapterDeps,
      );
    case "cloudwatch-logs": {
      const auth =
        c.auth.type === "api-key"
          ? { type: "api-key" as const, apiKey: openSecret(box, c.id, "auth.apiKey", c.auth.apiKey) }
          : {
              type: "sigv4" as const,
              accessKeyId: c.auth.accessKeyId,
              secretAccessKey: openSecret(box, c.id, "auth.secretAccessKey", c.auth.secretAccessKey),
              ...(c.auth.sessionToken
                ? { sessionToken: openSecret(box, c.id, "auth.sessionToken", c.auth.sessionToken) }
                : {}),
            };
      return new CloudWatchLogsDestination(
        {
          id: c.id,
          region: c.region,
          endpoint: c.endpoint ? new URL(c.endpoint) : cloudWatchLogsEndpoint(c.region),
          logGroup: c.logGroup,
          logStream: c.logStream,
          auth,
          format: {
            source: c.source ?? CLOUDWATCH_DEFAULTS.source,
            sourcetype: c.sourcetype ?? CLOUDWATCH_DEFAULTS.sourcetype,
            ...(c.host ? { host: c.host } : {}),
          },
          limits,
          timeoutMs,
        },
        adapterDeps,
      );
    }
    case "sentinel-logs-ingestion": {
      const cloud = AZURE_CLOUDS[c.cloud ?? "public"];
      const clientSecret = openSecret(box, c.id, "clientSecret", c.clientSecret);
      const tokens = new EntraTokenProvider({
        authorityHost: new URL(c.authorityHost ?? cloud.authorityHost),
        tenantId: c.tenantId,
        clientId: c.clientId,
        clientSecret,
        scope: c.scope ?? cloud.monitorScope,
        fetch: adapterDeps.fetch,
        now: adapterDeps.now,
        timeoutMs,
      });
      return new SentinelLogsIngestionDestination(
        {
          id: c.id,
          endpoint: new URL(c.endpoint),
          dcrImmutableId: c.dcrImmutableId,
          streamName: c.streamName ?? SENTINEL_DEFAULT_STREAM,
          tokens,
          clientSecret,
          limits,
          timeoutMs,
        },
        adapterDeps,
      );
    }
    case "sentinel-data-collector": {
      const cloud = AZURE_CLOUDS[c.cloud ?? "public"];
      const workspaceKey = openSecret(box, c.id, "workspaceKey", c.workspaceKey);
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(workspaceKey.reveal())) {
        throw new ConfigError(
          "workspaceKey",
          "must be the base64 key shown in the workspace's agent settings",
        );
      }
      return new SentinelDataCollectorDestination(
        {
          id: c.id,
          workspaceId: c.workspaceId,
          workspaceKey,
          endpoint: new URL(c.endpoint ?? `https://${c.workspaceId}.${cloud.odsDomain}`),
          logType: c.logType ?? SENTINEL_DEFAULT_LOG_TYPE,
          timeGeneratedField: c.timeGeneratedField ?? "DetectedAt",
          ...(c.azureResourceId ? { azureResourceId: c.azureResourceId } : {}),
          limits,
          timeoutMs,
        },
        adapterDeps,
      );
    }
  }
}

/** The HEC base URL: what the user pasted, without a trailing `/services/collector[/event[/1.0]]`. */
function hecBaseUrl(text: string): URL {
  const url = new URL(text);
  url.pathname =
    url.pathname.replace(/\/services\/collector(\/event(\/1\.0)?|\/raw)?\/?$/, "").replace(/\/+$/, "") || "/";
  return url;
}
