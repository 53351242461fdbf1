import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { DerTag, encodeDer, encodeOid, Oid } from "@ctwatch/ct";
import { concatBytes, type StoredEntry } from "./log-entry-encoding.js";

const ECDSA_SHA256 = "1.2.840.10045.4.3.2";
const EXT_KEY_USAGE = "2.5.29.37";
const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const DV_POLICY = "2.23.140.1.2.1";

const seq = (...c: Uint8Array[]) => encodeDer(DerTag.SEQUENCE, ...c);
const oid = (o: string) => encodeDer(DerTag.OID, encodeOid(o));
const utf8 = (s: string) => new TextEncoder().encode(s);

function derInt(bytes: Uint8Array): Uint8Array {
  // Positive INTEGER: a leading 0x00 when the top bit is set.
  const body = (bytes[0] ?? 0) & 0x80 ? concatBytes([Uint8Array.of(0), bytes]) : bytes;
  return encodeDer(DerTag.INTEGER, body);
}

function name(cn: string, o?: string): Uint8Array {
  const rdn = (type: string, value: string) =>
    encodeDer(DerTag.SET, seq(oid(type), encodeDer(DerTag.UTF8_STRING, utf8(value))));
  return seq(...(o ? [rdn(Oid.organizationName, o)] : []), rdn(Oid.commonName, cn));
}

function utcTime(ms: number): Uint8Array {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return encodeDer(DerTag.UTC_TIME, utf8(s));
}

function extension(type: string, critical: boolean, value: Uint8Array): Uint8Array {
  return seq(
    oid(type),
    ...(critical ? [encodeDer(DerTag.BOOLEAN, Uint8Array.of(0xff))] : []),
    encodeDer(DerTag.OCTET_STRING, value),
  );
}

const sha256 = (b: Uint8Array) => new Uint8Array(createHash("sha256").update(b).digest());

/** Options of `CertFactory`. */
export interface CertFactoryOptions {
  /** Names are `host<i>.<domain>` and `www.host<i>.<domain>`; default "ctwatch.test". */
  domain?: string;
  /** notBefore of every certificate, ms since the epoch; default now. notAfter is 90 days later. */
  notBeforeMs?: number;
}

/** One issuance: the precertificate entry and the final-certificate entry of the same TBS. */
export interface Issuance {
  readonly precert: StoredEntry;
  readonly final: StoredEntry;
  /** The DNS names in both. */
  readonly dnsNames: string[];
}

/**
 * Generates real, well-formed X.509 certificates for a test log: one self-signed ECDSA P-256 CA and,
 * per issuance, a precertificate (CT poison) and the final certificate (SCT list instead of the
 * poison) that share their TBS otherwise, both signed by the CA. Precert entries log the TBS
 * without the poison, as RFC 6962 requires, so the ct package's issuance key matches the pair.
 */
export class CertFactory {
  /** The CA certificate (DER) every entry chains to. */
  readonly issuerDer: Uint8Array;
  /** SHA-256 of `issuerDer` (the chain fingerprint of static-ct-api tiles). */
  readonly issuerSha256: Uint8Array;
  /** SHA-256 of the CA's SubjectPublicKeyInfo (a precert's issuer_key_hash). */
  readonly issuerKeyHash: Uint8Array;
  private readonly caKey: KeyObject;
  private readonly caName: Uint8Array;
  private readonly caKeyId: Uint8Array;
  private readonly leafSpki: Uint8Array;
  private readonly domain: string;
  private readonly notBeforeMs: number;

