import { normalizeName, parseWatchedDomain } from "@ctwatch/detect-lookalike";
import { ApiError } from "./api-error.js";

/**
 * Input validation of the API. Each function takes the request field's dotted
 * name for its error, returns the normalised value, and throws
 * `ApiError` "invalid-argument" saying what is expected. Nothing here echoes
 * secrets; values are echoed only when short and harmless (names, domains).
 */

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
const DESTINATION_NAME = /^[a-z0-9][a-z0-9-]{0,29}$/;
const ALERT_ID = /^[0-9a-f]{32}$/;
const TOKEN_ID = /^tok_[0-9a-f]{16}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

function show(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** A tenant ID: 1-32 of `[a-z0-9-]`, starting with a letter or digit (no "_": it separates destination IDs). */
export function tenantId(field: string, value: string): string {
  if (!TENANT_ID.test(value))
    throw ApiError.invalid(field, `must be 1-32 of a-z, 0-9 and '-', starting with a letter or digit`);
  return value;
}

/** A destination name: 1-30 of `[a-z0-9-]`, starting with a letter or digit. */
export function destinationName(field: string, value: string): string {
  if (!DESTINATION_NAME.test(value))
    throw ApiError.invalid(field, "must be 1-30 of a-z, 0-9 and '-', starting with a letter or digit");
  return value;
}

/** An alert ID: 32 hex digits (case-insensitive). */
export function alertId(field: string, value: string): string {
  const v = value.toLowerCase();
  if (!ALERT_ID.test(v)) throw ApiError.invalid(field, "must be an alert ID (32 hex digits)");
  return v;
}

/** A token ID as issued (`tok_` + 16 hex digits). */
export function tokenId(field: string, value: string): string {
  if (!TOKEN_ID.test(value)) throw ApiError.invalid(field, "must be a token ID (tok_ + 16 hex digits)");
  return value;
}

/** Free text of `min`-`max` characters without control characters (tabs and newlines allowed), trimmed. */
export function text(field: string, value: string, min: number, max: number): string {
  const v = value.trim();
  if (v.length < min)
    throw ApiError.invalid(field, min === 1 ? "is required" : `needs at least ${min} characters`);
  if (v.length > max) throw ApiError.invalid(field, `must be at most ${max} characters`);
  if (CONTROL.test(v)) throw ApiError.invalid(field, "must not contain control characters");
  return v;
}

/** An e-mail address (lower-cased): local@domain, at most 254 characters, no spaces or brackets. */
export function email(field: string, value: string): string {
  const v = value.trim().toLowerCase();
  const at = v.lastIndexOf("@");
  const local = v.slice(0, at);
  const domain = v.slice(at + 1);
  const ok =
    v.length <= 254 &&
    at > 0 &&
    local.length <= 64 &&
    /^[^\s@<>()[\],;:"\\]+$/.test(local) &&
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/.test(domain);
  if (!ok) throw ApiError.invalid(field, `${show(value)} is not an e-mail address`);
  return v;
}

/**
 * An owned domain: a registrable domain (`example.com`, `example.co.uk`) or a
 * name under one (`shop.example.com`), never a public suffix or a wildcard.
 * Unicode names are accepted and returned as lower-case A-labels.
 */
export function ownedDomain(field: string, value: string): string {
  const parsed = parseWatchedDomain(value);
  if (parsed.ok) return parsed.value.domain;
  if (parsed.reason === "not-registrable") {
    const n = normalizeName(value);
    if (n.ok && !n.name.wildcard && !n.name.ascii.includes("_")) return n.name.ascii;
  }
  throw ApiError.invalid(field, `${show(value)}: ${parsed.message}`);
}

/** A brand for lookalike detection: exactly a registrable domain (`contoso.com`), as lower-case A-labels. */
export function brandDomain(field: string, value: string): string {
  const parsed = parseWatchedDomain(value);
  if (!parsed.ok) throw ApiError.invalid(field, `${show(value)}: ${parsed.message}`);
  return parsed.value.domain;
}

/** An allowlisted name: a DNS name, optionally `*.`-prefixed, as lower-case A-labels. */
export function allowedName(field: string, value: string): string {
  const n = normalizeName(value);
  if (!n.ok) throw ApiError.invalid(field, `${show(value)} is not a DNS name (${n.reason})`);
  if (n.name.labels.length < 2) throw ApiError.invalid(field, `${show(value)} needs at least two labels`);
  return n.name.wildcard ? `*.${n.name.ascii}` : n.name.ascii;
}

/** A CAA issuer domain (RFC 8659 issuer-domain-name), e.g. `letsencrypt.org`, lower case. */
export function caaIssuerDomain(field: string, value: string): string {
  const n = normalizeName(value);
  if (!n.ok || n.name.wildcard || n.name.labels.length < 2 || n.name.ascii.includes("_"))
    throw ApiError.invalid(field, `${show(value)} is not an issuer domain name such as letsencrypt.org`);
  return n.name.ascii;
}

/** A CA owner name as CCADB writes it, 1-200 printable characters. */
export function caOwnerName(field: string, value: string): string {
  return text(field, value, 1, 200);
}

/** A page size: 0 means `def`; values above `max` are lowered to `max` (AIP-158). */
export function pageSize(value: number, def: number, max: number): number {
  if (value === 0) return def;
  return Math.min(value, max);
}

/** A time in ms since the epoch, 0 meaning "not set"; negative is refused. */
export function optionalTimeMs(field: string, value: bigint): number | undefined {
  if (value === 0n) return undefined;
  if (value < 0n || value > 8_640_000_000_000_000n)
    throw ApiError.invalid(field, "must be a time in milliseconds since 1970 (or 0)");
  return Number(value);
}

/** A list of at most `max` items, each checked by `item`, duplicates removed. */
export function list<T, U>(
  field: string,
  values: readonly T[],
  max: number,
  item: (v: T, f: string) => U,
): U[] {
  if (values.length > max) throw ApiError.invalid(field, `takes at most ${max} values`);
  return [...new Set(values.map((v, i) => item(v, `${field}[${i}]`)))];
}

/** An EZMonitor event ID (0-1000). */
export function eventId(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 1000)
    throw ApiError.invalid(field, "must be an event ID between 0 and 1000");
  return value;
}

/** A required field of a message type (proto3 message fields are optional on the wire). */
export function required<T>(field: string, value: T | undefined): T {
  if (value === undefined) throw ApiError.invalid(field, "is required");
  return value;
}
