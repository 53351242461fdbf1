import { CtParseError } from "./ct-parse-error.js";
import {
  DEFAULT_MAX_DER_DEPTH,
  type DerElement,
  DerReader,
  DerTag,
  decodeBoolean,
  decodeOid,
  decodeSmallInteger,
  decodeString,
  decodeTime,
  latin1,
  readDer,
  toHex,
} from "./der.js";
import { ATTRIBUTE_SHORT_NAMES, EC_CURVES, Oid, SIGNATURE_ALGORITHM_NAMES } from "./oids.js";
import { sha256 } from "./sha256.js";

/** Bounds applied while parsing a certificate; all optional. */
export interface ParseCertificateOptions {
  /** Largest accepted certificate / TBSCertificate DER, bytes (default 65,536). */
  maxCertificateSize?: number;
  /** Largest number of GeneralNames in subjectAltName (default 10,000). Over it: `too-large`. */
  maxSans?: number;
  /** Largest single dNSName or DN attribute value, bytes (default 1,024). Over it: `too-large`. */
  maxNameLength?: number;
  /** Largest ASN.1 nesting depth (default 32). */
  maxDepth?: number;
}

/** Default for {@link ParseCertificateOptions.maxCertificateSize}. */
export const DEFAULT_MAX_CERTIFICATE_SIZE = 65_536;
/** Default for {@link ParseCertificateOptions.maxSans}. */
export const DEFAULT_MAX_SANS = 10_000;
/** Default for {@link ParseCertificateOptions.maxNameLength}. */
export const DEFAULT_MAX_NAME_LENGTH = 1_024;

/**
 * The certificate fields detectors need. Field names map 1:1 onto the protobuf message
 * `ctwatch.ct.v1.Certificate` (proto/ctwatch/ct/v1/entry.proto); times are numbers here (ms since
 * the Unix epoch, UTC) where the protobuf type is int64. Byte fields are views, not copies.
 */
export interface Certificate {
  /** DER of the certificate (for precert entries: the poisoned precertificate). */
  der: Uint8Array;
  /** SHA-256 of `der`. */
  sha256: Uint8Array;
  /**
   * SHA-256 of the TBSCertificate. From {@link parseCertificate}: of this certificate's own TBS;
   * in a `LogEntry` for a precert: of the TBS as logged (the poison extension removed).
   */
  tbsSha256: Uint8Array;
  /** subjectAltName dNSNames, ASCII lower-cased, duplicates removed, first-seen order kept. */
  dnsNames: string[];
  /** subjectAltName iPAddresses: dotted IPv4, RFC 5952 compressed IPv6. Other lengths are skipped. */
  ipAddresses: string[];
  /** Subject DN, RFC 4514 order ("CN=a,O=b,C=c"); see {@link formatName}. */
  subjectDn: string;
  /** Last commonName of the subject in encoding order (unescaped), "" if none. */
  subjectCn: string;
  /** Last organizationName of the subject (unescaped), "" if none. */
  subjectO: string;
  /** Issuer DN, same convention as `subjectDn`. */
  issuerDn: string;
  /** Last commonName of the issuer, "" if none. */
  issuerCn: string;
  /** Last organizationName of the issuer, "" if none. */
  issuerO: string;
  /** Serial number: lower-case hex of the DER INTEGER content octets (leading 00 kept). */
  serialHex: string;
  /** notBefore, ms since the Unix epoch. */
  notBeforeMs: number;
  /** notAfter, ms since the Unix epoch. */
  notAfterMs: number;
  /** subjectKeyIdentifier, empty when absent. */
  subjectKeyId: Uint8Array;
  /** authorityKeyIdentifier keyIdentifier, empty when absent. */
  authorityKeyId: Uint8Array;
  /** "RSA", "EC", "Ed25519", "Ed448", or the SubjectPublicKeyInfo algorithm OID. */
  keyAlgorithm: string;
  /** RSA (and RSA-PSS) modulus bits, EC curve bits, 256 for Ed25519, 456 for Ed448, else 0. */
  keyBits: number;
  /** EC curve name ("P-256", ...) or curve OID when unknown; "" when not EC. */
  keyCurve: string;
  /** Signature algorithm (OpenSSL long name, "sha256WithRSAEncryption") or OID. */
  signatureAlgorithm: string;
  /** basicConstraints cA. */
  isCa: boolean;
  /** basicConstraints pathLenConstraint, -1 when absent. */
  pathLen: number;
  /** certificatePolicies policyIdentifiers, in order. */
  policyOids: string[];
  /** Microsoft SID (1.3.6.1.4.1.311.25.2) value, "" when absent. */
  msSid: string;
}

