// Global setup is loaded outside jest's module mapper, so it names the source file.
import { startInfra } from "./infra.ts";

declare global {
  // eslint-disable-next-line no-var
  var __ctwatchInfraStop: (() => Promise<void>) | undefined;
}

/** Jest global setup of the integration project: start real infrastructure once. */
export default async function globalSetup(): Promise<void> {
  const { endpoints, stop } = await startInfra();
  process.env.KAFKA_BROKERS = endpoints.kafkaBrokers;
  process.env.MONGODB_URI = endpoints.mongoUri;
  process.env.CTWATCH_TEST_INFRA_MODE = endpoints.mode;
  globalThis.__ctwatchInfraStop = stop;
}
