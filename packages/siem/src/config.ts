import type { DestinationKind } from "./destination.js";
import { ConfigError } from "./errors.js";
import { isSealedSecret, type Secret, type SecretBox } from "./secret-box.js";

/**
 * A sealed credential as stored: `ctw1:<keyId>:<data>` from {@link SecretBox.seal}.
 * Destination configs hold credentials only in this form; see {@link sealDestinationConfig}.
 */
export type SealedSecret = string;

/** Limits and timeouts every destination accepts. */
export interface CommonDestinationFields {
  /** Stable ID of this destination (1-64 of `[A-Za-z0-9._-]`); binds its sealed secrets. */
  readonly id: string;
  /** Events per request; defaults and maxima per kind (see README). */
  readonly maxEvents?: number;
  /** Bytes per request; defaults and maxima per kind (see README). */
  readonly maxBytes?: number;
  /** Deadline of one HTTP request, ms. Default 15 000. */
  readonly timeoutMs?: number;
}

/** Splunk HTTP Event Collector (`/services/collector/event`). */
export interface SplunkHecConfig extends CommonDestinationFields {
  readonly kind: "splunk-hec";
  /** HEC base URL, e.g. `https://http-inputs-acme.splunkcloud.com` or `https://splunk.example.com:8088`. */
  readonly url: string;
  /** The HEC token, sealed. */
  readonly token: SealedSecret;
  /** Default `ezmonitor_alerts`. */
  readonly sourcetype?: string;
  /** Default `ctwatch`. */
  readonly source?: string;
  /** Omitted: the token's default index. */
  readonly index?: string;
  readonly host?: string;
  /** Use indexer acknowledgement (the token must have it enabled). Default false. */
  readonly useAck?: boolean;
  /** How long to wait for indexing acknowledgement, ms. Default 60 000. */
  readonly ackTimeoutMs?: number;
  /** Acknowledgement polling interval, ms. Default 1 000. */
  readonly ackPollIntervalMs?: number;
  /** The ack channel GUID; default a random one per process. */
  readonly channel?: string;
}

/** CloudWatch Logs credentials: an API key (bearer token) for the HLC endpoint, or SigV4 keys for PutLogEvents. */
export type CloudWatchAuthConfig =
  | { readonly type: "api-key"; readonly apiKey: SealedSecret }
  | {
      readonly type: "sigv4";
      readonly accessKeyId: string;
      readonly secretAccessKey: SealedSecret;
      readonly sessionToken?: SealedSecret;
    };

/** Amazon CloudWatch Logs. */
export interface CloudWatchLogsConfig extends CommonDestinationFields {
  readonly kind: "cloudwatch-logs";
  /** AWS region, e.g. `us-east-1`. */
  readonly region: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly auth: CloudWatchAuthConfig;
  /** Endpoint override (VPC endpoint, tests). Default `https://logs.<region>.amazonaws.com` (`.com.cn` in China). */
  readonly endpoint?: string;
  /** Default `EZMonitor`. */
  readonly source?: string;
  /** Default `EZMonitor_Alerts`. */
  readonly sourcetype?: string;
  readonly host?: string;
}

/** Azure clouds: they differ in Entra authority, token audience and ingestion domains. */
export type AzureCloud = "public" | "usgov" | "china";

/** Microsoft Sentinel via the Logs Ingestion API (DCR-based). */
export interface SentinelLogsIngestionConfig extends CommonDestinationFields {
  readonly kind: "sentinel-logs-ingestion";
  /** Directory (tenant) ID of the app registration. */
  readonly tenantId: string;
  /** Application (client) ID. */
  readonly clientId: string;
  readonly clientSecret: SealedSecret;
  /** DCR logs-ingestion endpoint or DCE URL, e.g. `https://my-dce-abcd.eastus-1.ingest.monitor.azure.com`. */
  readonly endpoint: string;
  /** `dcr-` followed by 32 hex digits. */
  readonly dcrImmutableId: string;
  /** Default `Custom-EZMonitor_Alerts_CL`. */
  readonly streamName?: string;
  /** Default `public`. */
  readonly cloud?: AzureCloud;
  /** Overrides the cloud's Entra authority, e.g. `https://login.microsoftonline.com`. */
  readonly authorityHost?: string;
  /** Overrides the cloud's token scope, e.g. `https://monitor.azure.com//.default`. */
  readonly scope?: string;
}

