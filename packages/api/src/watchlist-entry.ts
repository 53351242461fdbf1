import { create } from "@bufbuild/protobuf";
import { type WatchlistEntry, WatchlistEntryKind, WatchlistEntrySchema } from "@ctwatch/proto";
import type { TenantWatchEntry, TenantWatchKind } from "@ctwatch/store";
import { ApiError } from "./api-error.js";
import { allowedName, brandDomain, caaIssuerDomain, caOwnerName, ownedDomain } from "./validate.js";

const KINDS: ReadonlyArray<readonly [WatchlistEntryKind, TenantWatchKind]> = [
  [WatchlistEntryKind.OWNED_DOMAIN, "owned-domain"],
  [WatchlistEntryKind.BRAND, "brand"],
  [WatchlistEntryKind.ALLOW, "allow"],
  [WatchlistEntryKind.CAA_PIN, "caa-pin"],
  [WatchlistEntryKind.ROOT_PIN, "root-pin"],
];

/** The store kind of an API kind; throws `ApiError` for UNSPECIFIED or an unknown number. */
export function fromApiWatchKind(field: string, k: WatchlistEntryKind): TenantWatchKind {
  const hit = KINDS.find(([api]) => api === k);
  if (!hit) throw ApiError.invalid(field, "must be OWNED_DOMAIN, BRAND, ALLOW, CAA_PIN or ROOT_PIN");
  return hit[1];
}

/** The API kind of a store kind. */
export function toApiWatchKind(k: TenantWatchKind): WatchlistEntryKind {
  return KINDS.find(([, s]) => s === k)?.[0] ?? WatchlistEntryKind.UNSPECIFIED;
}

/** A validated, normalised watch-list entry, ready for the stores. */
export interface ParsedWatchEntry {
  readonly kind: TenantWatchKind;
  /** "" except for pins. */
  readonly domain: string;
  readonly value: string;
}

/**
 * Validates one requested entry (field `field`): the value's syntax for its
 * kind, and for pins the owned domain they apply to. Domains come back as
 * lower-case A-labels.
 */
export function parseWatchlistEntry(field: string, e: WatchlistEntry): ParsedWatchEntry {
  const kind = fromApiWatchKind(`${field}.kind`, e.kind);
  const isPin = kind === "caa-pin" || kind === "root-pin";
  if (!isPin && e.domain !== "")
    throw ApiError.invalid(`${field}.domain`, "applies to CAA_PIN and ROOT_PIN entries only");
  switch (kind) {
    case "owned-domain":
      return { kind, domain: "", value: ownedDomain(`${field}.value`, e.value) };
    case "brand":
      return { kind, domain: "", value: brandDomain(`${field}.value`, e.value) };
    case "allow":
      return { kind, domain: "", value: allowedName(`${field}.value`, e.value) };
    case "caa-pin":
      return {
        kind,
        domain: ownedDomain(`${field}.domain`, e.domain),
        value: caaIssuerDomain(`${field}.value`, e.value),
      };
    case "root-pin":
      return {
        kind,
        domain: ownedDomain(`${field}.domain`, e.domain),
        value: caOwnerName(`${field}.value`, e.value),
      };
  }
}

/** A stored entry as an API message. */
export function toWatchlistEntry(e: TenantWatchEntry): WatchlistEntry {
  return create(WatchlistEntrySchema, {
    kind: toApiWatchKind(e.kind),
    value: e.value,
    domain: e.domain,
    createdAtMs: BigInt(e.createdAtMs),
  });
}
