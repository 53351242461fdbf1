import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import {
  CreateDestinationResponseSchema,
  type Destination,
  GetDestinationResponseSchema,
  ListDestinationsResponseSchema,
  TestDestinationResponseSchema,
  UpdateDestinationResponseSchema,
} from "@ctwatch/proto";
import { flag, many, opt, parse, positionals } from "./args.js";
import { UsageError } from "./cli-io.js";
import { type CommandContext, show } from "./command-context.js";
import { isoTime, table } from "./format.js";

const SETTINGS_OPTIONS = {
  kind: { type: "string" },
  set: { type: "string", multiple: true },
  "config-file": { type: "string" },
} as const;

function destinationLines(d: Destination | undefined): string[] {
  if (!d) return [];
  return [
    `destination:  ${d.name} (${d.kind}, ${d.enabled ? "enabled" : "disabled"})`,
    `id:           ${d.id}`,
    `updated:      ${isoTime(d.updatedAtMs)}`,
    `settings:     ${JSON.stringify(d.config ?? {})}`,
  ];
}

/** Sets `value` at dotted `path` (`auth.apiKey`) in `obj`. */
function setPath(obj: JsonObject, path: string, value: JsonValue): void {
  const keys = path.split(".");
  let at: JsonObject = obj;
  for (const k of keys.slice(0, -1)) {
    const next = at[k];
    if (next === undefined || next === null || typeof next !== "object" || Array.isArray(next)) at[k] = {};
    at = at[k] as JsonObject;
  }
  at[keys[keys.length - 1] ?? ""] = value;
}

/**
 * Settings from `--config-file FILE` (JSON; "-" = stdin), `--kind` and
 * `--set key=value` (dotted keys; `key:=json` for numbers and booleans;
 * `key=@file` and `key=env:VAR` read a secret without putting it on the
 * command line, where other users could see it in the process list).
 * Undefined when none of them was given.
 */
async function settings(ctx: CommandContext, p: ReturnType<typeof parse>): Promise<JsonObject | undefined> {
  const file = opt(p, "config-file");
  const sets = many(p, "set");
  const kind = opt(p, "kind");
  if (file === undefined && sets.length === 0 && kind === undefined) return undefined;
  let config: JsonObject = {};
  if (file !== undefined) {
    const parsed = JSON.parse(await ctx.io.readFile(file)) as unknown;
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
      throw new UsageError(`${file} must hold a JSON object`);
    config = parsed as JsonObject;
  }
  if (kind !== undefined) config.kind = kind;
  for (const s of sets) {
    const m = /^([A-Za-z][A-Za-z0-9_.]*)(:?=)(.*)$/s.exec(s);
    if (!m?.[1] || !m[2] || m[3] === undefined)
      throw new UsageError(`--set ${s.split("=")[0]}: expected key=value or key:=json`);
    const [, key, op, raw] = m;
    let value: JsonValue;
    if (op === ":=") {
      try {
        value = JSON.parse(raw) as JsonValue;
      } catch {
        throw new UsageError(`--set ${key}:= expects JSON`);
      }
    } else if (raw.startsWith("@")) value = (await ctx.io.readFile(raw.slice(1))).trim();
    else if (raw.startsWith("env:")) {
      const v = ctx.io.env[raw.slice(4)];
      if (v === undefined) throw new UsageError(`--set ${key}=env:${raw.slice(4)}: the variable is not set`);
      value = v;
    } else value = raw;
    setPath(config, key, value);
  }
  return config;
}

/** `ctwatch dest <list|get|create|update|delete|test>`. */
export async function destinationCommand(ctx: CommandContext, args: readonly string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "list": {
      parse(rest, {});
      const r = await ctx.client.destinations.listDestinations({});
      show(ctx, ListDestinationsResponseSchema, r, () =>
        table([
          ["NAME", "KIND", "ENABLED", "UPDATED"],
          ...r.destinations.map((d) => [d.name, d.kind, String(d.enabled), isoTime(d.updatedAtMs)]),
        ]),
      );
      return;
    }
    case "get": {
      const [name] = positionals(parse(rest, {}), ["name"]);
      const r = await ctx.client.destinations.getDestination({ name });
      show(ctx, GetDestinationResponseSchema, r, () => destinationLines(r.destination));
      return;
    }
    case "create": {
      const p = parse(rest, { ...SETTINGS_OPTIONS, disabled: { type: "boolean" } });
      const [name] = positionals(p, ["name"]);
      const config = await settings(ctx, p);
      if (!config) throw new UsageError("dest create needs --kind and --set key=value, or --config-file");
      const r = await ctx.client.destinations.createDestination({
        name,
        config,
        disabled: flag(p, "disabled"),
      });
      show(ctx, CreateDestinationResponseSchema, r, () => destinationLines(r.destination));
      return;
    }
    case "update": {
      const p = parse(rest, {
        ...SETTINGS_OPTIONS,
        enable: { type: "boolean" },
        disable: { type: "boolean" },
      });
      const [name] = positionals(p, ["name"]);
      if (flag(p, "enable") && flag(p, "disable")) throw new UsageError("--enable or --disable, not both");
      const config = await settings(ctx, p);
      const r = await ctx.client.destinations.updateDestination({
        name,
        ...(config ? { config } : {}),
        ...(flag(p, "enable") ? { disabled: false } : flag(p, "disable") ? { disabled: true } : {}),
      });
      show(ctx, UpdateDestinationResponseSchema, r, () => destinationLines(r.destination));
      return;
    }
    case "delete": {
      const [name] = positionals(parse(rest, {}), ["name"]);
      await ctx.client.destinations.deleteDestination({ name });
      if (!ctx.json) ctx.io.out(`deleted ${name}`);
      return;
    }
    case "test": {
      const p = parse(rest, SETTINGS_OPTIONS);
      const config = await settings(ctx, p);
      if (config && p.positionals.length > 0)
        throw new UsageError("dest test <name>, or dest test with settings");
      const [name] = config ? [undefined] : positionals(p, ["name"]);
      const r = await ctx.client.destinations.testDestination({
        target: config ? { case: "config", value: config } : { case: "name", value: name ?? "" },
      });
      show(ctx, TestDestinationResponseSchema, r, () =>
        r.ok
          ? [`ok (${r.latencyMs} ms): ${r.message}`, ...r.warnings.map((w) => `warning: ${w}`)]
          : [
              `FAILED ${r.code}${r.httpStatus ? ` (HTTP ${r.httpStatus})` : ""} after ${r.latencyMs} ms: ${r.message}`,
              `hint: ${r.hint}`,
            ],
      );
      if (!r.ok) throw new TestFailed();
      return;
    }
    default:
      throw new UsageError("dest <list|get|create|update|delete|test>");
  }
}

/** A connection test that ran and failed: exit code 1 after the report. */
export class TestFailed extends Error {
  override readonly name = "TestFailed";
  constructor() {
    super("connection test failed");
  }
}