/** One X.509 extension, located in the TBSCertificate it came from. */
export interface CertificateExtension {
  /** extnID, dotted. */
  readonly oid: string;
  /** critical flag (DEFAULT FALSE). */
  readonly critical: boolean;
  /** extnValue OCTET STRING content. */
  readonly value: Uint8Array;
  /** Offsets of the whole Extension TLV within the TBSCertificate DER `[start, end)`. */
  readonly start: number;
  readonly end: number;
}

/** The parts of a TBSCertificate, as views into its DER. */
export interface TbsCertificate {
  /** DER of the whole TBSCertificate (SEQUENCE TLV). */
  readonly der: Uint8Array;
  /** X.509 version: 1, 2 or 3. */
  readonly version: number;
  /** serialNumber INTEGER content octets. */
  readonly serial: Uint8Array;
  /** Inner signature AlgorithmIdentifier OID. */
  readonly signatureAlgorithmOid: string;
  /** issuer Name (SEQUENCE TLV). */
  readonly issuer: Uint8Array;
  /** Validity, ms since the Unix epoch. */
  readonly notBeforeMs: number;
  readonly notAfterMs: number;
  /** subject Name (SEQUENCE TLV). */
  readonly subject: Uint8Array;
  /** SubjectPublicKeyInfo (SEQUENCE TLV). */
  readonly subjectPublicKeyInfo: Uint8Array;
  /** Extensions in encoding order (empty when the [3] field is absent). */
  readonly extensions: readonly CertificateExtension[];
  /** Offset in `der` of the [3] extensions field, or `der.length` when absent. */
  readonly extensionsStart: number;
  /** Offset in `der` of the TBS content (after the outer SEQUENCE header). */
  readonly contentStart: number;
}

/** A certificate split into TBSCertificate and outer signature parts. */
export interface CertificateStructure {
  /** The certificate DER as given. */
  readonly der: Uint8Array;
  readonly tbs: TbsCertificate;
  /** Outer signatureAlgorithm OID. */
  readonly signatureAlgorithmOid: string;
  /** signatureValue BIT STRING content (including the unused-bits octet). */
  readonly signatureValue: Uint8Array;
}

function readOidIn(r: DerReader, context: string): string {
  const el = r.expect(DerTag.OID, context);
  return decodeOid(r.buf, el.valueStart, el.end, context);
}

/** Reads an AlgorithmIdentifier SEQUENCE, returning its OID (parameters are skipped). */
function readAlgorithmOid(r: DerReader, context: string): string {
  const seq = r.expect(DerTag.SEQUENCE, context);
  const inner = r.enter(seq, context);
  const oid = readOidIn(inner, context);
  if (!inner.done) inner.read(context);
  inner.finish(context);
  return oid;
}

/**
 * Parses a TBSCertificate given as exactly one DER SEQUENCE (RFC 5280 section 4.1): version,
 * serial, signature, issuer, validity, subject, SPKI, optional unique IDs and extensions.
 * Throws {@link CtParseError}.
 */
export function parseTbsCertificate(tbsDer: Uint8Array, opts: ParseCertificateOptions = {}): TbsCertificate {
  const maxSize = opts.maxCertificateSize ?? DEFAULT_MAX_CERTIFICATE_SIZE;
  if (tbsDer.length > maxSize) throw new CtParseError("too-large", "tbs", 0, `${tbsDer.length} bytes`);
  const top = new DerReader(tbsDer, 0, tbsDer.length, 0, opts.maxDepth ?? DEFAULT_MAX_DER_DEPTH);
  const seq = top.expect(DerTag.SEQUENCE, "tbs");
  top.finish("tbs");
  return readTbs(top, seq);
}

