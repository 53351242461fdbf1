import type { Logger } from "@ctwatch/runtime";
import { Kafka, logLevel } from "kafkajs";

/** Options of `createKafka`. */
export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Connection timeout per broker, ms; default 5 000. */
  connectionTimeoutMs?: number;
}

/** A kafkajs client whose own logging goes through the project's logger (warnings and errors only). */
export function createKafka(opts: KafkaClientOptions): Kafka {
  const log = opts.logger.child({ component: "kafkajs" });
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: opts.connectionTimeoutMs ?? 5_000,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        const fields = { ...rest };
        if (level === logLevel.ERROR) log.error(message, fields);
        else if (level === logLevel.WARN) log.warn(message, fields);
      },
  });
}
