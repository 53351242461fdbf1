import type { RootOwnerMap, RootRecord } from "@ctwatch/ca-data";

/** The chain facts of a certificate entry that identify its root. */
export interface ChainFacts {
  /** SHA-256 of each chain certificate, issuer first (may be empty). */
  chainSha256: readonly Uint8Array[];
  /** Issuer DN of the chain's top certificate; "" when the tailer did not have it. */
  chainTopIssuerDn: string;
  /** authorityKeyIdentifier of the chain's top certificate; empty when absent or unknown. */
  chainTopAuthorityKeyId: Uint8Array;
}

/** How the root was found. */
export type RootResolutionPath = "fingerprint" | "issuer-key-id" | "issuer-dn";

/** Why the root could not be resolved (never a reason to alert). */
export type UnknownRootReason =
  /** The top's issuer is not available (static-ct-api entries before the issuer is fetched). */
  | "issuer-not-available"
  /** The chain ends at a certificate whose issuer is not in the root reports (private or test PKI). */
  | "not-in-root-store"
  /** Several roots with different owners match the top's issuer keys. */
  | "ambiguous";

/** The CA owner a certificate chains to, or why it is unknown. */
export type RootResolution =
  | { kind: "known"; owner: string; root: RootRecord; via: RootResolutionPath }
  | { kind: "unknown"; reason: UnknownRootReason };

function hex(b: Uint8Array): string {
  let out = "";
  for (const x of b) out += x.toString(16).padStart(2, "0");
  return out;
}

/**
 * Event 20, first step: the CA owner of a chain's root. The last chain element is
 * looked up by fingerprint (chains that carry their root); otherwise the root that
 * signed the chain's top is found by authority key ID and issuer DN (chains that
 * omit the root, or end in a cross-signed certificate). An entry without chain top
 * data (static-ct-api before its issuers are fetched) is "unknown", not an alert.
 */
export function resolveRootOwner(chain: ChainFacts, roots: RootOwnerMap): RootResolution {
  const last = chain.chainSha256[chain.chainSha256.length - 1];
  if (last !== undefined) {
    const root = roots.byFingerprint(hex(last));
    if (root) return { kind: "known", owner: root.owner, root, via: "fingerprint" };
  }
  const keyId = hex(chain.chainTopAuthorityKeyId);
  if (chain.chainTopIssuerDn === "" && keyId === "")
    return { kind: "unknown", reason: "issuer-not-available" };
  const signers = roots.signersOf({ issuerDn: chain.chainTopIssuerDn, authorityKeyId: keyId });
  const owners = new Set(signers.map((r) => r.owner));
  const first = signers[0];
  if (!first) return { kind: "unknown", reason: "not-in-root-store" };
  if (owners.size > 1) return { kind: "unknown", reason: "ambiguous" };
  return {
    kind: "known",
    owner: first.owner,
    root: first,
    via: keyId !== "" ? "issuer-key-id" : "issuer-dn",
  };
}

/** A watched domain's baseline of root CA owners. */
export interface RootBaseline {
  /** Owners learned from certificates (learning period, or the first owner ever seen). */
  learned: readonly string[];
  /** Owners an operator pinned. */
  pinned: readonly string[];
}

/** What to do with a certificate's root owner. */
export type RootCaDecision =
  | { action: "ok" }
  | { action: "learn"; reason: "learning" | "first-owner" }
  | { action: "alert"; expected: string[] };

/**
 * Event 20, second step: an owner inside the baseline (learned or pinned) is fine;
 * during the domain's learning period a new owner is learned quietly; a domain
 * with an empty baseline learns its first owner (trust on first use); any other
 * owner is an alert.
 */
export function rootCaDecision(owner: string, baseline: RootBaseline, learning: boolean): RootCaDecision {
  if (baseline.learned.includes(owner) || baseline.pinned.includes(owner)) return { action: "ok" };
  if (learning) return { action: "learn", reason: "learning" };
  if (baseline.learned.length === 0 && baseline.pinned.length === 0)
    return { action: "learn", reason: "first-owner" };
  return { action: "alert", expected: [...new Set([...baseline.pinned, ...baseline.learned])].sort() };
}