function readTbs(parent: DerReader, seq: DerElement): TbsCertificate {
  const buf = parent.buf;
  const r = parent.enter(seq, "tbs");
  let version = 1;
  const vEl = r.optional(0xa0, "tbs.version");
  if (vEl) {
    const vr = r.enter(vEl, "tbs.version");
    const iv = vr.expect(DerTag.INTEGER, "tbs.version");
    vr.finish("tbs.version");
    const v = decodeSmallInteger(buf, iv.valueStart, iv.end, "tbs.version");
    if (v < 0 || v > 2)
      throw new CtParseError("unsupported-version", "tbs.version", iv.valueStart, String(v));
    version = v + 1;
  }
  const serialEl = r.expect(DerTag.INTEGER, "tbs.serialNumber");
  if (serialEl.end === serialEl.valueStart)
    throw new CtParseError("bad-value", "tbs.serialNumber", serialEl.start);
  const signatureAlgorithmOid = readAlgorithmOid(r, "tbs.signature");
  const issuerEl = r.expect(DerTag.SEQUENCE, "tbs.issuer");
  const validityEl = r.expect(DerTag.SEQUENCE, "tbs.validity");
  const vr = r.enter(validityEl, "tbs.validity");
  const nb = vr.read("tbs.validity.notBefore");
  const notBeforeMs = decodeTime(nb.tag, buf, nb.valueStart, nb.end, "tbs.validity.notBefore");
  const na = vr.read("tbs.validity.notAfter");
  const notAfterMs = decodeTime(na.tag, buf, na.valueStart, na.end, "tbs.validity.notAfter");
  vr.finish("tbs.validity");
  const subjectEl = r.expect(DerTag.SEQUENCE, "tbs.subject");
  const spkiEl = r.expect(DerTag.SEQUENCE, "tbs.subjectPublicKeyInfo");
  // issuerUniqueID [1] / subjectUniqueID [2]: IMPLICIT BIT STRING (primitive; constructed tolerated).
  if (r.peekTag() === 0x81 || r.peekTag() === 0xa1) r.read("tbs.issuerUniqueID");
  if (r.peekTag() === 0x82 || r.peekTag() === 0xa2) r.read("tbs.subjectUniqueID");
  const extensions: CertificateExtension[] = [];
  let extensionsStart = seq.end;
  const extEl = r.optional(0xa3, "tbs.extensions");
  if (extEl) {
    extensionsStart = extEl.start;
    const er = r.enter(extEl, "tbs.extensions");
    const listEl = er.expect(DerTag.SEQUENCE, "tbs.extensions");
    er.finish("tbs.extensions");
    const lr = er.enter(listEl, "tbs.extensions");
    while (!lr.done) {
      const e = lr.expect(DerTag.SEQUENCE, "tbs.extensions.extension");
      const xr = lr.enter(e, "tbs.extensions.extension");
      const oid = readOidIn(xr, "tbs.extensions.extension.extnID");
      let critical = false;
      const c = xr.optional(DerTag.BOOLEAN, "tbs.extensions.extension.critical");
      if (c) critical = decodeBoolean(buf, c.valueStart, c.end, "tbs.extensions.extension.critical");
      const v = xr.expect(DerTag.OCTET_STRING, "tbs.extensions.extension.extnValue");
      xr.finish("tbs.extensions.extension");
      extensions.push({
        oid,
        critical,
        value: buf.subarray(v.valueStart, v.end),
        start: e.start - seq.start,
        end: e.end - seq.start,
      });
    }
  }
  r.finish("tbs");
  return {
    der: buf.subarray(seq.start, seq.end),
    version,
    serial: buf.subarray(serialEl.valueStart, serialEl.end),
    signatureAlgorithmOid,
    issuer: buf.subarray(issuerEl.start, issuerEl.end),
    notBeforeMs,
    notAfterMs,
    subject: buf.subarray(subjectEl.start, subjectEl.end),
    subjectPublicKeyInfo: buf.subarray(spkiEl.start, spkiEl.end),
    extensions,
    extensionsStart: extensionsStart - seq.start,
    contentStart: seq.valueStart - seq.start,
  };
}

