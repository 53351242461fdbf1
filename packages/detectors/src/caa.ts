/** One CAA resource record (RFC 8659 section 4.1). */
export interface CaaRecord {
  /** Flags octet; bit 0x80 is Issuer Critical. */
  flags: number;
  /** Property tag, compared case-insensitively. */
  tag: string;
  /** Property value as in the record. */
  value: string;
}

/** A parsed `issue` / `issuewild` value (RFC 8659 section 4.2). */
export interface IssuerValue {
  /** Lower-case issuer domain name; "" for a value that names no CA (`;`), which authorises nobody. */
  issuerDomain: string;
  /** Parameters as written (RFC 8657 `accounturi`, `validationmethods`, CA-specific ones). */
  parameters: { tag: string; value: string }[];
}

/** Property tags this evaluator knows; a critical record with any other tag forbids issuance. */
export const KNOWN_CAA_TAGS: ReadonlySet<string> = new Set([
  "issue",
  "issuewild",
  "iodef",
  "issuemail",
  "issuevmc",
  "contactemail",
  "contactphone",
]);

/** Flag bit of a critical property. */
export const CAA_CRITICAL = 0x80;

const LABEL = "[a-z0-9](?:-*[a-z0-9])*";
const DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, "i");
const PARAM_TAG = /^[a-z0-9](?:-*[a-z0-9])*$/i;
const PARAM_VALUE = /^[\x21-\x3a\x3c-\x7e]*$/;

/** Parses an `issue`/`issuewild` value; undefined when malformed (a malformed record authorises nobody). */
export function parseIssuerValue(value: string): IssuerValue | undefined {
  const semi = value.indexOf(";");
  const domain = (semi < 0 ? value : value.slice(0, semi)).trim();
  if (domain !== "" && !DOMAIN.test(domain)) return undefined;
  const parameters: IssuerValue["parameters"] = [];
  if (semi >= 0) {
    for (const part of value.slice(semi + 1).split(";")) {
      const p = part.trim();
      if (p === "") continue;
      const eq = p.indexOf("=");
      if (eq <= 0) return undefined;
      const tag = p.slice(0, eq).trim();
      const v = p.slice(eq + 1).trim();
      if (!PARAM_TAG.test(tag) || !PARAM_VALUE.test(v)) return undefined;
      parameters.push({ tag: tag.toLowerCase(), value: v });
    }
  }
  return { issuerDomain: domain.toLowerCase(), parameters };
}

/** What the evaluator is asked. */
export interface CaaQuestion {
  /** True for a wildcard name ("*.example.com"): `issuewild` takes precedence. */
  wildcard: boolean;
  /** The relevant record set (RFC 8659 section 3), already found by climbing the name's parents. */
  records: readonly CaaRecord[];
  /** CAA issuer-domain-names the certificate's CA honours (lower-case). */
  caDomains: readonly string[];
}

/** The answer: whether the policy allowed the issuance. */
export type CaaVerdict =
  | { outcome: "no-policy" }
  | {
      outcome: "allowed";
      /** The record that authorised the CA, as text. */
      matched: string;
      /**
       * Parameters (RFC 8657 `accounturi`, `validationmethods`, others) that restrict the
       * authorisation further and that CT data cannot verify; empty when a record without
       * parameters authorised the CA.
       */
      unverifiable: string[];
    }
  | { outcome: "not-allowed"; reason: string };

/** A record in zone-file presentation form, for alerts. */
export function caaRecordText(r: CaaRecord): string {
  return `${r.flags} ${r.tag} "${r.value.replace(/(["\\])/g, "\\$1")}"`;
}

/**
 * Event 29, pure part (RFC 8659 section 4): does the relevant CAA record set allow
 * a CA with `caDomains` to issue for the name?
 *
 * - an empty set, or one without a property that applies, restricts nothing;
 * - a critical record with an unknown tag forbids every issuance;
 * - for a wildcard, `issuewild` records (when any) replace `issue` records;
 *   for other names `issuewild` is ignored;
 * - `issue ";"` names no CA; a malformed value authorises nobody;
 * - parameters on the authorising record cannot be checked from CT: reported.
 */
