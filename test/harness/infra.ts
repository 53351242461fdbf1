/**
 * Real infrastructure for the integration tests, selected by TEST_INFRA:
 *   external  use KAFKA_BROKERS and MONGODB_URI as given (nothing is started)
 *   local     the project's scripts (scripts/infra/up.sh): Kafka from Maven
 *             Central jars, FerretDB built through the Go module proxy (or a
 *             mongod on PATH / MONGODB_URI)
 *   docker    testcontainers (needs a Docker engine)
 *   auto      (default) external when both variables are set, else docker when
 *             an engine answers, else local
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Endpoints of the running infrastructure. */
export interface InfraEndpoints {
  kafkaBrokers: string;
  mongoUri: string;
  /** How they were provided, for logs. */
  mode: "external" | "local" | "docker";
}

/** Repository root (tests run with the repo root as working directory). */
export const repoRoot = path.resolve(process.cwd());

function stateDir(): string {
  return process.env.CTWATCH_STATE_DIR ?? path.join(repoRoot, ".infra");
}

/** Reads KEY=VALUE lines of `.infra/env`. */
export function readInfraEnv(): Record<string, string> {
  const file = path.join(stateDir(), "env");
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m?.[1] && m[2] !== undefined) out[m[1]] = m[2].replace(/^["']|["']$/g, "");
  }
  return out;
}

async function dockerAvailable(): Promise<boolean> {
  const sock = process.env.DOCKER_HOST?.replace(/^unix:\/\//, "") ?? "/var/run/docker.sock";
  if (!existsSync(sock)) return false;
  return new Promise((resolve) => {
    const s = connect(sock);
    s.setTimeout(1000);
    s.once("connect", () => {
      s.end();
      resolve(true);
    });
    s.once("error", () => resolve(false));
    s.once("timeout", () => {
      s.destroy();
      resolve(false);
    });
  });
}

/** Starts (or finds) the infrastructure; returns its endpoints and a stop function for what it started. */
export async function startInfra(): Promise<{ endpoints: InfraEndpoints; stop: () => Promise<void> }> {
  const mode = process.env.TEST_INFRA ?? "auto";
  if (!["auto", "external", "local", "docker"].includes(mode)) {
    throw new Error(`TEST_INFRA=${mode} is invalid: expected auto, external, local or docker`);
  }
  const givenKafka = process.env.KAFKA_BROKERS;
  const givenMongo = process.env.MONGODB_URI;
  if (mode === "external" || (mode === "auto" && givenKafka && givenMongo)) {
    if (!givenKafka || !givenMongo) {
      throw new Error(
        "TEST_INFRA=external needs KAFKA_BROKERS (host:port list) and MONGODB_URI (mongodb:// URI)",
      );
    }
    return {
      endpoints: { kafkaBrokers: givenKafka, mongoUri: givenMongo, mode: "external" },
      stop: async () => {},
    };
  }
  if (mode === "docker" || (mode === "auto" && (await dockerAvailable()))) {
    return startDocker();
  }
  return startLocal();
}

async function startLocal(): Promise<{ endpoints: InfraEndpoints; stop: () => Promise<void> }> {
  const script = path.join(repoRoot, "scripts/infra/up.sh");
  try {
    await run("bash", [script], { cwd: repoRoot, maxBuffer: 16 << 20, timeout: 20 * 60_000 });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`scripts/infra/up.sh failed: ${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
  }
  const env = readInfraEnv();
  if (!env.KAFKA_BROKERS || !env.MONGODB_URI)
    throw new Error(`up.sh did not write KAFKA_BROKERS/MONGODB_URI to ${stateDir()}/env`);
  // Servers are left running between runs on a developer machine (fast re-runs);
  // CI stops them explicitly with `scripts/infra/down.sh`.
  return {
    endpoints: { kafkaBrokers: env.KAFKA_BROKERS, mongoUri: env.MONGODB_URI, mode: "local" },
    stop: async () => {},
  };
}

async function startDocker(): Promise<{ endpoints: InfraEndpoints; stop: () => Promise<void> }> {
  // Loaded lazily: testcontainers is only needed where a Docker engine runs.
  const { KafkaContainer } = await import("@testcontainers/kafka");
  const { MongoDBContainer } = await import("@testcontainers/mongodb");
  const kafka = await new KafkaContainer("apache/kafka:4.1.1").withKraft().start();
  const mongo = await new MongoDBContainer("mongo:8").start();
  const endpoints: InfraEndpoints = {
    kafkaBrokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    mongoUri: `${mongo.getConnectionString()}?directConnection=true`,
    mode: "docker",
  };
  return {
    endpoints,
    stop: async () => {
      await Promise.allSettled([kafka.stop(), mongo.stop()]);
    },
  };
}
