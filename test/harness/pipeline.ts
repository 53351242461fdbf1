import type { StaticCtTestLog } from "@ctwatch/ct-testlog";
import { SecretBox, sealDestinationConfig } from "@ctwatch/siem";
import { type Database, MongoDestinationStore } from "@ctwatch/store";
import type { InfraEnv } from "./names.js";

/** The AES-256 key (base64) the pipeline tests seal destination secrets with. */
export const PIPELINE_SECRET = Buffer.alloc(32, 7).toString("base64");

/** Environment every service of one pipeline test shares: servers, database, topic and group prefixes. */
export function pipelineEnv(infra: InfraEnv, prefix: string, dbName: string): Record<string, string> {
  return {
    KAFKA_BROKERS: infra.kafkaBrokers.join(","),
    MONGODB_URI: infra.mongoUri,
    MONGODB_DB: dbName,
    CTWATCH_TOPIC_PREFIX: prefix,
    CTWATCH_GROUP_PREFIX: prefix,
    CTWATCH_LOG_LEVEL: "warn",
  };
}

/** alert-sink settings for tests: the test key, local http receivers, destinations read once. */
export function sinkEnv(): Record<string, string> {
  return {
    CTWATCH_SECRET_KEYS: `k1:${PIPELINE_SECRET}`,
    CTWATCH_ALLOW_INSECURE_HTTP: "true",
    CTWATCH_DESTINATIONS_REFRESH_MS: "0",
  };
}

/** ct-tailer settings that tail `log` from index 0, fetching partial tiles at once. */
export function tailerEnv(log: StaticCtTestLog): Record<string, string> {
  return {
    CTWATCH_LOG_URL: log.url,
    CTWATCH_LOG_KEY: Buffer.from(log.publicKeyDer).toString("base64"),
    CTWATCH_LOG_ORIGIN: log.origin,
    CTWATCH_PARTIAL_TILE_MIN_AGE_MS: "0",
    CTWATCH_POLL_INTERVAL_MS: "200",
  };
}

/** Stores a Splunk HEC destination for `tenantId`, its token sealed with {@link PIPELINE_SECRET}. */
export async function addSplunkDestination(
  db: Database,
  d: { tenantId: string; id: string; url: string; token: string },
): Promise<void> {
  const box = new SecretBox({ currentKeyId: "k1", keys: { k1: Buffer.from(PIPELINE_SECRET, "base64") } });
  const dests = new MongoDestinationStore(db.db);
  await dests.init();
  const config = sealDestinationConfig({ kind: "splunk-hec", id: d.id, url: d.url, token: d.token }, box, {
    allowInsecureHttp: true,
  });
  await dests.put({
    tenantId: d.tenantId,
    id: d.id,
    enabled: true,
    config: config as unknown as Record<string, unknown>,
    updatedAtMs: Date.now(),
  });
}
