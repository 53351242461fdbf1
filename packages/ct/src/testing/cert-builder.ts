// Test-only helpers (excluded from the package build): build synthetic certificates and load
// fixtures. Signatures are placeholders; parsers (ours, Node's, OpenSSL's) do not verify them.
import { generateKeyPairSync } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DerTag, encodeDer, encodeOid } from "../der.js";
import { Oid } from "../oids.js";

const utf8 = new TextEncoder();

/** Bytes of a string: UTF-8 (default) or one byte per char (latin1). */
export function bytes(s: string, latin1 = false): Uint8Array {
  return latin1 ? Uint8Array.from(s, (c) => c.charCodeAt(0)) : utf8.encode(s);
}

/** Concatenation. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Hex → bytes. */
export function fromHex(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h, "hex"));
}

export const oid = (o: string): Uint8Array => encodeDer(DerTag.OID, encodeOid(o));
export const seq = (...c: Uint8Array[]): Uint8Array => encodeDer(DerTag.SEQUENCE, ...c);
export const set = (...c: Uint8Array[]): Uint8Array => encodeDer(DerTag.SET, ...c);
export const octets = (b: Uint8Array): Uint8Array => encodeDer(DerTag.OCTET_STRING, b);
export const int = (b: Uint8Array): Uint8Array => encodeDer(DerTag.INTEGER, b);
export const bool = (v: boolean): Uint8Array => encodeDer(DerTag.BOOLEAN, Uint8Array.of(v ? 0xff : 0));
export const explicit = (n: number, ...c: Uint8Array[]): Uint8Array => encodeDer(0xa0 | n, ...c);

/** One attribute: [type OID, value, string tag (default UTF8String)]. */
export type Attr = readonly [string, string | Uint8Array, number?];

/** Name from RDNs (each an array of attributes, in encoding order). */
export function name(...rdns: Attr[][]): Uint8Array {
  return seq(
    ...rdns.map((rdn) =>
      set(
        ...rdn.map(([type, value, tag]) =>
          seq(
            oid(type),
            encodeDer(
              tag ?? DerTag.UTF8_STRING,
              typeof value === "string"
                ? bytes(value, tag !== undefined && tag !== DerTag.UTF8_STRING)
                : value,
            ),
          ),
        ),
      ),
    ),
  );
}

/** One extension. */
export interface ExtSpec {
  readonly oid: string;
  readonly critical?: boolean;
  /** extnValue content (DER of the extension's value). */
  readonly value: Uint8Array;
}

export function ext(e: ExtSpec): Uint8Array {
  return seq(oid(e.oid), ...(e.critical ? [bool(true)] : []), octets(e.value));
}

/** GeneralName entries for SAN: [tag, content]. */
export function sanExt(entries: readonly (readonly [number, Uint8Array])[]): ExtSpec {
  return { oid: Oid.subjectAltName, value: seq(...entries.map(([t, v]) => encodeDer(t, v))) };
}

export const dns = (s: string): readonly [number, Uint8Array] => [0x82, bytes(s, true)];
export const ip = (b: number[]): readonly [number, Uint8Array] => [0x87, Uint8Array.from(b)];

export function basicConstraintsExt(ca: boolean, pathLen?: number): ExtSpec {
  const parts: Uint8Array[] = [];
  if (ca) parts.push(bool(true));
  if (pathLen !== undefined) parts.push(int(Uint8Array.of(pathLen)));
  return { oid: Oid.basicConstraints, critical: true, value: seq(...parts) };
}

export function policiesExt(oids: string[]): ExtSpec {
  return { oid: Oid.certificatePolicies, value: seq(...oids.map((o) => seq(oid(o)))) };
}

export function skiExt(id: Uint8Array): ExtSpec {
  return { oid: Oid.subjectKeyIdentifier, value: octets(id) };
}

export function akiExt(id: Uint8Array): ExtSpec {
  return { oid: Oid.authorityKeyIdentifier, value: seq(encodeDer(0x80, id)) };
}

export function msSidExt(sid: string): ExtSpec {
  return {
    oid: Oid.msNtdsCaSecurityExt,
    value: seq(explicit(0, oid(Oid.msNtdsObjectSid), explicit(0, octets(bytes(sid))))),
  };
}

