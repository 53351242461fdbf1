/**
 * Shared pieces of the alert-sink end-to-end tests (sink-*.test.ts): realistic alerts,
 * a real SMTP server (scripts/peers/smtp-server.sh, aiosmtpd) with its Maildir, the
 * alerts DLQ topic as a consumer sees it, and sealed destinations in MongoDB.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { createServer, connect as netConnect } from "node:net";
import path from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { eventDefinition } from "@ctwatch/events";
import {
  type Alert,
  AlertSchema,
  CertificateRefSchema,
  LogPositionSchema,
  WatchItem_Kind,
  WatchItemSchema,
} from "@ctwatch/proto";
import { type SecretBox, sealDestinationConfig } from "@ctwatch/siem";
import type { DestinationStore } from "@ctwatch/store";
import { Kafka, logLevel } from "kafkajs";
import { repoRoot } from "../harness/infra.js";

/** A realistic event-25 alert for `tenant`, number `i` (its own subdomain and dedup key). */
export function newSubdomainAlert(tenant: string, i: number, detectedAtMs = Date.now()): Alert {
  const def = eventDefinition(25);
  const name = `host-${i}.${tenant}.example.com`;
  return create(AlertSchema, {
    alertId: `${tenant}-${i}-${randomUUID().slice(0, 8)}`,
    dedupKey: `25|${name}`,
    tenantId: tenant,
    eventId: def.id,
    summary: def.summary,
    description: def.description,
    severity: def.defaultSeverity,
    subjectDomain: name,
    watchItem: create(WatchItemSchema, { kind: WatchItem_Kind.OWNED_DOMAIN, value: `${tenant}.example.com` }),
    certificate: create(CertificateRefSchema, {
      sha256: new Uint8Array(32).fill(i % 256),
      precertificate: true,
      positions: [
        create(LogPositionSchema, {
          logId: new Uint8Array(32).fill(1),
          logUrl: "https://ct.example.net/2026h2/",
          leafIndex: BigInt(1_000_000 + i),
        }),
      ],
      dnsNames: [name],
      subjectCn: name,
      issuerDn: "CN=R11,O=Let's Encrypt,C=US",
      serialHex: "4a1b2c3d4e5f",
      notBeforeMs: BigInt(detectedAtMs - 3_600_000),
      notAfterMs: BigInt(detectedAtMs + 90 * 86_400_000),
      loggedAtMs: BigInt(detectedAtMs - 60_000),
    }),
    detector: "new-subdomain/1",
    detectedAtMs: BigInt(detectedAtMs),
  });
}

/** Produces alerts to the alerts topic keyed like the detectors do (`tenant/dedupKey`). */
export async function produceAlerts(
  brokers: string[],
  topic: string,
  alerts: readonly Alert[],
): Promise<void> {
  const kafka = new Kafka({ clientId: "sink-test-producer", brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < alerts.length; i += 500) {
      await producer.send({
        topic,
        acks: -1,
        messages: alerts.slice(i, i + 500).map((a) => ({
          key: `${a.tenantId}/${a.dedupKey}`,
          value: Buffer.from(toBinary(AlertSchema, a)),
        })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** A record of the alerts DLQ topic. */
export interface DeadLetter {
  key: string;
  headers: Record<string, string>;
}

/** Reads the DLQ topic from the beginning until `expected` records arrived or `timeoutMs` passed. */
export async function readDeadLetters(
  brokers: string[],
  topic: string,
  expected: number,
  timeoutMs = 20_000,
): Promise<DeadLetter[]> {
  const kafka = new Kafka({ clientId: "sink-test-dlq", brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}` });
  const out: DeadLetter[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((r) => {
    done = r;
  });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(v);
      out.push({ key: message.key?.toString() ?? "", headers });
      if (out.length >= expected) done();
    },
  });
  const timer = setTimeout(() => done(), timeoutMs);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  return out;
}

/** Stores a destination config for `tenant`, with its credentials sealed. */
export async function putDestination(
  store: DestinationStore,
  box: SecretBox,
  tenantId: string,
  config: Record<string, unknown>,
): Promise<void> {
  const sealed = sealDestinationConfig(config, box, { allowInsecureHttp: true });
  await store.put({
    tenantId,
    id: String(config.id),
    enabled: true,
    config: sealed as unknown as Record<string, unknown>,
    updatedAtMs: Date.now(),
  });
}

/** A free TCP port on 127.0.0.1 (released before returning: a small race, fine for tests). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One message the SMTP server stored. */
export interface ReceivedMail {
  headers: Record<string, string>;
  body: string;
  raw: string;
}

/** The real SMTP server of scripts/peers/smtp-server.sh (aiosmtpd), storing into a Maildir. */
export interface SmtpPeer {
  readonly port: number;
  readonly url: string;
  messages(): ReceivedMail[];
  stop(): Promise<void>;
}

/** Starts scripts/peers/smtp-server.sh (installs aiosmtpd on first use) and waits until it accepts connections. */
export async function startSmtpPeer(maildir: string): Promise<SmtpPeer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    "bash",
    [path.join(repoRoot, "scripts/peers/smtp-server.sh"), String(port), maildir],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    if (stderr.length < 100_000) stderr += d.toString();
  });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`smtp-server.sh exited ${child.exitCode}: ${stderr}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = netConnect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`SMTP server did not listen on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages: () => readMaildir(maildir),
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/** Messages in a Maildir's new/ folder, oldest first, headers unfolded (names lowercase). */
export function readMaildir(maildir: string): ReceivedMail[] {
  const dir = path.join(maildir, "new");
  let files: string[];
  try {
    files = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return files.map((f) => {
    const raw = readFileSync(path.join(dir, f), "utf8");
    const split = raw.search(/\r?\n\r?\n/);
    const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, " ");
    const headers: Record<string, string> = {};
    for (const line of head.split(/\r?\n/)) {
      const i = line.indexOf(":");
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    let body = raw.slice(split).trim();
    const encoding = headers["content-transfer-encoding"]?.toLowerCase();
    if (encoding === "quoted-printable") {
      body = Buffer.from(
        body
          .replace(/=\r?\n/g, "")
          .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
        "latin1",
      ).toString("utf8");
    } else if (encoding === "base64") {
      body = Buffer.from(body, "base64").toString("utf8");
    }
    return { headers, body, raw };
  });
}