/**
 * Splits a certificate (RFC 5280 section 4.1) into its TBSCertificate parts and outer signature,
 * without decoding names or extension values. Throws {@link CtParseError}.
 */
export function parseCertificateStructure(
  der: Uint8Array,
  opts: ParseCertificateOptions = {},
): CertificateStructure {
  const maxSize = opts.maxCertificateSize ?? DEFAULT_MAX_CERTIFICATE_SIZE;
  if (der.length > maxSize) throw new CtParseError("too-large", "certificate", 0, `${der.length} bytes`);
  const top = new DerReader(der, 0, der.length, 0, opts.maxDepth ?? DEFAULT_MAX_DER_DEPTH);
  const certEl = top.expect(DerTag.SEQUENCE, "certificate");
  top.finish("certificate");
  const cr = top.enter(certEl, "certificate");
  const tbsEl = cr.expect(DerTag.SEQUENCE, "tbs");
  const tbs = readTbs(cr, tbsEl);
  const signatureAlgorithmOid = readAlgorithmOid(cr, "certificate.signatureAlgorithm");
  const sig = cr.expect(DerTag.BIT_STRING, "certificate.signatureValue");
  cr.finish("certificate");
  return { der, tbs, signatureAlgorithmOid, signatureValue: der.subarray(sig.valueStart, sig.end) };
}

/** A formatted Name: RFC 4514 string plus the last CN and O values. */
export interface FormattedName {
  /** RFC 4514 string: RDNs last-to-first joined by ",", multi-valued RDN members by "+". */
  readonly dn: string;
  /** Last commonName value in encoding order (unescaped), "" if none. */
  readonly cn: string;
  /** Last organizationName value in encoding order (unescaped), "" if none. */
  readonly o: string;
}

// Characters RFC 4514 / OpenSSL ESC_2253 escape with a backslash anywhere in a value.
const DN_SPECIAL = ',+"\\<>;';

/**
 * Escapes an attribute value as OpenSSL does with ASN1_STRFLGS_ESC_2253 | ESC_CTRL (no ESC_MSB):
 * `,+"\<>;` get a backslash, as do a leading `#` or space and a trailing space; C0 controls and
 * DEL become `\XX`; non-ASCII characters are kept as is.
 */
export function escapeDnValue(v: string): string {
  const n = v.length;
  let needs = n > 0 && (v[0] === "#" || v[0] === " " || v[n - 1] === " ");
  for (let i = 0; i < n && !needs; i++) {
    const c = v.charCodeAt(i);
    needs = c < 0x20 || c === 0x7f || (c < 0x80 && DN_SPECIAL.includes(v[i]!));
  }
  if (!needs) return v;
  let out = "";
  for (let i = 0; i < n; i++) {
    const ch = v[i]!;
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) out += `\\${c.toString(16).toUpperCase().padStart(2, "0")}`;
    else if (DN_SPECIAL.includes(ch)) out += `\\${ch}`;
    else if (i === 0 && (ch === "#" || ch === " ")) out += `\\${ch}`;
    else if (i === n - 1 && ch === " ") out += "\\ ";
    else out += ch;
  }
  return out;
}

/**
 * Formats a DER Name (RDNSequence) as an RFC 4514 string: RDNs in reverse encoding order joined by
 * ",", members of a multi-valued RDN in encoding order joined by "+", attribute types as OpenSSL
 * short names (CN, O, OU, C, L, ST, emailAddress, ...) or dotted OIDs, values decoded to Unicode
 * and escaped with {@link escapeDnValue}; values of non-string types are printed like OpenSSL
 * (content octets as Latin-1; constructed values as "#" + hex of their DER).
 * This equals `openssl x509 -nameopt RFC2253,-esc_msb` output for string types, and Node's
 * X509Certificate subject/issuer with its lines reversed and joined by ",".
 */
