import { ApiCallError, type ApiClientOptions, parseApiUrl } from "@ctwatch/api-client";
import { alertsCommand } from "./alert-commands.js";
import { type CliIo, UsageError } from "./cli-io.js";
import type { CommandContext } from "./command-context.js";
import { destinationCommand, TestFailed } from "./destination-commands.js";
import { HealthResponse } from "./health-command.js";
import { certsCommand, subdomainsCommand } from "./inventory-commands.js";
import { adminCommand, newOperatorToken, tenantCommand, tokenCommand, whoami } from "./tenant-commands.js";
import { itemCommand, pinCommand } from "./watchlist-commands.js";

/** The `ctwatch --help` text. */
export const USAGE = `usage: ctwatch [global options] <command> [arguments]

Talks to the ctwatch gRPC API (services/query-api).

global options (before the command):
  --url URL           API address, grpc://host:port or grpcs://host:port   [CTWATCH_API_URL, default grpc://127.0.0.1:50051]
  --token-file PATH   read the API token from a file                        [CTWATCH_API_TOKEN holds the token itself]
  --ca-file PATH      CA certificates (PEM) to trust for grpcs://           [CTWATCH_API_CA_FILE]
  --cert-file PATH    client certificate (PEM) for mutual TLS               [CTWATCH_API_CERT_FILE]
  --key-file PATH     client private key (PEM) for mutual TLS               [CTWATCH_API_KEY_FILE]
  --timeout-ms N      deadline of each call, ms (default 30000)
  --json              print API responses as JSON, one object per line

operator (bootstrap token):
  token new                                   print a new operator token and its SHA-256 (local, no server)
  tenant create <id> [--name N] [--admin EMAIL]... [--rate N --burst N]
                                              create a tenant; prints its first admin token once
  tenant list | tenant disable <id> | tenant enable <id> | tenant set-rate <id> --rate N [--burst N] | --default

tenant (a tenant token; scopes read < write < admin):
  whoami
  tenant get
  admin add|remove <email>                    subscription administrators (e-mailed about delivery failures)
  token create <name> --scope read|write|admin [--ttl-days N] | token list | token revoke <token-id>
  domain add|remove <domain>... | domain list owned domains (new subdomains, root CA, CAA, takeover)
  brand add|remove <domain>...  | brand list  brands watched for lookalikes
  allow add|remove <name>...    | allow list  names never alerted on (*.name covers its subdomains)
  pin add|remove caa|root <owned-domain> <value> | pin list
  alerts list [--event N]... [--domain D] [--state S]... [--severity S]... [--since T] [--until T] [--limit N] [--all]
  alerts get <alert-id>
  alerts follow [--event N]... [--severity S]... [--since T] [--cursor C] [--max N]
  alerts ack|resolve|suppress <alert-id> --reason TEXT
  dest list | dest get <name> | dest delete <name>
  dest create <name> --kind KIND --set key=value... [--config-file FILE] [--disabled]
  dest update <name> [--set key=value]... [--config-file FILE] [--enable|--disable]
  dest test <name> | dest test --kind KIND --set key=value...
                     --set key=@file / key=env:VAR read secrets; key:=json sets numbers and booleans
  subdomains [--domain D] [--query TEXT] [--limit N]
  certs [--domain D] [--query TEXT] [--valid-now] [--limit N]
  health                                      grpc.health.v1 check (no token needed)

times (T): ISO 8601, ms since 1970, or a duration back from now (30m, 24h, 7d).
exit codes: 0 ok, 1 the API refused or failed (or a connection test failed), 2 usage error.`;

const COMMANDS = new Set([
  "whoami",
  "tenant",
  "admin",
  "token",
  "domain",
  "brand",
  "allow",
  "pin",
  "alerts",
  "dest",
  "destination",
  "subdomains",
  "certs",
  "health",
]);

const GLOBAL_WITH_VALUE = new Set([
  "--url",
  "--token-file",
  "--ca-file",
  "--cert-file",
  "--key-file",
  "--timeout-ms",
]);

interface Globals {
  url: string;
  tokenFile?: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  timeoutMs?: number;
  json: boolean;
  help: boolean;
}

