import { create, type JsonObject } from "@bufbuild/protobuf";
import { ApiError, destinationName } from "@ctwatch/api";
import { type Destination, DestinationSchema, type DestinationService } from "@ctwatch/proto";
import type { Logger } from "@ctwatch/runtime";
import {
  ConfigError,
  createDestination,
  type DestinationConfig,
  describeDestinationConfig,
  SECRET_FIELDS,
  type SecretBox,
  sealDestinationConfig,
  type TestConnectionResult,
} from "@ctwatch/siem";
import {
  type DestinationAdminStore,
  type DestinationRecord,
  MAX_DESTINATIONS_PER_TENANT,
} from "@ctwatch/store";
import type { MethodsOf, ServiceImpl } from "./bind-service.js";

/** Largest accepted settings object, bytes of JSON. */
export const MAX_CONFIG_BYTES = 64 * 1024;

/** Longest a Test Connection may take, ms (the call's own deadline may be shorter). */
export const TEST_TIMEOUT_MS = 60_000;

const REDACTED = "[REDACTED]";

/** What destination handlers need besides the store. */
export interface DestinationDeps {
  readonly secretBox: SecretBox;
  readonly allowInsecureHttp: boolean;
  readonly logger: Logger;
}

/** The stored ID of a tenant's destination: `<tenant>_<name>` (tenant IDs have no "_", so it is unambiguous). */
export function destinationId(tenantId: string, name: string): string {
  return `${tenantId}_${name}`;
}

function toDestination(rec: DestinationRecord): Destination {
  const prefix = `${rec.tenantId}_`;
  let config: Record<string, unknown>;
  try {
    config = describeDestinationConfig(rec.config as unknown as DestinationConfig);
  } catch {
    // A stored config that no longer reads: show nothing rather than risk a secret.
    config = { kind: rec.config.kind, id: rec.id };
  }
  return create(DestinationSchema, {
    name: rec.id.startsWith(prefix) ? rec.id.slice(prefix.length) : rec.id,
    id: rec.id,
    kind: typeof rec.config.kind === "string" ? rec.config.kind : "",
    enabled: rec.enabled,
    config: config as JsonObject,
    updatedAtMs: BigInt(rec.updatedAtMs),
  });
}

function settings(field: string, config: JsonObject | undefined): Record<string, unknown> {
  if (!config) throw ApiError.invalid(field, "is required");
  if (Buffer.byteLength(JSON.stringify(config), "utf8") > MAX_CONFIG_BYTES)
    throw ApiError.invalid(field, `must be at most ${MAX_CONFIG_BYTES} bytes of JSON`);
  return { ...config };
}