export function formatName(nameDer: Uint8Array, opts: ParseCertificateOptions = {}): FormattedName {
  const maxLen = opts.maxNameLength ?? DEFAULT_MAX_NAME_LENGTH;
  const top = new DerReader(nameDer, 0, nameDer.length, 0, opts.maxDepth ?? DEFAULT_MAX_DER_DEPTH);
  const seq = top.expect(DerTag.SEQUENCE, "name");
  top.finish("name");
  const r = top.enter(seq, "name");
  const rdns: string[] = [];
  let cn = "";
  let o = "";
  while (!r.done) {
    const set = r.expect(DerTag.SET, "name.rdn");
    const sr = r.enter(set, "name.rdn");
    let rdn = "";
    while (!sr.done) {
      const atv = sr.expect(DerTag.SEQUENCE, "name.rdn.attribute");
      const ar = sr.enter(atv, "name.rdn.attribute");
      const oid = readOidIn(ar, "name.rdn.attribute.type");
      const v = ar.read("name.rdn.attribute.value");
      ar.finish("name.rdn.attribute");
      if (v.end - v.valueStart > maxLen) {
        throw new CtParseError(
          "too-large",
          "name.rdn.attribute.value",
          v.start,
          `${v.end - v.valueStart} bytes`,
        );
      }
      let value = decodeString(v.tag, nameDer, v.valueStart, v.end, "name.rdn.attribute.value");
      let printed: string;
      if (value !== undefined) {
        printed = escapeDnValue(value);
      } else if (v.tag & 0x20) {
        printed = `#${toHex(nameDer, v.start, v.end)}`;
      } else {
        value = latin1(nameDer, v.valueStart, v.end);
        printed = escapeDnValue(value);
      }
      if (oid === Oid.commonName) cn = value ?? "";
      else if (oid === Oid.organizationName) o = value ?? "";
      const type = ATTRIBUTE_SHORT_NAMES.get(oid) ?? oid;
      rdn += rdn === "" ? `${type}=${printed}` : `+${type}=${printed}`;
    }
    rdns.push(rdn);
  }
  let dn = "";
  for (let i = rdns.length - 1; i >= 0; i--) dn += i === rdns.length - 1 ? rdns[i]! : `,${rdns[i]!}`;
  return { dn, cn, o };
}

function asciiLower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

/** Text form of an IPv4 (4 bytes) or IPv6 (16 bytes, RFC 5952 compressed) address; else undefined. */
export function formatIpAddress(b: Uint8Array): string | undefined {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length !== 16) return undefined;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // Longest run (>= 2) of zero groups, first one on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

interface SanResult {
  dnsNames: string[];
  ipAddresses: string[];
}

function parseSan(value: Uint8Array, maxSans: number, maxLen: number, maxDepth: number): SanResult {
  const top = new DerReader(value, 0, value.length, 0, maxDepth);
  const seq = top.expect(DerTag.SEQUENCE, "subjectAltName");
  top.finish("subjectAltName");
  const r = top.enter(seq, "subjectAltName");
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  let seen: Set<string> | undefined;
  let count = 0;
  while (!r.done) {
    const gn = r.read("subjectAltName.generalName");
    if (++count > maxSans)
      throw new CtParseError("too-large", "subjectAltName", gn.start, `more than ${maxSans} names`);
    if (gn.tag === 0x82) {
      const len = gn.end - gn.valueStart;
      if (len > maxLen)
        throw new CtParseError("too-large", "subjectAltName.dNSName", gn.start, `${len} bytes`);
      const name = asciiLower(latin1(value, gn.valueStart, gn.end));
      if (dnsNames.length === 0) {
        dnsNames.push(name);
      } else {
        if (seen === undefined) seen = new Set(dnsNames);
        if (!seen.has(name)) {
          seen.add(name);
          dnsNames.push(name);
        }
      }
    } else if (gn.tag === 0x87) {
      const ip = formatIpAddress(value.subarray(gn.valueStart, gn.end));
      if (ip !== undefined && !ipAddresses.includes(ip)) ipAddresses.push(ip);
    }
  }
  return { dnsNames, ipAddresses };
}