function splitGlobals(argv: readonly string[], env: CliIo["env"]): { globals: Globals; rest: string[] } {
  const g: Globals = { url: env.CTWATCH_API_URL || "grpc://127.0.0.1:50051", json: false, help: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i] ?? "";
    if (!a.startsWith("-")) break;
    if (a === "--json") g.json = true;
    else if (a === "--help" || a === "-h") g.help = true;
    else if (GLOBAL_WITH_VALUE.has(a)) {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      if (a === "--url") g.url = v;
      else if (a === "--token-file") g.tokenFile = v;
      else if (a === "--ca-file") g.caFile = v;
      else if (a === "--cert-file") g.certFile = v;
      else if (a === "--key-file") g.keyFile = v;
      else {
        if (!/^\d{1,7}$/.test(v)) throw new UsageError("--timeout-ms expects milliseconds");
        g.timeoutMs = Number(v);
      }
    } else throw new UsageError(`unknown global option ${a}`);
  }
  return { globals: g, rest: argv.slice(i) };
}

async function clientOptions(g: Globals, io: CliIo): Promise<ApiClientOptions> {
  try {
    parseApiUrl(g.url);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const token = g.tokenFile ? (await io.readFile(g.tokenFile)).trim() : io.env.CTWATCH_API_TOKEN;
  const file = async (path: string | undefined) => (path ? Buffer.from(await io.readFile(path)) : undefined);
  const caPem = await file(g.caFile ?? io.env.CTWATCH_API_CA_FILE);
  const certPem = await file(g.certFile ?? io.env.CTWATCH_API_CERT_FILE);
  const keyPem = await file(g.keyFile ?? io.env.CTWATCH_API_KEY_FILE);
  return {
    url: g.url,
    ...(token ? { token } : {}),
    ...(caPem ? { caPem } : {}),
    ...(certPem ? { certPem } : {}),
    ...(keyPem ? { keyPem } : {}),
    ...(g.timeoutMs ? { timeoutMs: g.timeoutMs } : {}),
  };
}

async function dispatch(ctx: CommandContext, command: string, args: readonly string[]): Promise<void> {
  switch (command) {
    case "whoami":
      return whoami(ctx);
    case "tenant":
      return tenantCommand(ctx, args);
    case "admin":
      return adminCommand(ctx, args);
    case "token":
      return tokenCommand(ctx, args);
    case "domain":
    case "brand":
    case "allow":
      return itemCommand(ctx, command, args);
    case "pin":
      return pinCommand(ctx, args);
    case "alerts":
      return alertsCommand(ctx, args);
    case "dest":
    case "destination":
      return destinationCommand(ctx, args);
    case "subdomains":
      return subdomainsCommand(ctx, args);
    case "certs":
      return certsCommand(ctx, args);
    case "health": {
      const status = await ctx.client.health(args[0] ?? "");
      ctx.io.out(ctx.json ? JSON.stringify({ status }) : status);
      if (status !== "SERVING") throw new HealthResponse(status);
      return;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

/**
 * Runs one `ctwatch` command line. Returns the exit code: 0 ok, 1 the API
 * refused or failed (message on stderr, with the gRPC status name), 2 usage.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let client: ReturnType<CliIo["connect"]> | undefined;
  try {
    const { globals, rest } = splitGlobals(argv, io.env);
    const [command, ...args] = rest;
    if (globals.help || !command || command === "help") {
      io.out(USAGE);
      return command || globals.help ? 0 : 2;
    }
    if (command === "token" && args[0] === "new") {
      newOperatorToken({ io });
      return 0;
    }
    if (!COMMANDS.has(command)) throw new UsageError(`unknown command ${command}`);
    client = io.connect(await clientOptions(globals, io));
    await dispatch({ client, io, json: globals.json }, command, args);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`ctwatch: ${err.message}`);
      io.err("run 'ctwatch --help' for the commands");
      return 2;
    }
    if (err instanceof ApiCallError) {
      io.err(`ctwatch: ${err.codeName}: ${err.details}`);
      return 1;
    }
    if (err instanceof TestFailed || err instanceof HealthResponse) return 1;
    io.err(`ctwatch: ${(err as Error).message}`);
    return 1;
  } finally {
    client?.close();
  }
}