/** Seals and validates settings from a request; siem's field errors become `config.<field>` errors. */
function seal(deps: DestinationDeps, id: string, config: Record<string, unknown>): DestinationConfig {
  if (config.id !== undefined && config.id !== id)
    throw ApiError.invalid("config.id", "is set by the server from the tenant and name; leave it out");
  try {
    return sealDestinationConfig({ ...config, id }, deps.secretBox, {
      allowInsecureHttp: deps.allowInsecureHttp,
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      const problem = err.message.startsWith(`${err.field}: `)
        ? err.message.slice(err.field.length + 2)
        : err.message;
      throw ApiError.invalid(`config.${err.field}`, problem);
    }
    throw err;
  }
}

/**
 * Credentials left out of an update, or sent back as "[REDACTED]", keep their
 * stored (sealed) values, so a client can edit a destination without knowing
 * its secrets. Only for the same kind: a new kind needs its own credentials.
 */
function keepStoredSecrets(
  next: Record<string, unknown>,
  stored: Record<string, unknown>,
): Record<string, unknown> {
  const kind = next.kind;
  if (typeof kind !== "string" || kind !== stored.kind || !(kind in SECRET_FIELDS)) return next;
  const out = structuredClone(next);
  for (const path of SECRET_FIELDS[kind as keyof typeof SECRET_FIELDS]) {
    const [head, tail] = path.split(".") as [string, string | undefined];
    const holder = (tail === undefined ? out : out[head]) as Record<string, unknown> | undefined;
    const from = (tail === undefined ? stored : stored[head]) as Record<string, unknown> | undefined;
    const key = tail ?? head;
    if (!holder || typeof holder !== "object" || !from || typeof from !== "object") continue;
    if ((holder[key] === undefined || holder[key] === REDACTED) && from[key] !== undefined)
      holder[key] = from[key];
  }
  return out;
}

function resultMessage(r: TestConnectionResult) {
  return r.ok
    ? { ok: true, message: r.message, latencyMs: r.latencyMs, warnings: [...r.warnings] }
    : {
        ok: false,
        message: r.message,
        code: r.code,
        hint: r.hint,
        httpStatus: r.status ?? 0,
        latencyMs: r.latencyMs,
      };
}

/** DestinationService: the tenant's SIEM destinations; credentials sealed at rest, never returned. */
export function destinationHandlers(
  store: DestinationAdminStore,
  deps: DestinationDeps,
  now: () => number = Date.now,
): ServiceImpl<MethodsOf<typeof DestinationService>> {
  const load = async (tenantId: string, rawName: string): Promise<DestinationRecord> => {
    const name = destinationName("name", rawName);
    const rec = await store.get(tenantId, destinationId(tenantId, name));
    if (!rec) throw new ApiError("not-found", `destination ${name} not found`);
    return rec;
  };

  const runTest = async (config: DestinationConfig | Record<string, unknown>, signal: AbortSignal) => {
    const destination = createDestination(config, {
      secretBox: deps.secretBox,
      logger: deps.logger,
      allowInsecureHttp: deps.allowInsecureHttp,
    });
    // The call's signal (client cancel, deadline) or TEST_TIMEOUT_MS, whichever comes first.
    const ac = new AbortController();
    const onAbort = () => ac.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(
      () => ac.abort(new Error(`no answer within ${TEST_TIMEOUT_MS} ms`)),
      TEST_TIMEOUT_MS,
    );
    try {
      return await destination.testConnection(ac.signal);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  };

  return {
    async listDestinations(_req, ctx) {
      const recs = await store.listForTenant(ctx.auth.tenantId);
      return { destinations: recs.map(toDestination) };
    },

    async getDestination(req, ctx) {
      return { destination: toDestination(await load(ctx.auth.tenantId, req.name)) };
    },

    async createDestination(req, ctx) {
      const tenantId = ctx.auth.tenantId;
      const name = destinationName("name", req.name);
      const id = destinationId(tenantId, name);
      const config = seal(deps, id, settings("config", req.config));
      const existing = await store.listForTenant(tenantId);
      if (existing.length >= MAX_DESTINATIONS_PER_TENANT)
        throw new ApiError(
          "resource-exhausted",
          `a tenant has at most ${MAX_DESTINATIONS_PER_TENANT} destinations`,
        );
      const rec: DestinationRecord = {
        tenantId,
        id,
        enabled: !req.disabled,
        config: config as unknown as Record<string, unknown>,
        updatedAtMs: now(),
      };
      if (!(await store.create(rec)))
        throw new ApiError("already-exists", `destination ${name} already exists`);
      ctx.logger.info("destination created", { destination: id, kind: config.kind });
      return { destination: toDestination(rec) };
    },

    async updateDestination(req, ctx) {
      const stored = await load(ctx.auth.tenantId, req.name);
      let config = stored.config;
      if (req.config) {
        const next = keepStoredSecrets(settings("config", req.config), stored.config);
        config = seal(deps, stored.id, next) as unknown as Record<string, unknown>;
      }
      const rec: DestinationRecord = {
        ...stored,
        config,
        enabled: req.disabled === undefined ? stored.enabled : !req.disabled,
        updatedAtMs: now(),
      };
      if (!(await store.replace(rec))) throw new ApiError("not-found", `destination ${req.name} not found`);
      ctx.logger.info("destination updated", { destination: rec.id });
      return { destination: toDestination(rec) };
    },

    async deleteDestination(req, ctx) {
      const name = destinationName("name", req.name);
      if (!(await store.remove(ctx.auth.tenantId, destinationId(ctx.auth.tenantId, name))))
        throw new ApiError("not-found", `destination ${name} not found`);
      ctx.logger.info("destination deleted", { destination: destinationId(ctx.auth.tenantId, name) });
      return {};
    },

    async testDestination(req, ctx) {
      const target = req.target;
      if (target.case === "name") {
        const rec = await load(ctx.auth.tenantId, target.value);
        try {
          return resultMessage(await runTest(rec.config, ctx.signal));
        } catch (err) {
          if (err instanceof ConfigError)
            return {
              ok: false,
              code: "invalid-configuration",
              message: err.message,
              hint: "Fix the named field.",
            };
          throw err;
        }
      }
      if (target.case === "config") {
        const config = seal(
          deps,
          destinationId(ctx.auth.tenantId, "connection-test"),
          settings("config", target.value),
        );
        try {
          return resultMessage(await runTest(config, ctx.signal));
        } catch (err) {
          if (err instanceof ConfigError) throw ApiError.invalid("config", err.message);
          throw err;
        }
      }
      throw ApiError.invalid("target", "name a stored destination or give settings");
    },
  };
}