function octetStringContent(value: Uint8Array, context: string): Uint8Array {
  const el = readDer(value, 0, value.length, context);
  if (el.tag !== DerTag.OCTET_STRING) throw new CtParseError("unexpected-tag", context, 0);
  if (el.end !== value.length) throw new CtParseError("trailing-data", context, el.end);
  return value.subarray(el.valueStart, el.end);
}

function parseAuthorityKeyId(value: Uint8Array, maxDepth: number): Uint8Array {
  const top = new DerReader(value, 0, value.length, 0, maxDepth);
  const seq = top.expect(DerTag.SEQUENCE, "authorityKeyIdentifier");
  top.finish("authorityKeyIdentifier");
  const r = top.enter(seq, "authorityKeyIdentifier");
  while (!r.done) {
    const el = r.read("authorityKeyIdentifier");
    if (el.tag === 0x80) return value.subarray(el.valueStart, el.end);
  }
  return new Uint8Array(0);
}

function parseBasicConstraints(value: Uint8Array, maxDepth: number): { isCa: boolean; pathLen: number } {
  const top = new DerReader(value, 0, value.length, 0, maxDepth);
  const seq = top.expect(DerTag.SEQUENCE, "basicConstraints");
  top.finish("basicConstraints");
  const r = top.enter(seq, "basicConstraints");
  let isCa = false;
  let pathLen = -1;
  const b = r.optional(DerTag.BOOLEAN, "basicConstraints.cA");
  if (b) isCa = decodeBoolean(value, b.valueStart, b.end, "basicConstraints.cA");
  const p = r.optional(DerTag.INTEGER, "basicConstraints.pathLenConstraint");
  if (p) {
    pathLen = decodeSmallInteger(value, p.valueStart, p.end, "basicConstraints.pathLenConstraint");
    if (pathLen < 0) throw new CtParseError("bad-value", "basicConstraints.pathLenConstraint", p.valueStart);
    if (pathLen > 0x7fffffff)
      throw new CtParseError("too-large", "basicConstraints.pathLenConstraint", p.valueStart);
  }
  r.finish("basicConstraints");
  return { isCa, pathLen };
}

function parsePolicies(value: Uint8Array, maxDepth: number): string[] {
  const top = new DerReader(value, 0, value.length, 0, maxDepth);
  const seq = top.expect(DerTag.SEQUENCE, "certificatePolicies");
  top.finish("certificatePolicies");
  const r = top.enter(seq, "certificatePolicies");
  const out: string[] = [];
  while (!r.done) {
    const pi = r.expect(DerTag.SEQUENCE, "certificatePolicies.policyInformation");
    const pr = r.enter(pi, "certificatePolicies.policyInformation");
    out.push(readOidIn(pr, "certificatePolicies.policyIdentifier"));
  }
  return out;
}

function parseMsSid(value: Uint8Array, maxDepth: number, maxLen: number): string {
  const top = new DerReader(value, 0, value.length, 0, maxDepth);
  const seq = top.expect(DerTag.SEQUENCE, "msSid");
  top.finish("msSid");
  const r = top.enter(seq, "msSid");
  while (!r.done) {
    const on = r.read("msSid.otherName");
    if (on.tag !== 0xa0) continue;
    const or = r.enter(on, "msSid.otherName");
    const oid = readOidIn(or, "msSid.otherName.typeId");
    if (oid !== Oid.msNtdsObjectSid) continue;
    const wrapped = or.expect(0xa0, "msSid.otherName.value");
    const wr = or.enter(wrapped, "msSid.otherName.value");
    const os = wr.expect(DerTag.OCTET_STRING, "msSid.otherName.value");
    if (os.end - os.valueStart > maxLen) throw new CtParseError("too-large", "msSid", os.start);
    return latin1(value, os.valueStart, os.end);
  }
  return "";
}

interface KeyInfo {
  keyAlgorithm: string;
  keyBits: number;
  keyCurve: string;
}

function integerBits(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  while (p < end && buf[p] === 0) p++;
  if (p === end) return 0;
  return (end - p - 1) * 8 + (32 - Math.clz32(buf[p]!));
}

