/** Structured fields attached to a log line. Never put a secret in them. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * The logger this package writes to, injected by the service. Quiet by default:
 * delivery problems are `warn`, per-request detail is `debug`.
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** A logger that drops everything; the default where one is optional. */
export const noopLogger: Logger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

/** A logger that adds `fields` to every line of `parent` (destination id, kind). */
export function childLogger(parent: Logger, fields: LogFields): Logger {
  const merge = (extra?: LogFields): LogFields => (extra ? { ...fields, ...extra } : fields);
  return {
    debug: (msg, extra) => parent.debug(msg, merge(extra)),
    info: (msg, extra) => parent.info(msg, merge(extra)),
    warn: (msg, extra) => parent.warn(msg, merge(extra)),
    error: (msg, extra) => parent.error(msg, merge(extra)),
  };
}