  constructor(opts: CertFactoryOptions = {}) {
    this.domain = opts.domain ?? "ctwatch.test";
    this.notBeforeMs = opts.notBeforeMs ?? Date.now();
    const ca = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.caKey = ca.privateKey;
    const caSpki = new Uint8Array(ca.publicKey.export({ type: "spki", format: "der" }));
    this.issuerKeyHash = sha256(caSpki);
    this.caKeyId = this.issuerKeyHash.subarray(0, 20);
    this.caName = name("ctwatch Test CA", "ctwatch");
    this.leafSpki = new Uint8Array(
      generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "der" }),
    );
    const caTbs = seq(
      encodeDer(0xa0, derInt(Uint8Array.of(2))),
      derInt(Uint8Array.of(0x01)),
      seq(oid(ECDSA_SHA256)),
      this.caName,
      seq(utcTime(this.notBeforeMs - 86_400_000), utcTime(this.notBeforeMs + 3_650 * 86_400_000)),
      this.caName,
      caSpki,
      encodeDer(
        0xa3,
        seq(
          extension(Oid.basicConstraints, true, seq(encodeDer(DerTag.BOOLEAN, Uint8Array.of(0xff)))),
          extension(Oid.subjectKeyIdentifier, false, encodeDer(DerTag.OCTET_STRING, this.caKeyId)),
        ),
      ),
    );
    this.issuerDer = this.signTbs(caTbs);
    this.issuerSha256 = sha256(this.issuerDer);
  }

  private signTbs(tbs: Uint8Array): Uint8Array {
    const sig = new Uint8Array(sign("sha256", tbs, this.caKey));
    return seq(tbs, seq(oid(ECDSA_SHA256)), encodeDer(DerTag.BIT_STRING, Uint8Array.of(0), sig));
  }

  private tbs(serial: Uint8Array, dnsNames: string[], last: Uint8Array): Uint8Array {
    const san = seq(...dnsNames.map((n) => encodeDer(0x82, utf8(n))));
    return seq(
      encodeDer(0xa0, derInt(Uint8Array.of(2))),
      derInt(serial),
      seq(oid(ECDSA_SHA256)),
      this.caName,
      seq(utcTime(this.notBeforeMs), utcTime(this.notBeforeMs + 90 * 86_400_000)),
      name(dnsNames[0] ?? "leaf"),
      this.leafSpki,
      encodeDer(
        0xa3,
        seq(
          extension(Oid.subjectAltName, false, san),
          extension(Oid.basicConstraints, true, seq()),
          extension(EXT_KEY_USAGE, false, seq(oid(SERVER_AUTH))),
          extension(Oid.authorityKeyIdentifier, false, seq(encodeDer(0x80, this.caKeyId))),
          extension(
            Oid.subjectKeyIdentifier,
            false,
            encodeDer(DerTag.OCTET_STRING, sha256(serial).subarray(0, 20)),
          ),
          extension(Oid.certificatePolicies, false, seq(seq(oid(DV_POLICY)))),
          last,
        ),
      ),
    );
  }

  /**
   * Issuance number `i` (0-based): names `host<i>.<domain>` and `www.host<i>.<domain>` unless
   * `dnsNames` is given; timestamps are `timestampMs` (precert) and `timestampMs + 1` (final).
   */
  issuance(i: number, timestampMs: number, dnsNames?: string[]): Issuance {
    const names = dnsNames ?? [`host${i}.${this.domain}`, `www.host${i}.${this.domain}`];
    const serial = sha256(utf8(`serial ${i} ${names.join(",")}`)).subarray(0, 16);
    const poison = extension(Oid.ctPoison, true, encodeDer(DerTag.NULL));
    // A structurally valid SignedCertificateTimestampList holding one SCT (placeholder signature).
    const sct = concatBytes([
      Uint8Array.of(0),
      new Uint8Array(32).fill(7),
      new Uint8Array(8),
      Uint8Array.of(0, 0, 4, 3, 0, 2, 0x30, 0),
    ]);
    const sctList = concatBytes([Uint8Array.of(0, sct.length + 2, 0, sct.length), sct]);
    const sctExt = extension(Oid.ctSctList, false, encodeDer(DerTag.OCTET_STRING, sctList));
    const preTbs = this.tbs(serial, names, poison);
    const loggedTbs = this.tbs(serial, names, new Uint8Array(0));
    const finalTbs = this.tbs(serial, names, sctExt);
    const chain = [this.issuerDer];
    const chainSha256 = [this.issuerSha256];
    return {
      dnsNames: names,
      precert: {
        timestampMs,
        entryType: "precert",
        signedEntry: loggedTbs,
        issuerKeyHash: this.issuerKeyHash,
        preCertificate: this.signTbs(preTbs),
        chain,
        chainSha256,
      },
      final: {
        timestampMs: timestampMs + 1,
        entryType: "x509",
        signedEntry: this.signTbs(finalTbs),
        issuerKeyHash: new Uint8Array(0),
        preCertificate: new Uint8Array(0),
        chain,
        chainSha256,
      },
    };
  }
}