function parseKeyInfo(spki: Uint8Array, maxDepth: number): KeyInfo {
  const top = new DerReader(spki, 0, spki.length, 0, maxDepth);
  const seq = top.expect(DerTag.SEQUENCE, "subjectPublicKeyInfo");
  const r = top.enter(seq, "subjectPublicKeyInfo");
  const algEl = r.expect(DerTag.SEQUENCE, "subjectPublicKeyInfo.algorithm");
  const ar = r.enter(algEl, "subjectPublicKeyInfo.algorithm");
  const oid = readOidIn(ar, "subjectPublicKeyInfo.algorithm");
  const params = ar.done ? undefined : ar.read("subjectPublicKeyInfo.algorithm.parameters");
  ar.finish("subjectPublicKeyInfo.algorithm");
  const bits = r.expect(DerTag.BIT_STRING, "subjectPublicKeyInfo.subjectPublicKey");
  r.finish("subjectPublicKeyInfo");
  if (bits.end === bits.valueStart)
    throw new CtParseError("bad-value", "subjectPublicKeyInfo.subjectPublicKey", bits.start);
  const keyStart = bits.valueStart + 1;
  const keyEnd = bits.end;
  if (oid === Oid.rsaEncryption || oid === "1.2.840.113549.1.1.10") {
    const kr = new DerReader(spki, keyStart, keyEnd, 1, maxDepth);
    const ks = kr.expect(DerTag.SEQUENCE, "rsaPublicKey");
    kr.finish("rsaPublicKey");
    const mr = kr.enter(ks, "rsaPublicKey");
    const n = mr.expect(DerTag.INTEGER, "rsaPublicKey.modulus");
    mr.expect(DerTag.INTEGER, "rsaPublicKey.publicExponent");
    mr.finish("rsaPublicKey");
    return {
      keyAlgorithm: oid === Oid.rsaEncryption ? "RSA" : oid,
      keyBits: integerBits(spki, n.valueStart, n.end),
      keyCurve: "",
    };
  }
  if (oid === Oid.ecPublicKey) {
    let keyCurve = "";
    let keyBits = 0;
    if (params?.tag === DerTag.OID) {
      const curveOid = decodeOid(spki, params.valueStart, params.end, "subjectPublicKeyInfo.namedCurve");
      const known = EC_CURVES.get(curveOid);
      if (known) [keyCurve, keyBits] = known;
      else keyCurve = curveOid;
    }
    if (keyBits === 0) {
      const len = keyEnd - keyStart;
      const form = spki[keyStart];
      if (form === 0x04 && len > 1) keyBits = ((len - 1) / 2) * 8;
      else if ((form === 0x02 || form === 0x03) && len > 1) keyBits = (len - 1) * 8;
    }
    return { keyAlgorithm: "EC", keyBits, keyCurve };
  }
  if (oid === Oid.ed25519) return { keyAlgorithm: "Ed25519", keyBits: 256, keyCurve: "" };
  if (oid === Oid.ed448) return { keyAlgorithm: "Ed448", keyBits: 456, keyCurve: "" };
  return { keyAlgorithm: oid, keyBits: 0, keyCurve: "" };
}

/**
 * Decodes the detector-facing fields from an already split certificate (see
 * {@link parseCertificateStructure}). Known extensions (SAN, basicConstraints, SKI, AKI,
 * certificatePolicies, Microsoft SID) must be well-formed; the first occurrence of a duplicated
 * extension wins. Throws {@link CtParseError}.
 */
export function certificateFromStructure(
  s: CertificateStructure,
  opts: ParseCertificateOptions = {},
): Certificate {
  return certificateFields(s, opts, undefined);
}

/**
 * {@link certificateFromStructure} with `tbsSha256` supplied by the caller (for precert entries,
 * the hash of the logged TBS), saving a hash of the certificate's own TBS. Not part of the API.
 */
