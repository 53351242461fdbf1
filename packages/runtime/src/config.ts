/**
 * Configuration is parsed once, at a service's edge, from a flat string map
 * (normally `process.env`). Every variable is declared with its parser, default
 * and documentation next to it; `parseConfig` reports *all* problems at once in a
 * `ConfigError` whose message names each variable and what it expects.
 */

/** A parser for one variable: returns the value or throws `Error` with what is expected. */
export interface VarSpec<T> {
  /** Human description shown in errors and `describeConfig`. */
  readonly doc: string;
  /** Default when the variable is unset or empty; `undefined` makes it required. */
  readonly default?: T | undefined;
  /** True when the value must never be printed (tokens, keys). */
  readonly secret?: boolean;
  parse(raw: string): T;
}

/** Raised by `parseConfig` with one line per invalid or missing variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

type Specs = Record<string, VarSpec<unknown>>;
type Parsed<S extends Specs> = { [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never };

/**
 * Parses `env[name]` for every spec. Unset and empty values take the default;
 * a variable without a default is required.
 */
export function parseConfig<S extends Specs>(
  env: Readonly<Record<string, string | undefined>>,
  specs: S,
): Parsed<S> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(specs)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") {
      if (spec.default === undefined) problems.push(`${name} is required: ${spec.doc}`);
      else out[name] = spec.default;
      continue;
    }
    try {
      out[name] = spec.parse(raw.trim());
    } catch (err) {
      const shown = spec.secret
        ? "<redacted>"
        : JSON.stringify(raw.length > 80 ? `${raw.slice(0, 80)}…` : raw);
      problems.push(`${name}=${shown} is invalid: ${(err as Error).message} (${spec.doc})`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as Parsed<S>;
}

/** Lines documenting each variable, its default, for `--help` output and docs. */
export function describeConfig(specs: Specs): string[] {
  return Object.entries(specs).map(([name, s]) => {
    const def =
      s.default === undefined
        ? "required"
        : s.secret
          ? "default: <secret>"
          : `default: ${JSON.stringify(s.default)}`;
    return `${name}  ${s.doc} (${def})`;
  });
}

/** Any non-empty string. */
export function str(
  doc: string,
  def?: string,
  opts: { secret?: boolean; maxLength?: number } = {},
): VarSpec<string> {
  const maxLength = opts.maxLength ?? 4096;
  return {
    doc,
    default: def,
    secret: opts.secret ?? false,
    parse(raw) {
      if (raw.length > maxLength) throw new Error(`expected at most ${maxLength} characters`);
      return raw;
    },
  };
}

/** An integer within [min, max]. */
export function int(doc: string, def: number | undefined, min: number, max: number): VarSpec<number> {
  return {
    doc,
    default: def,
    parse(raw) {
      if (!/^-?\d+$/.test(raw)) throw new Error(`expected an integer between ${min} and ${max}`);
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < min || n > max)
        throw new Error(`expected an integer between ${min} and ${max}`);
      return n;
    },
  };
}

/** A decimal number within [min, max] (`0.8`, `1`, `-2.5`). */
export function decimal(doc: string, def: number | undefined, min: number, max: number): VarSpec<number> {
  return {
    doc,
    default: def,
    parse(raw) {
      if (!/^-?\d+(\.\d+)?$/.test(raw)) throw new Error(`expected a number between ${min} and ${max}`);
      const n = Number(raw);
      if (n < min || n > max) throw new Error(`expected a number between ${min} and ${max}`);
      return n;
    },
  };
}

/** `true`/`false`/`1`/`0`/`yes`/`no`. */
export function bool(doc: string, def?: boolean): VarSpec<boolean> {
  return {
    doc,
    default: def,
    parse(raw) {
      const v = raw.toLowerCase();
      if (["true", "1", "yes", "on"].includes(v)) return true;
      if (["false", "0", "no", "off"].includes(v)) return false;
      throw new Error("expected true or false");
    },
  };
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(doc: string, values: readonly T[], def?: T): VarSpec<T> {
  return {
    doc,
    default: def,
    parse(raw) {
      if (!(values as readonly string[]).includes(raw))
        throw new Error(`expected one of ${values.join(", ")}`);
      return raw as T;
    },
  };
}

/** An http(s) URL. */
export function url(doc: string, def?: string): VarSpec<string> {
  return {
    doc,
    default: def,
    parse(raw) {
      let u: URL;
      try {
        u = new URL(raw);
      } catch {
        throw new Error("expected an absolute http(s) URL");
      }
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("expected an http or https URL");
      return raw;
    },
  };
}

/** Comma-separated `host:port` pairs (Kafka bootstrap servers). */
export function hostPorts(doc: string, def?: string[]): VarSpec<string[]> {
  return {
    doc,
    default: def,
    parse(raw) {
      const parts = raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      if (parts.length === 0) throw new Error("expected a comma-separated list of host:port");
      for (const p of parts) {
        const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(p);
        if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`"${p}" is not host:port`);
      }
      return parts;
    },
  };
}

/** Comma-separated list of non-empty words, each checked by `item` when given. */
export function list(doc: string, def?: string[], item?: (s: string) => void): VarSpec<string[]> {
  return {
    doc,
    default: def,
    parse(raw) {
      const parts = raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
      if (item) for (const p of parts) item(p);
      return parts;
    },
  };
}
