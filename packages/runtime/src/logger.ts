/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** Severity of a log line, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * The logger every component takes by injection. Child loggers add context
 * (log, partition, tenant). Implementations redact secret-looking fields.
 */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_KEY =
  /(secret|token|password|passwd|apikey|api_key|authorization|sharedkey|workspacekey|privatekey)/i;

/** Replaces values of secret-looking keys, and turns Errors into plain objects. */
export function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (SECRET_KEY.test(k)) out[k] = "<redacted>";
    else if (v instanceof Error)
      out[k] = { name: v.name, message: v.message, ...(v.cause ? { cause: String(v.cause) } : {}) };
    else if (typeof v === "bigint") out[k] = v.toString();
    else if (v instanceof Uint8Array) out[k] = Buffer.from(v).toString("hex");
    else out[k] = v;
  }
  return out;
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Minimum level written; default "info". */
  level?: LogLevel;
  /** Where lines go; default: stderr. */
  write?: (line: string) => void;
  /** Fields on every line (service name...). */
  base?: LogFields;
  /** Clock, for tests. */
  now?: () => Date;
  /** Extra fields computed per line (e.g. the active trace and span IDs). */
  enrich?: () => LogFields;
}

/** A JSON-lines logger (one object per line: time, level, msg, fields). */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = ORDER[opts.level ?? "info"];
  const write = opts.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = opts.now ?? (() => new Date());
  const make = (base: LogFields): Logger => {
    const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
      if (ORDER[level] < min) return;
      const line = {
        time: now().toISOString(),
        level,
        msg,
        ...redactFields(base),
        ...(fields ? redactFields(fields) : {}),
      };
      write(JSON.stringify(line));
    };
    return {
      debug: (m, f) => emit("debug", m, f),
      info: (m, f) => emit("info", m, f),
      warn: (m, f) => emit("warn", m, f),
      error: (m, f) => emit("error", m, f),
      child: (f) => make({ ...base, ...f }),
    };
  };
  return make(opts.base ?? {});
}

/** A logger that drops everything (tests, libraries without a logger). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
