import { parseArgs } from "node:util";
import { UsageError } from "./cli-io.js";

/** Option declarations of one command (node:util parseArgs shape). */
export type OptionSpecs = Record<
  string,
  { type: "string" | "boolean"; multiple?: boolean; short?: string; default?: string | boolean }
>;

/** Parsed options and positionals of one command. */
export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  readonly positionals: string[];
}

/** Parses a command's arguments strictly; unknown options are a UsageError. */
export function parse(args: readonly string[], options: OptionSpecs): Parsed {
  try {
    const r = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: r.values as Parsed["values"], positionals: r.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A string option, or undefined. */
export function opt(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === "string" ? v : undefined;
}

/** A repeated string option (possibly empty). */
export function many(p: Parsed, name: string): string[] {
  const v = p.values[name];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === "string");
  return typeof v === "string" ? [v] : [];
}

/** A boolean flag. */
export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

/** Exactly `n` positionals named `names`, else a UsageError. */
export function positionals(p: Parsed, names: readonly string[]): string[] {
  if (p.positionals.length !== names.length)
    throw new UsageError(`expected ${names.map((n) => `<${n}>`).join(" ") || "no arguments"}`);
  return p.positionals;
}

/** A non-negative integer option. */
export function intOpt(p: Parsed, name: string): number | undefined {
  const v = opt(p, name);
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new UsageError(`--${name} expects a non-negative integer`);
  return Number(v);
}

/**
 * A time option: an ISO 8601 date/time, milliseconds since the epoch, or a
 * duration back from now (`15m`, `24h`, `7d`). Returns ms since the epoch.
 */
export function timeOpt(p: Parsed, name: string, nowMs: number): number | undefined {
  const v = opt(p, name);
  if (v === undefined) return undefined;
  const rel = /^(\d{1,6})([smhd])$/.exec(v);
  if (rel) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as "s" | "m" | "h" | "d"];
    return nowMs - Number(rel[1]) * unit;
  }
  if (/^\d{10,15}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw new UsageError(`--${name} expects an ISO time, ms since 1970, or a duration like 24h`);
  return t;
}