export const poisonExt: ExtSpec = { oid: Oid.ctPoison, critical: true, value: Uint8Array.of(0x05, 0x00) };

/** An SCT-list extension holding an arbitrary TLS blob. */
export function sctListExt(blob: Uint8Array): ExtSpec {
  const withLen = concat(Uint8Array.of(blob.length >> 8, blob.length & 0xff), blob);
  return { oid: Oid.ctSctList, value: octets(withLen) };
}

/** UTCTime / GeneralizedTime element. */
export function time(s: string): Uint8Array {
  return encodeDer(s.length === 13 ? DerTag.UTC_TIME : DerTag.GENERALIZED_TIME, bytes(s, true));
}

let cachedSpki: Uint8Array | undefined;

/** A real P-256 SubjectPublicKeyInfo (generated once). */
export function defaultSpki(): Uint8Array {
  cachedSpki ??= new Uint8Array(
    generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "der" }),
  );
  return cachedSpki;
}

/** Fields of a synthetic certificate; everything has a default. */
export interface CertSpec {
  version?: number | null;
  serial?: Uint8Array;
  sigAlg?: string;
  issuer?: Uint8Array;
  notBefore?: string;
  notAfter?: string;
  subject?: Uint8Array;
  spki?: Uint8Array;
  extensions?: ExtSpec[] | null;
}

export const SHA256_RSA = "1.2.840.113549.1.1.11";

/** TBSCertificate DER. */
export function buildTbs(spec: CertSpec = {}): Uint8Array {
  const alg = seq(oid(spec.sigAlg ?? SHA256_RSA), encodeDer(DerTag.NULL));
  const version = spec.version === null ? [] : [explicit(0, int(Uint8Array.of(spec.version ?? 2)))];
  const exts =
    spec.extensions === null || spec.extensions === undefined
      ? []
      : [explicit(3, seq(...spec.extensions.map(ext)))];
  return seq(
    ...version,
    int(spec.serial ?? Uint8Array.of(0x01, 0x23)),
    alg,
    spec.issuer ?? name([["2.5.4.3", "Test CA"]], [["2.5.4.10", "Test Org"]]),
    seq(time(spec.notBefore ?? "250101000000Z"), time(spec.notAfter ?? "260101000000Z")),
    spec.subject ?? name([["2.5.4.3", "leaf.example"]]),
    spec.spki ?? defaultSpki(),
    ...exts,
  );
}

/** Certificate DER around a TBS (placeholder signature). */
export function wrapTbs(tbs: Uint8Array, sigAlg = SHA256_RSA): Uint8Array {
  return seq(
    tbs,
    seq(oid(sigAlg), encodeDer(DerTag.NULL)),
    encodeDer(DerTag.BIT_STRING, Uint8Array.of(0, 1, 2, 3)),
  );
}

/** Certificate DER. */
export function buildCertificate(spec: CertSpec = {}): Uint8Array {
  return wrapTbs(buildTbs(spec), spec.sigAlg);
}

/** Absolute path of a repository fixture. */
export function fixturePath(...p: string[]): string {
  return path.resolve(process.cwd(), "test/fixtures", ...p);
}

/** Fixture bytes. */
export function readFixture(...p: string[]): Uint8Array {
  return new Uint8Array(fs.readFileSync(fixturePath(...p)));
}

/** One item of test/fixtures/ct/argon2026h2/live_ct.json. */
export interface ArgonItem {
  name: string;
  cert_index: number;
  leaf_input: string;
  extra_data: string;
  expected_full: string;
}

export function argonItems(): ArgonItem[] {
  return JSON.parse(fs.readFileSync(fixturePath("ct/argon2026h2/live_ct.json"), "utf8")) as ArgonItem[];
}

/** Names of the navigli data tiles with their tile index and width. */
export const NAVIGLI_TILES: readonly { file: string; index: number; width: number }[] = [
  { file: "000", index: 0, width: 256 },
  { file: "001", index: 1, width: 256 },
  { file: "002", index: 2, width: 256 },
  { file: "003", index: 3, width: 256 },
  { file: "003.p/10", index: 3, width: 10 },
];

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