export function certificateFields(
  s: CertificateStructure,
  opts: ParseCertificateOptions,
  tbsSha256: Uint8Array | undefined,
): Certificate {
  const maxDepth = opts.maxDepth ?? DEFAULT_MAX_DER_DEPTH;
  const maxLen = opts.maxNameLength ?? DEFAULT_MAX_NAME_LENGTH;
  const tbs = s.tbs;
  const subject = formatName(tbs.subject, opts);
  const issuer = formatName(tbs.issuer, opts);
  const key = parseKeyInfo(tbs.subjectPublicKeyInfo, maxDepth);
  let san: SanResult | undefined;
  let subjectKeyId: Uint8Array | undefined;
  let authorityKeyId: Uint8Array | undefined;
  let bc: { isCa: boolean; pathLen: number } | undefined;
  let policyOids: string[] | undefined;
  let msSid: string | undefined;
  for (const ext of tbs.extensions) {
    switch (ext.oid) {
      case Oid.subjectAltName:
        san ??= parseSan(ext.value, opts.maxSans ?? DEFAULT_MAX_SANS, maxLen, maxDepth);
        break;
      case Oid.subjectKeyIdentifier:
        subjectKeyId ??= octetStringContent(ext.value, "subjectKeyIdentifier");
        break;
      case Oid.authorityKeyIdentifier:
        authorityKeyId ??= parseAuthorityKeyId(ext.value, maxDepth);
        break;
      case Oid.basicConstraints:
        bc ??= parseBasicConstraints(ext.value, maxDepth);
        break;
      case Oid.certificatePolicies:
        policyOids ??= parsePolicies(ext.value, maxDepth);
        break;
      case Oid.msNtdsCaSecurityExt:
        msSid ??= parseMsSid(ext.value, maxDepth, maxLen);
        break;
    }
  }
  return {
    der: s.der,
    sha256: sha256(s.der),
    tbsSha256: tbsSha256 ?? sha256(tbs.der),
    dnsNames: san?.dnsNames ?? [],
    ipAddresses: san?.ipAddresses ?? [],
    subjectDn: subject.dn,
    subjectCn: subject.cn,
    subjectO: subject.o,
    issuerDn: issuer.dn,
    issuerCn: issuer.cn,
    issuerO: issuer.o,
    serialHex: toHex(tbs.serial),
    notBeforeMs: tbs.notBeforeMs,
    notAfterMs: tbs.notAfterMs,
    subjectKeyId: subjectKeyId ?? new Uint8Array(0),
    authorityKeyId: authorityKeyId ?? new Uint8Array(0),
    keyAlgorithm: key.keyAlgorithm,
    keyBits: key.keyBits,
    keyCurve: key.keyCurve,
    signatureAlgorithm: SIGNATURE_ALGORITHM_NAMES.get(s.signatureAlgorithmOid) ?? s.signatureAlgorithmOid,
    isCa: bc?.isCa ?? false,
    pathLen: bc?.pathLen ?? -1,
    policyOids: policyOids ?? [],
    msSid: msSid ?? "",
  };
}

/**
 * Parses a DER X.509 certificate (or CT precertificate) into {@link Certificate} fields.
 * Pure and bounded (see {@link ParseCertificateOptions}); throws only {@link CtParseError}.
 */
export function parseCertificate(der: Uint8Array, opts: ParseCertificateOptions = {}): Certificate {
  return certificateFromStructure(parseCertificateStructure(der, opts), opts);
}

/**
 * The issuer DN and authorityKeyIdentifier of a certificate, decoding nothing else (used for the
 * top of a chain). Throws {@link CtParseError}.
 */
export function certificateIssuerInfo(
  der: Uint8Array,
  opts: ParseCertificateOptions = {},
): { issuerDn: string; authorityKeyId: Uint8Array } {
  const s = parseCertificateStructure(der, opts);
  const aki = s.tbs.extensions.find((e) => e.oid === Oid.authorityKeyIdentifier);
  return {
    issuerDn: formatName(s.tbs.issuer, opts).dn,
    authorityKeyId: aki
      ? parseAuthorityKeyId(aki.value, opts.maxDepth ?? DEFAULT_MAX_DER_DEPTH)
      : new Uint8Array(0),
  };
}