/** Microsoft Sentinel via the legacy HTTP Data Collector API (deprecated, retired 2026-09-14). */
export interface SentinelDataCollectorConfig extends CommonDestinationFields {
  readonly kind: "sentinel-data-collector";
  /** Log Analytics workspace ID (GUID). */
  readonly workspaceId: string;
  /** Primary or secondary workspace key (base64), sealed. */
  readonly workspaceKey: SealedSecret;
  /** Default `EZMonitor_Alerts` (table `EZMonitor_Alerts_CL`). */
  readonly logType?: string;
  /** Default `public`. */
  readonly cloud?: AzureCloud;
  /** Overrides `https://<workspaceId>.ods.opinsights.azure.com`. */
  readonly endpoint?: string;
  /** Record field that becomes TimeGenerated. Default `DetectedAt`. */
  readonly timeGeneratedField?: string;
  /** Resource ID for resource-context queries (`x-ms-AzureResourceId`). */
  readonly azureResourceId?: string;
}

/** One destination as stored: a discriminated union on `kind`, credentials sealed. */
export type DestinationConfig =
  | SplunkHecConfig
  | CloudWatchLogsConfig
  | SentinelLogsIngestionConfig
  | SentinelDataCollectorConfig;

/** Options of {@link parseDestinationConfig}. */
export interface ParseConfigOptions {
  /** Accept `http:` URLs (local test receivers). Default false: credentials travel only over TLS. */
  readonly allowInsecureHttp?: boolean;
}

/** Per-kind request limits: default and largest allowed value. */
export const DESTINATION_LIMITS: Readonly<
  Record<
    DestinationKind,
    { readonly maxEvents: readonly [number, number]; readonly maxBytes: readonly [number, number] }
  >
> = {
  // HEC: Splunk's default max_content_length is 1 MB on Splunk Cloud-like setups; stay at half.
  "splunk-hec": { maxEvents: [100, 10_000], maxBytes: [512 * 1024, 838_860_800] },
  // PutLogEvents: 10 000 events, 1 048 576 bytes counting 26 bytes per event.
  "cloudwatch-logs": { maxEvents: [1_000, 10_000], maxBytes: [1_048_576, 1_048_576] },
  // Logs Ingestion: 1 MB per call (read as 10^6 to be safe).
  "sentinel-logs-ingestion": { maxEvents: [500, 10_000], maxBytes: [1_000_000, 1_000_000] },
  // Data Collector: 30 MB per post; small requests keep retries cheap.
  "sentinel-data-collector": { maxEvents: [500, 10_000], maxBytes: [1_000_000, 30_000_000] },
};

/** Default request deadline, ms. */
export const DEFAULT_TIMEOUT_MS = 15_000;

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const KINDS: readonly DestinationKind[] = [
  "splunk-hec",
  "cloudwatch-logs",
  "sentinel-logs-ingestion",
  "sentinel-data-collector",
];

/**
 * Validates an untrusted config (JSON from storage or an API) and returns it typed.
 * Credentials must already be sealed. Throws {@link ConfigError} naming the first bad
 * field (`url`, `auth.accessKeyId`, …) with what is wrong; never echoes credential values.
 */
