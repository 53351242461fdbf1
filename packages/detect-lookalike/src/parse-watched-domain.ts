import { parse } from "tldts";
import { type NameRejectReason, normalizeName } from "./normalize-name.js";

/** Why a watchlist entry is refused: a bad DNS name, or a name that is not a registrable domain. */
export type WatchlistRejectReason =
  | NameRejectReason
  | "wildcard"
  | "public-suffix"
  | "not-registrable"
  | "unknown-suffix";

/** A watched brand domain, validated and split. */
export interface WatchedDomain {
  /** Registrable domain, ASCII (A-label) form, e.g. `paypal.com`. */
  readonly domain: string;
  /** Same in Unicode form. */
  readonly unicodeDomain: string;
  /** The label left of the public suffix, ASCII form, e.g. `paypal`. */
  readonly label: string;
  /** Same in Unicode form. */
  readonly unicodeLabel: string;
  /** The public suffix, e.g. `com`, `co.uk`, `github.io`. */
  readonly suffix: string;
}

/** Result of {@link parseWatchedDomain}. */
export type ParseWatchedDomainResult =
  | { readonly ok: true; readonly value: WatchedDomain }
  | { readonly ok: false; readonly reason: WatchlistRejectReason; readonly message: string };

const MESSAGES: Record<WatchlistRejectReason, string> = {
  empty: "the domain is empty",
  "name-too-long": "the domain is longer than 253 characters",
  "empty-label": 'the domain has an empty label (".." or a leading dot)',
  "label-too-long": "a label is longer than 63 characters",
  "invalid-characters": "a label has characters other than letters, digits and hyphens",
  "hyphen-at-label-edge": "a label starts or ends with a hyphen",
  "invalid-punycode": "an xn-- label is not valid punycode",
  "misplaced-wildcard": "the domain contains a wildcard",
  "ip-address": "the domain is an IP address",
  wildcard: "the domain is a wildcard; watch the registrable domain itself",
  "public-suffix":
    "the domain is a public suffix (a TLD or a registry suffix such as co.uk), not a registrable domain",
  "not-registrable": "the domain is a subdomain; watch its registrable domain",
  "unknown-suffix": "the domain does not end in a known public suffix",
};

function refuse(reason: WatchlistRejectReason, extra?: string): ParseWatchedDomainResult {
  return { ok: false, reason, message: extra ? `${MESSAGES[reason]} (${extra})` : MESSAGES[reason] };
}

/**
 * Validates a watchlist entry: it must be a registrable domain (public suffix plus
 * exactly one label), under either the ICANN or the private section of the Public
 * Suffix List (so `blogspot.com` and `myproject.github.io` are both accepted), with
 * LDH labels and valid punycode. `com`, `co.uk`, `foo.bar.com`, `-bad-.com`, `*.x.com`
 * and "" are refused with the reason.
 */
export function parseWatchedDomain(input: string): ParseWatchedDomainResult {
  const n = normalizeName(input);
  if (!n.ok) return refuse(n.reason);
  const name = n.name;
  if (name.wildcard) return refuse("wildcard");
  if (name.ascii.includes("_")) return refuse("invalid-characters");
  const host = name.ascii;
  const priv = parse(host, { allowPrivateDomains: true, extractHostname: false, validateHostname: false });
  const icann = parse(host, { allowPrivateDomains: false, extractHostname: false, validateHostname: false });
  let suffix: string | null = null;
  if (priv.domain === host) suffix = priv.publicSuffix;
  else if (icann.domain === host && icann.isIcann) suffix = icann.publicSuffix;
  if (suffix === null) {
    if (!priv.isIcann && !priv.isPrivate) return refuse("unknown-suffix");
    if (priv.domain === null || priv.publicSuffix === host) return refuse("public-suffix");
    return refuse("not-registrable", `registrable domain: ${priv.domain}`);
  }
  if (!icann.isIcann && !priv.isPrivate) return refuse("unknown-suffix");
  const labelCount = name.labels.length - suffix.split(".").length;
  if (labelCount !== 1) return refuse("not-registrable");
  return {
    ok: true,
    value: {
      domain: host,
      unicodeDomain: name.unicode,
      label: name.labels[0] as string,
      unicodeLabel: name.unicodeLabels[0] as string,
      suffix,
    },
  };
}
