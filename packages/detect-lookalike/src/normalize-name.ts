import { domainToASCII, domainToUnicode } from "node:url";

/** Why a name or watchlist domain is not a usable DNS name. */
export type NameRejectReason =
  | "empty"
  | "name-too-long"
  | "empty-label"
  | "label-too-long"
  | "invalid-characters"
  | "hyphen-at-label-edge"
  | "invalid-punycode"
  | "misplaced-wildcard"
  | "ip-address";

/** A DNS name in both forms, lowercase, without trailing dot or leading wildcard label. */
export interface NormalizedName {
  /** ASCII (A-label) form, e.g. `xn--pypal-4ve.com`. */
  readonly ascii: string;
  /** Unicode (U-label) form for display and skeletons, e.g. `pаypal.com`. */
  readonly unicode: string;
  /** ASCII labels, left to right. */
  readonly labels: readonly string[];
  /** Unicode labels, left to right (same as `labels` for an all-ASCII name). */
  readonly unicodeLabels: readonly string[];
  /** Whether the input started with the wildcard label `*.` (stripped). */
  readonly wildcard: boolean;
  /** Whether any label is an IDN (`xn--`). */
  readonly hasIdn: boolean;
}

/** Result of {@link normalizeName}: the name, or why it was refused. */
export type NormalizeResult =
  | { readonly ok: true; readonly name: NormalizedName }
  | { readonly ok: false; readonly reason: NameRejectReason };

const MAX_NAME = 253;
const MAX_LABEL = 63;

function fail(reason: NameRejectReason): NormalizeResult {
  return { ok: false, reason };
}

/** Checks one ASCII label; returns a reason or undefined. Allows "_" (seen in CT SANs). */
function checkLabel(label: string): NameRejectReason | undefined {
  const n = label.length;
  if (n === 0) return "empty-label";
  if (n > MAX_LABEL) return "label-too-long";
  for (let i = 0; i < n; i++) {
    const c = label.charCodeAt(i);
    const ok =
      (c >= 97 && c <= 122) || // a-z
      (c >= 48 && c <= 57) || // 0-9
      c === 45 || // -
      c === 95; // _
    if (!ok) return c === 42 ? "misplaced-wildcard" : "invalid-characters";
  }
  if (label.charCodeAt(0) === 45 || label.charCodeAt(n - 1) === 45) return "hyphen-at-label-edge";
  return undefined;
}

/** Decodes one `xn--` label, refusing punycode that does not round-trip. */
function decodePunycodeLabel(label: string): string | undefined {
  const u = domainToUnicode(label);
  if (u === "" || u === label || u.includes(".")) return undefined;
  if (domainToASCII(u) !== label) return undefined;
  return u;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length > 0;
}

function hasNonAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e) return true;
  return false;
}

/**
 * Normalises a DNS name from a certificate or a watchlist: trims, lowercases, drops
 * one trailing dot and a leading `*.` wildcard label, converts Unicode input to
 * A-labels (UTS #46 via node:url), validates LDH labels (1–63 octets, no hyphen at
 * either end; "_" tolerated), the 253-octet limit and every `xn--` label (which must
 * decode and round-trip). Never throws.
 */
export function normalizeName(input: string): NormalizeResult {
  let s = input.trim().toLowerCase();
  if (s.endsWith(".")) s = s.slice(0, -1);
  let wildcard = false;
  if (s.startsWith("*.")) {
    wildcard = true;
    s = s.slice(2);
  }
  if (s.length === 0) return fail("empty");
  if (hasNonAscii(s)) {
    if (s.includes("*")) return fail("misplaced-wildcard");
    const ascii = domainToASCII(s);
    if (ascii === "") return fail("invalid-punycode");
    s = ascii;
  }
  if (s.length > MAX_NAME) return fail("name-too-long");
  const labels = s.split(".");
  let hasIdn = false;
  let unicodeLabels: string[] | undefined;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as string;
    const bad = checkLabel(label);
    if (bad !== undefined) return fail(bad);
    if (
      label.length > 3 &&
      label.charCodeAt(2) === 45 &&
      label.charCodeAt(3) === 45 &&
      label.startsWith("xn")
    ) {
      const u = decodePunycodeLabel(label);
      if (u === undefined) return fail("invalid-punycode");
      if (unicodeLabels === undefined) unicodeLabels = labels.slice();
      unicodeLabels[i] = u;
      hasIdn = true;
    }
  }
  const last = labels[labels.length - 1] as string;
  if (isDigits(last)) return fail("ip-address");
  const uLabels = unicodeLabels ?? labels;
  return {
    ok: true,
    name: {
      ascii: s,
      unicode: hasIdn ? uLabels.join(".") : s,
      labels,
      unicodeLabels: uLabels,
      wildcard,
      hasIdn,
    },
  };
}