export function parseDestinationConfig(input: unknown, options: ParseConfigOptions = {}): DestinationConfig {
  const r = new FieldReader(input, "", options);
  const kind = r.enumOf("kind", KINDS);
  const common = {
    id: r.string("id", { pattern: ID, patternText: "1-64 letters, digits, '.', '_' or '-'" }),
    ...r.optionalInt("maxEvents", 1, DESTINATION_LIMITS[kind].maxEvents[1]),
    ...r.optionalInt("maxBytes", 1024, DESTINATION_LIMITS[kind].maxBytes[1]),
    ...r.optionalInt("timeoutMs", 100, 300_000),
  };
  switch (kind) {
    case "splunk-hec": {
      const config: SplunkHecConfig = {
        kind,
        ...common,
        url: r.url("url"),
        token: r.sealed("token"),
        ...r.optionalString("sourcetype", { pattern: /^[^\s"]{1,128}$/ }),
        ...r.optionalString("source", { pattern: /^[^\s"]{1,256}$/ }),
        ...r.optionalString("index", {
          pattern: /^[a-z0-9_][a-z0-9_-]{0,79}$/,
          patternText: "a Splunk index name",
        }),
        ...r.optionalString("host", { pattern: /^[^\s"]{1,256}$/ }),
        ...r.optionalBool("useAck"),
        ...r.optionalInt("ackTimeoutMs", 1, 600_000),
        ...r.optionalInt("ackPollIntervalMs", 1, 60_000),
        ...r.optionalString("channel", { pattern: GUID, patternText: "a GUID" }),
      };
      return config;
    }
    case "cloudwatch-logs": {
      const auth = r.child("auth");
      const type = auth.enumOf("type", ["api-key", "sigv4"] as const);
      const config: CloudWatchLogsConfig = {
        kind,
        ...common,
        region: r.string("region", {
          pattern: /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/,
          patternText: "an AWS region like us-east-1",
        }),
        logGroup: r.string("logGroup", {
          pattern: /^[.\-_/#A-Za-z0-9]{1,512}$/,
          patternText: "a log group name",
        }),
        logStream: r.string("logStream", { pattern: /^[^:*]{1,512}$/, patternText: "a log stream name" }),
        auth:
          type === "api-key"
            ? { type, apiKey: auth.sealed("apiKey") }
            : {
                type,
                accessKeyId: auth.string("accessKeyId", {
                  pattern: /^[A-Z0-9]{16,128}$/,
                  patternText: "an AWS access key ID",
                }),
                secretAccessKey: auth.sealed("secretAccessKey"),
                ...auth.optionalSealed("sessionToken"),
              },
        ...r.optionalUrl("endpoint"),
        ...r.optionalString("source", { pattern: /^.{1,256}$/ }),
        ...r.optionalString("sourcetype", { pattern: /^.{1,256}$/ }),
        ...r.optionalString("host", { pattern: /^.{1,256}$/ }),
      };
      return config;
    }
    case "sentinel-logs-ingestion": {
      const config: SentinelLogsIngestionConfig = {
        kind,
        ...common,
        tenantId: r.string("tenantId", { pattern: GUID, patternText: "a GUID" }),
        clientId: r.string("clientId", { pattern: GUID, patternText: "a GUID" }),
        clientSecret: r.sealed("clientSecret"),
        endpoint: r.url("endpoint"),
        dcrImmutableId: r.string("dcrImmutableId", {
          pattern: /^dcr-[0-9a-f]{32}$/,
          patternText: "dcr- followed by 32 hex digits",
        }),
        ...r.optionalString("streamName", {
          pattern: /^Custom-[A-Za-z0-9_]{1,200}$/,
          patternText: "Custom-<name>",
        }),
        ...r.optionalEnum("cloud", ["public", "usgov", "china"] as const),
        ...r.optionalUrl("authorityHost"),
        ...r.optionalString("scope", {
          pattern: /^https:\/\/\S+\/\.default$/,
          patternText: "a URL ending in /.default",
        }),
      };
      return config;
    }
    case "sentinel-data-collector": {
      const config: SentinelDataCollectorConfig = {
        kind,
        ...common,
        workspaceId: r.string("workspaceId", { pattern: GUID, patternText: "a GUID" }),
        workspaceKey: r.sealed("workspaceKey"),
        ...r.optionalString("logType", {
          pattern: /^[A-Za-z0-9_]{1,100}$/,
          patternText: "letters, digits and '_' (at most 100)",
        }),
        ...r.optionalEnum("cloud", ["public", "usgov", "china"] as const),
        ...r.optionalUrl("endpoint"),
        ...r.optionalString("timeGeneratedField", { pattern: /^[A-Za-z][A-Za-z0-9_]{0,44}$/ }),
        ...r.optionalString("azureResourceId", {
          pattern: /^\/subscriptions\/\S+$/,
          patternText: "an Azure resource ID",
        }),
      };
      return config;
    }
  }
}

/** The credential fields of each kind, as dotted paths; what {@link sealDestinationConfig} seals. */
export const SECRET_FIELDS: Readonly<Record<DestinationKind, readonly string[]>> = {
  "splunk-hec": ["token"],
  "cloudwatch-logs": ["auth.apiKey", "auth.secretAccessKey", "auth.sessionToken"],
  "sentinel-logs-ingestion": ["clientSecret"],
  "sentinel-data-collector": ["workspaceKey"],
};

/** The additional-data context a secret of destination `id` at `field` is sealed under. */
export function secretContext(id: string, field: string): string {
  return `destination:${id}:${field}`;
}

/**
 * Seals the plain credentials of a config entered by a user (settings form, API),
 * then validates it: the result is what may be stored. Values that are already
 * sealed are kept, so a form can send back unchanged secrets as they were.
 */
export function sealDestinationConfig(
  input: Readonly<Record<string, unknown>>,
  box: SecretBox,
  options: ParseConfigOptions = {},
): DestinationConfig {
  const kind = input.kind;
  const id = input.id;
  if (typeof kind !== "string" || !KINDS.includes(kind as DestinationKind)) {
    throw new ConfigError("kind", `must be one of ${KINDS.join(", ")}`);
  }
  if (typeof id !== "string" || !ID.test(id))
    throw new ConfigError("id", "must be 1-64 letters, digits, '.', '_' or '-'");
  const copy = structuredClone(input) as Record<string, unknown>;
  for (const path of SECRET_FIELDS[kind as DestinationKind]) {
    const [head, tail] = path.split(".") as [string, string | undefined];
    const holder = tail === undefined ? copy : (copy[head] as Record<string, unknown> | undefined);
    const key = tail ?? head;
    if (!holder || typeof holder !== "object") continue;
    const value = holder[key];
    if (value === undefined) continue;
    if (typeof value !== "string" || value === "") throw new ConfigError(path, "must be a non-empty string");
    if (!isSealedSecret(value)) holder[key] = box.seal(value, secretContext(id, path));
  }
  return parseDestinationConfig(copy, options);
}

/** Opens the sealed credential at `field` of destination `id`; a failure names the field, not the value. */
export function openSecret(box: SecretBox, id: string, field: string, sealed: SealedSecret): Secret {
  try {
    return box.open(sealed, secretContext(id, field));
  } catch (error) {
    throw new ConfigError(field, `cannot be decrypted (${(error as Error).message})`);
  }
}

/**
 * A log-safe view of a config: sealed credentials are replaced by `[REDACTED]`
 * (ciphertext is not secret, but it has no business in logs either).
 */
export function describeDestinationConfig(config: DestinationConfig): Record<string, unknown> {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  for (const path of SECRET_FIELDS[config.kind]) {
    const [head, tail] = path.split(".") as [string, string | undefined];
    const holder = tail === undefined ? copy : (copy[head] as Record<string, unknown> | undefined);
    const key = tail ?? head;
    if (holder && holder[key] !== undefined) holder[key] = "[REDACTED]";
  }
  return copy;
}

interface StringRule {
  readonly pattern?: RegExp;
  readonly patternText?: string;
}

/** Reads typed fields from an untrusted object, naming the dotted path in every error. */
class FieldReader {
  readonly #obj: Record<string, unknown>;
  readonly #prefix: string;
  readonly #options: ParseConfigOptions;

  constructor(input: unknown, prefix: string, options: ParseConfigOptions) {
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      throw new ConfigError(prefix || "(config)", "must be an object");
    }
    this.#obj = input as Record<string, unknown>;
    this.#prefix = prefix;
    this.#options = options;
  }

  #path(name: string): string {
    return this.#prefix ? `${this.#prefix}.${name}` : name;
  }

  child(name: string): FieldReader {
    if (this.#obj[name] === undefined) throw new ConfigError(this.#path(name), "is required");
    return new FieldReader(this.#obj[name], this.#path(name), this.#options);
  }

  string(name: string, rule: StringRule = {}): string {
    const value = this.#obj[name];
    if (value === undefined || value === null || value === "")
      throw new ConfigError(this.#path(name), "is required");
    if (typeof value !== "string") throw new ConfigError(this.#path(name), "must be a string");
    if (rule.pattern && !rule.pattern.test(value)) {
      throw new ConfigError(
        this.#path(name),
        `must be ${rule.patternText ?? `of the form ${rule.pattern.source}`}`,
      );
    }
    return value;
  }

  optionalString<K extends string>(name: K, rule: StringRule = {}): { [P in K]?: string } {
    if (this.#obj[name] === undefined || this.#obj[name] === null || this.#obj[name] === "") return {};
    return { [name]: this.string(name, rule) } as { [P in K]?: string };
  }

  enumOf<T extends string>(name: string, allowed: readonly T[]): T {
    const value = this.#obj[name];
    if (typeof value !== "string" || !allowed.includes(value as T)) {
      throw new ConfigError(this.#path(name), `must be one of ${allowed.join(", ")}`);
    }
    return value as T;
  }

  optionalEnum<K extends string, T extends string>(name: K, allowed: readonly T[]): { [P in K]?: T } {
    if (this.#obj[name] === undefined) return {};
    return { [name]: this.enumOf(name, allowed) } as { [P in K]?: T };
  }

  optionalInt<K extends string>(name: K, min: number, max: number): { [P in K]?: number } {
    const value = this.#obj[name];
    if (value === undefined) return {};
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(this.#path(name), `must be an integer from ${min} to ${max}`);
    }
    return { [name]: value } as { [P in K]?: number };
  }

  optionalBool<K extends string>(name: K): { [P in K]?: boolean } {
    const value = this.#obj[name];
    if (value === undefined) return {};
    if (typeof value !== "boolean") throw new ConfigError(this.#path(name), "must be true or false");
    return { [name]: value } as { [P in K]?: boolean };
  }

  url(name: string): string {
    const text = this.string(name);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw new ConfigError(this.#path(name), "must be an absolute URL");
    }
    const insecureOk = this.#options.allowInsecureHttp === true && url.protocol === "http:";
    if (url.protocol !== "https:" && !insecureOk)
      throw new ConfigError(this.#path(name), "must be an https:// URL");
    if (url.username || url.password) throw new ConfigError(this.#path(name), "must not contain credentials");
    if (url.search || url.hash)
      throw new ConfigError(this.#path(name), "must not contain a query or fragment");
    return text;
  }

  optionalUrl<K extends string>(name: K): { [P in K]?: string } {
    if (this.#obj[name] === undefined || this.#obj[name] === "") return {};
    return { [name]: this.url(name) } as { [P in K]?: string };
  }

  sealed(name: string): SealedSecret {
    const value = this.#obj[name];
    if (value === undefined || value === null || value === "")
      throw new ConfigError(this.#path(name), "is required");
    if (!isSealedSecret(value)) {
      throw new ConfigError(
        this.#path(name),
        "must be sealed (store credentials only via sealDestinationConfig)",
      );
    }
    return value;
  }

  optionalSealed<K extends string>(name: K): { [P in K]?: SealedSecret } {
    if (this.#obj[name] === undefined) return {};
    return { [name]: this.sealed(name) } as { [P in K]?: SealedSecret };
  }
}
