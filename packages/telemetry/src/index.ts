export { type MongoCommandEvents, traceMongoCommands } from "./mongo-tracing.js";
export { TeeMetrics } from "./otel-metrics.js";
export {
  ctwatchMeter,
  ctwatchTracer,
  startTelemetry,
  type Telemetry,
  traceFields,
  withSpan,
} from "./telemetry.js";
