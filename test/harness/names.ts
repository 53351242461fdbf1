import { randomBytes } from "node:crypto";

/** A short random suffix so each test run uses its own topics, groups and database. */
export function uniqueId(label: string): string {
  return `${label}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

/** Where the test servers are. */
export interface InfraEnv {
  kafkaBrokers: string[];
  mongoUri: string;
}

/** Endpoints the global setup exported. */
export function infraEnv(): InfraEnv {
  const k = process.env.KAFKA_BROKERS;
  const m = process.env.MONGODB_URI;
  if (!k || !m)
    throw new Error("KAFKA_BROKERS / MONGODB_URI not set: run through jest's integration project");
  return { kafkaBrokers: k.split(","), mongoUri: m };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Deletes the topics a test created under its prefix (best effort: a test's cleanup must not fail it). */
export async function deleteTopics(brokers: string[], prefix: string): Promise<void> {
  const { Kafka, logLevel } = await import("kafkajs");
  const admin = new Kafka({ clientId: "test-cleanup", brokers, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`));
    if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 10_000 });
  } catch {
    // Left for retention to expire.
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
