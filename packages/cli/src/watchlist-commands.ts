import {
  AddWatchlistEntriesResponseSchema,
  ListWatchlistEntriesResponseSchema,
  RemoveWatchlistEntriesResponseSchema,
  type WatchlistEntry,
  WatchlistEntryKind,
} from "@ctwatch/proto";
import { parse, positionals } from "./args.js";
import { UsageError } from "./cli-io.js";
import { type CommandContext, show } from "./command-context.js";
import { isoTime, table } from "./format.js";

const ITEM_KINDS: Record<string, WatchlistEntryKind> = {
  domain: WatchlistEntryKind.OWNED_DOMAIN,
  brand: WatchlistEntryKind.BRAND,
  allow: WatchlistEntryKind.ALLOW,
};

const PIN_KINDS: Record<string, WatchlistEntryKind> = {
  caa: WatchlistEntryKind.CAA_PIN,
  root: WatchlistEntryKind.ROOT_PIN,
};

const KIND_LABEL: Record<number, string> = {
  [WatchlistEntryKind.OWNED_DOMAIN]: "domain",
  [WatchlistEntryKind.BRAND]: "brand",
  [WatchlistEntryKind.ALLOW]: "allow",
  [WatchlistEntryKind.CAA_PIN]: "caa-pin",
  [WatchlistEntryKind.ROOT_PIN]: "root-pin",
};

async function listEntries(ctx: CommandContext, kinds: WatchlistEntryKind[]): Promise<void> {
  let pageToken = "";
  const all: WatchlistEntry[] = [];
  do {
    const r = await ctx.client.watchlist.listWatchlistEntries({ kinds, pageSize: 1000, pageToken });
    if (ctx.json) show(ctx, ListWatchlistEntriesResponseSchema, r, () => []);
    all.push(...r.entries);
    pageToken = r.nextPageToken;
  } while (pageToken);
  if (ctx.json) return;
  for (const line of table([
    ["KIND", "DOMAIN", "VALUE", "ADDED"],
    ...all.map((e) => [
      KIND_LABEL[e.kind] ?? String(e.kind),
      e.domain || "-",
      e.value,
      isoTime(e.createdAtMs),
    ]),
  ]))
    ctx.io.out(line);
}

async function change(
  ctx: CommandContext,
  add: boolean,
  entries: WatchlistEntry[] | { kind: WatchlistEntryKind; value: string; domain?: string }[],
) {
  if (add) {
    const r = await ctx.client.watchlist.addWatchlistEntries({ entries });
    show(ctx, AddWatchlistEntriesResponseSchema, r, () => [
      `added ${r.added} of ${r.entries.length}: ${r.entries.map((e) => e.value).join(", ")}`,
    ]);
  } else {
    const r = await ctx.client.watchlist.removeWatchlistEntries({ entries });
    show(ctx, RemoveWatchlistEntriesResponseSchema, r, () => [`removed ${r.removed} of ${entries.length}`]);
  }
}

/** `ctwatch <domain|brand|allow> <add|remove|list> [values...]`. */
export async function itemCommand(ctx: CommandContext, noun: string, args: readonly string[]): Promise<void> {
  const kind = ITEM_KINDS[noun];
  if (kind === undefined) throw new UsageError(`unknown watch-list kind ${noun}`);
  const [sub, ...rest] = args;
  const p = parse(rest, {});
  if (sub === "list") return listEntries(ctx, [kind]);
  if (sub !== "add" && sub !== "remove") throw new UsageError(`${noun} <add|remove|list> [values...]`);
  if (p.positionals.length === 0) throw new UsageError(`${noun} ${sub} needs at least one value`);
  await change(
    ctx,
    sub === "add",
    p.positionals.map((value) => ({ kind, value })),
  );
}

/** `ctwatch pin <add|remove> <caa|root> <owned-domain> <value>` and `ctwatch pin list`. */
export async function pinCommand(ctx: CommandContext, args: readonly string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === "list") {
    parse(rest, {});
    return listEntries(ctx, [WatchlistEntryKind.CAA_PIN, WatchlistEntryKind.ROOT_PIN]);
  }
  if (sub !== "add" && sub !== "remove")
    throw new UsageError("pin <add|remove|list> <caa|root> <domain> <value>");
  const [type, domain, value] = positionals(parse(rest, {}), ["caa|root", "owned-domain", "value"]);
  const kind = PIN_KINDS[type ?? ""];
  if (kind === undefined) throw new UsageError("pin kind must be caa or root");
  await change(ctx, sub === "add", [{ kind, domain: domain ?? "", value: value ?? "" }]);
}
