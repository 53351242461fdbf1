import { ROOT_TUPLES, type RootTuple } from "./roots.generated.js";

/** One root CA certificate of the CCADB reports. */
export interface RootRecord {
  /** SHA-256 of the certificate DER, lower-case hex. */
  readonly sha256: string;
  /** CCADB "CA Owner", e.g. "Internet Security Research Group". */
  readonly owner: string;
  /** The certificate's name in the report (usually its CN). */
  readonly name: string;
  /** Subject DN formatted as @ctwatch/ct formats DNs (so it compares with `chain_top_issuer_dn`). */
  readonly subjectDn: string;
  /** subjectKeyIdentifier, lower-case hex; "" when the root has none. */
  readonly subjectKeyId: string;
  /** "included" in Mozilla's store, or "removed" from it (CT logs may still accept it). */
  readonly status: "included" | "removed";
  /** True when the report gives it the Websites trust bit. */
  readonly websites: boolean;
}

/** The keys a chain gives for finding the root that signed its top certificate. */
export interface ChainTopIssuer {
  /** Issuer DN of the chain's top certificate; "" when unknown. */
  issuerDn: string;
  /** authorityKeyIdentifier of the chain's top certificate, lower-case hex; "" when absent or unknown. */
  authorityKeyId: string;
}

function fromTuple(t: RootTuple): RootRecord {
  const [sha256, owner, name, subjectDn, subjectKeyId, status, websites] = t;
  return { sha256, owner, name, subjectDn, subjectKeyId, status, websites };
}

/**
 * Lookups over a set of roots: by fingerprint, and by the issuer keys of a
 * certificate the root signed (authority key ID and issuer DN). Immutable.
 */
export class RootOwnerMap {
  private readonly byFp = new Map<string, RootRecord>();
  private readonly byKeyId = new Map<string, RootRecord[]>();
  private readonly byDn = new Map<string, RootRecord[]>();

  constructor(roots: readonly RootRecord[]) {
    for (const r of roots) {
      this.byFp.set(r.sha256.toLowerCase(), r);
      if (r.subjectKeyId) push(this.byKeyId, r.subjectKeyId.toLowerCase(), r);
      push(this.byDn, r.subjectDn, r);
    }
  }

  /** The roots of the bundled CCADB reports (see `ROOTS_SOURCE`). */
  static bundled(): RootOwnerMap {
    return new RootOwnerMap(ROOT_TUPLES.map(fromTuple));
  }

  /** Number of roots. */
  get size(): number {
    return this.byFp.size;
  }

  /** The root whose certificate hashes to `sha256Hex` (case-insensitive), if known. */
  byFingerprint(sha256Hex: string): RootRecord | undefined {
    return this.byFp.get(sha256Hex.toLowerCase());
  }

  /**
   * Roots that may have signed a certificate with these issuer keys: matched by
   * key ID when the certificate carries one (and, when a DN is given too, the DN
   * must agree), else by subject DN alone. Several roots can share a DN or key
   * (re-issued roots); the caller decides what an ambiguous answer means.
   */
  signersOf(top: ChainTopIssuer): RootRecord[] {
    const keyId = top.authorityKeyId.toLowerCase();
    if (keyId !== "") {
      const byKey = this.byKeyId.get(keyId) ?? [];
      return top.issuerDn === "" ? byKey : byKey.filter((r) => r.subjectDn === top.issuerDn);
    }
    if (top.issuerDn === "") return [];
    return this.byDn.get(top.issuerDn) ?? [];
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
