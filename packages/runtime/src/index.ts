export {
  bool,
  ConfigError,
  decimal,
  describeConfig,
  hostPorts,
  int,
  list,
  oneOf,
  parseConfig,
  str,
  url,
  type VarSpec,
} from "./config.js";
export { type HealthServer, type HealthServerOptions, startHealthServer } from "./health-server.js";
export { aborted, isAbortError, Lifecycle, once, type Stoppable, sleep } from "./lifecycle.js";
export {
  createLogger,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  redactFields,
  silentLogger,
} from "./logger.js";
export { type ProcessLike, type RunMainOptions, runMain } from "./main.js";
export { type Counter, type Gauge, type Labels, type Metrics, MetricsRegistry } from "./metrics.js";
export {
  backoffDelayMs,
  parseRetryAfter,
  type RetryDecision,
  type RetryOptions,
  retry,
} from "./retry.js";