export function evaluateCaa(q: CaaQuestion): CaaVerdict {
  if (q.records.length === 0) return { outcome: "no-policy" };
  for (const r of q.records) {
    const tag = r.tag.toLowerCase();
    if ((r.flags & CAA_CRITICAL) !== 0 && !KNOWN_CAA_TAGS.has(tag)) {
      return {
        outcome: "not-allowed",
        reason: `critical CAA property "${r.tag}" is not understood, so no CA may issue`,
      };
    }
  }
  const wild = q.wildcard ? q.records.filter((r) => r.tag.toLowerCase() === "issuewild") : [];
  const selected = wild.length > 0 ? wild : q.records.filter((r) => r.tag.toLowerCase() === "issue");
  if (selected.length === 0) return { outcome: "no-policy" };
  const caDomains = new Set(q.caDomains.map((d) => d.toLowerCase()));
  let best: { record: CaaRecord; params: string[] } | undefined;
  let namesAnyCa = false;
  for (const r of selected) {
    const v = parseIssuerValue(r.value);
    if (!v) continue;
    if (v.issuerDomain !== "") namesAnyCa = true;
    if (!caDomains.has(v.issuerDomain)) continue;
    const params = v.parameters.map((p) => p.tag);
    if (!best || params.length < best.params.length) best = { record: r, params };
  }
  if (best) {
    return { outcome: "allowed", matched: caaRecordText(best.record), unverifiable: best.params };
  }
  const tag = wild.length > 0 ? "issuewild" : "issue";
  return {
    outcome: "not-allowed",
    reason: namesAnyCa
      ? `the issuing CA (${q.caDomains.join(", ")}) is not among the ${tag} records`
      : `the ${tag} records authorise no CA`,
  };
}

/** One observed relevant record set and when it was seen. */
export interface CaaObservation {
  /** Where the climb found the records ("" when no CAA record exists up to the TLD). */
  relevantDomain: string;
  records: readonly CaaRecord[];
  /** First and last time this set was observed without change, ms. */
  firstSeenAtMs: number;
  lastSeenAtMs: number;
}

/** Options of {@link caaVerdictAsOf}. */
export interface AsOfOptions {
  /** How long before issuance a CA may have checked CAA (CA/B Forum BRs: 8 hours), ms. */
  lookbackMs: number;
  /**
   * When the history starts after issuance, the first observation is assumed to
   * have held at issuance only if it came at most this long after it, ms.
   */
  maxAgeMs: number;
}

/** The verdict over history: a mismatch only when every set that may have applied forbids it. */
export type CaaHistoryVerdict =
  | { outcome: "allowed" | "no-policy"; observation: CaaObservation; verdict: CaaVerdict }
  | {
      outcome: "not-allowed";
      observation: CaaObservation;
      verdict: Extract<CaaVerdict, { outcome: "not-allowed" }>;
    }
  | { outcome: "indeterminate"; reason: string };

/**
 * Evaluates a certificate logged at `issuedAtMs` against the CAA history of its
 * name, so that a record changed after issuance does not produce a false alert.
 * The sets that may have applied are those observed during
 * [issuedAtMs - lookbackMs, issuedAtMs], the last one seen before that window,
 * and, when issuance falls in a gap between two observations, the next one.
 * It is a mismatch only if all of them forbid the CA; with no observation close
 * enough to issuance the answer is "indeterminate".
 */
export function caaVerdictAsOf(
  history: readonly CaaObservation[],
  issuedAtMs: number,
  q: Omit<CaaQuestion, "records">,
  opts: AsOfOptions,
): CaaHistoryVerdict {
  const sorted = [...history].sort((a, b) => a.firstSeenAtMs - b.firstSeenAtMs);
  const from = issuedAtMs - opts.lookbackMs;
  const candidates: CaaObservation[] = [];
  let before: CaaObservation | undefined;
  let after: CaaObservation | undefined;
  for (const o of sorted) {
    if (o.firstSeenAtMs <= issuedAtMs) {
      before = o;
      if (o.lastSeenAtMs >= from) candidates.push(o);
    } else {
      after ??= o;
    }
  }
  if (before && !candidates.includes(before)) candidates.push(before);
  if (!before) {
    if (!after || after.firstSeenAtMs - issuedAtMs > opts.maxAgeMs) {
      return { outcome: "indeterminate", reason: "no CAA observation close enough to issuance" };
    }
    candidates.push(after);
  } else if (after && before.lastSeenAtMs < issuedAtMs) {
    // The set changed somewhere between the two observations: either may have applied.
    candidates.push(after);
  } else if (!after && issuedAtMs - before.lastSeenAtMs > opts.maxAgeMs) {
    return { outcome: "indeterminate", reason: "the newest CAA observation is too old for this issuance" };
  }
  let denial:
    | { observation: CaaObservation; verdict: Extract<CaaVerdict, { outcome: "not-allowed" }> }
    | undefined;
  for (const o of candidates) {
    const verdict = evaluateCaa({ ...q, records: o.records });
    if (verdict.outcome !== "not-allowed") return { outcome: verdict.outcome, observation: o, verdict };
    denial ??= { observation: o, verdict };
  }
  if (!denial) return { outcome: "indeterminate", reason: "no CAA observation" };
  return { outcome: "not-allowed", ...denial };
}

/** The names a CAA search visits for `name` (RFC 8659 section 3): the name, then each parent, excluding the root. */
export function caaSearchNames(name: string, maxLabels = 127): string[] {
  let n = name.toLowerCase().replace(/\.$/, "");
  if (n.startsWith("*.")) n = n.slice(2);
  const out: string[] = [];
  while (n !== "" && out.length < maxLabels) {
    out.push(n);
    const dot = n.indexOf(".");
    n = dot < 0 ? "" : n.slice(dot + 1);
  }
  return out;
}
