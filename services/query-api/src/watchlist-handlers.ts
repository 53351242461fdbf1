import {
  ApiError,
  decodePageToken,
  filterFingerprint,
  fromApiWatchKind,
  keysetPage,
  list,
  type ParsedWatchEntry,
  pageSize,
  parseWatchlistEntry,
  strProp,
  toWatchlistEntry,
} from "@ctwatch/api";
import type { WatchlistEntry, WatchlistService } from "@ctwatch/proto";
import {
  isPinKind,
  type TenantWatchKind,
  type TenantWatchlist,
  type WatchlistStore,
  type WatchPinStore,
} from "@ctwatch/store";
import type { MethodsOf, ServiceImpl } from "./bind-service.js";

/** Most entries one AddWatchlistEntries / RemoveWatchlistEntries call takes. */
export const MAX_ENTRIES_PER_CALL = 1000;

const KINDS: readonly TenantWatchKind[] = ["owned-domain", "brand", "allow", "caa-pin", "root-pin"];

/**
 * Lenient form of an entry for removal: a value stored before today's rules (or
 * by another tool) must stay removable, so when strict parsing fails the entry
 * is only trimmed and, for domain kinds, lower-cased.
 */
function removalEntry(field: string, e: WatchlistEntry): ParsedWatchEntry {
  try {
    return parseWatchlistEntry(field, e);
  } catch (err) {
    const kind = fromApiWatchKind(`${field}.kind`, e.kind);
    const value = e.value.trim();
    if (value === "" || value.length > 253) throw err;
    return {
      kind,
      domain: e.domain.trim().toLowerCase(),
      value: kind === "root-pin" ? value : value.toLowerCase(),
    };
  }
}

/** WatchlistService: the tenant's owned domains, brands, allowlist and pins. */
export function watchlistHandlers(
  items: WatchlistStore,
  pins: WatchPinStore,
  view: TenantWatchlist,
  maxEntriesPerTenant: number,
  now: () => number = Date.now,
): ServiceImpl<MethodsOf<typeof WatchlistService>> {
  return {
    async listWatchlistEntries(req, ctx) {
      const kinds = list("kinds", req.kinds, KINDS.length, (v, f) => fromApiWatchKind(f, v));
      const size = pageSize(req.pageSize, 200, 1000);
      const fp = filterFingerprint({ kinds: [...kinds].sort() });
      const after = req.pageToken
        ? decodePageToken(req.pageToken, fp, (p) => {
            const kind = strProp(p, "k");
            const domain = strProp(p, "d");
            const value = strProp(p, "v");
            if (
              !kind ||
              !KINDS.includes(kind as TenantWatchKind) ||
              domain === undefined ||
              value === undefined
            )
              return undefined;
            return { kind: kind as TenantWatchKind, domain, value };
          })
        : undefined;
      const entries = await view.page(ctx.auth.tenantId, kinds, after, size + 1);
      const { page, nextPageToken } = keysetPage(entries, size, fp, (e) => ({
        k: e.kind,
        d: e.domain,
        v: e.value,
      }));
      return { entries: page.map(toWatchlistEntry), nextPageToken };
    },

    async addWatchlistEntries(req, ctx) {
      const tenantId = ctx.auth.tenantId;
      if (req.entries.length === 0) throw ApiError.invalid("entries", "needs at least one entry");
      if (req.entries.length > MAX_ENTRIES_PER_CALL)
        throw ApiError.invalid("entries", `takes at most ${MAX_ENTRIES_PER_CALL} entries per call`);
      // Validate everything before writing anything.
      const parsed = req.entries.map((e, i) => parseWatchlistEntry(`entries[${i}]`, e));
      const ownedInRequest = new Set(parsed.filter((e) => e.kind === "owned-domain").map((e) => e.value));
      for (const [i, e] of parsed.entries()) {
        if (!isPinKind(e.kind) || ownedInRequest.has(e.domain)) continue;
        if (!(await view.hasItem(tenantId, "owned-domain", e.domain)))
          throw new ApiError(
            "failed-precondition",
            `entries[${i}].domain: ${e.domain} is not an owned domain of the tenant; add it first`,
          );
      }
      const current = await view.count(tenantId);
      if (current + parsed.length > maxEntriesPerTenant)
        throw new ApiError(
          "resource-exhausted",
          `the watch list is limited to ${maxEntriesPerTenant} entries (it has ${current})`,
        );
      let added = 0;
      const out: WatchlistEntry[] = [];
      // Owned domains first, so pins on domains added in the same call find them.
      const order = [...parsed.keys()].sort(
        (a, b) => Number(isPinKind(parsed[a]!.kind)) - Number(isPinKind(parsed[b]!.kind)),
      );
      const createdAt = new Map<number, number>();
      for (const i of order) {
        const e = parsed[i]!;
        const isNew = isPinKind(e.kind)
          ? await pins.add({ tenantId, kind: e.kind, domain: e.domain, value: e.value }, now())
          : await items.add(tenantId, e.kind, e.value);
        if (isNew) {
          added += 1;
          createdAt.set(i, now());
        }
      }
      for (const [i, e] of parsed.entries())
        out.push(
          toWatchlistEntry({
            kind: e.kind,
            domain: e.domain,
            value: e.value,
            createdAtMs: createdAt.get(i) ?? 0,
          }),
        );
      ctx.logger.info("watch list changed", { added });
      return { entries: out, added };
    },

    async removeWatchlistEntries(req, ctx) {
      const tenantId = ctx.auth.tenantId;
      if (req.entries.length === 0) throw ApiError.invalid("entries", "needs at least one entry");
      if (req.entries.length > MAX_ENTRIES_PER_CALL)
        throw ApiError.invalid("entries", `takes at most ${MAX_ENTRIES_PER_CALL} entries per call`);
      const parsed = req.entries.map((e, i) => removalEntry(`entries[${i}]`, e));
      let removed = 0;
      for (const e of parsed) {
        const gone = isPinKind(e.kind)
          ? await pins.remove(tenantId, e.kind, e.domain, e.value)
          : await items.remove(tenantId, e.kind, e.value);
        if (gone) removed += 1;
      }
      ctx.logger.info("watch list changed", { removed });
      return { removed };
    },
  };
}
