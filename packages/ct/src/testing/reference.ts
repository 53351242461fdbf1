// Test-only: views of a certificate as the references (Node's X509Certificate, the openssl CLI)
// print it, normalised to the conventions of `Certificate` so fields can be compared one to one.
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { formatIpAddress } from "../x509.js";

/** Reference fields, in this package's conventions. */
export interface ReferenceView {
  subjectDn: string;
  issuerDn: string;
  dnsNames: string[];
  ipAddresses: string[];
  serialHex: string;
  notBeforeMs: number;
  notAfterMs: number;
  sha256Hex: string;
  keyAlgorithm: string;
  keyBits: number | undefined;
  keyCurve: string;
  isCa: boolean;
}

/** Node's multi-line DN ("C=US\nO=x\nCN=y", " + " inside an RDN) → RFC 4514 ("CN=y,O=x,C=US"). */
export function nodeDnToRfc4514(dn: string | undefined): string {
  if (dn === undefined || dn === "") return "";
  return dn.split("\n").reverse().join(",").replaceAll(" + ", "+");
}

/** IPv6/IPv4 text in any form (OpenSSL prints IPv6 uncompressed, upper-case) → this package's form. */
export function normaliseIp(text: string): string {
  if (!text.includes(":")) return text;
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const b = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    b[2 * i] = v >> 8;
    b[2 * i + 1] = v & 0xff;
  });
  return formatIpAddress(b) ?? text;
}

/** Splits Node's subjectAltName string ("DNS:a, DNS:\"b,c\", IP Address:1.2.3.4"). */
export function splitNodeSan(san: string | undefined): [string, string][] {
  const out: [string, string][] = [];
  if (!san) return out;
  let i = 0;
  while (i < san.length) {
    const colon = san.indexOf(":", i);
    const type = san.slice(i, colon);
    let j = colon + 1;
    let value: string;
    if (san[j] === '"') {
      let k = j + 1;
      while (k < san.length && san[k] !== '"') k += san[k] === "\\" ? 2 : 1;
      value = JSON.parse(san.slice(j, k + 1)) as string;
      j = k + 1;
    } else {
      const k = san.indexOf(", ", j);
      value = san.slice(j, k < 0 ? san.length : k);
      j = k < 0 ? san.length : k;
    }
    out.push([type, value]);
    i = j + 2;
  }
  return out;
}

const CURVES: Record<string, string> = {
  prime256v1: "P-256",
  secp384r1: "P-384",
  secp521r1: "P-521",
  secp224r1: "P-224",
  secp256k1: "secp256k1",
};

function dedupLower(names: string[]): string[] {
  return [...new Set(names.map((n) => n.replace(/[A-Z]+/g, (m) => m.toLowerCase())))];
}

/** The certificate as Node's crypto.X509Certificate sees it. */
export function nodeView(der: Uint8Array): ReferenceView {
  const x = new X509Certificate(Buffer.from(der));
  const san = splitNodeSan(x.subjectAltName);
  const key = x.publicKey;
  const type = key.asymmetricKeyType ?? "";
  const details = key.asymmetricKeyDetails ?? {};
  const names: Record<string, string> = {
    rsa: "RSA",
    ec: "EC",
    ed25519: "Ed25519",
    ed448: "Ed448",
    "rsa-pss": "1.2.840.113549.1.1.10",
  };
  const keyAlgorithm = names[type] ?? type;
  return {
    subjectDn: nodeDnToRfc4514(x.subject),
    issuerDn: nodeDnToRfc4514(x.issuer),
    dnsNames: dedupLower(san.filter(([t]) => t === "DNS").map(([, v]) => v)),
    ipAddresses: [...new Set(san.filter(([t]) => t === "IP Address").map(([, v]) => normaliseIp(v)))].filter(
      (v) => !v.startsWith("<"),
    ),
    serialHex: x.serialNumber.toLowerCase(),
    notBeforeMs: x.validFromDate.getTime(),
    notAfterMs: x.validToDate.getTime(),
    sha256Hex: x.fingerprint256.replaceAll(":", "").toLowerCase(),
    keyAlgorithm,
    keyBits:
      details.modulusLength ??
      (details.namedCurve
        ? Number(/(\d+)/.exec(CURVES[details.namedCurve] ?? details.namedCurve)?.[1])
        : undefined),
    keyCurve: details.namedCurve ? (CURVES[details.namedCurve] ?? details.namedCurve) : "",
    isCa: x.ca,
  };
}

/**
 * Our serial (lower-case hex of the DER INTEGER content, leading 00 kept) in the form Node/OpenSSL
 * print it (BN_bn2hex: no leading zero bytes, "0" for zero), lower-cased.
 */
export function serialWithoutPadding(serialHex: string): string {
  const s = serialHex.replace(/^(00)+(?=[0-9a-f])/, "");
  return /^0+$/.test(s) ? "0" : s;
}

/** Whether the openssl CLI is available. */
export function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

/** Fields from `openssl x509 -text` (names as RFC2253 without MSB escaping). */
export interface OpensslView {
  subjectDn: string;
  issuerDn: string;
  serialHex: string;
  notBeforeMs: number;
  notAfterMs: number;
  signatureAlgorithm: string;
  keyBits: number;
  isCa: boolean;
  pathLen: number;
  subjectKeyIdHex: string;
  authorityKeyIdHex: string;
  policyOids: string[];
  dnsNames: string[];
  ipAddresses: string[];
  sha256Hex: string;
}

/** Runs `openssl x509 -inform DER -noout -text -fingerprint -sha256 -nameopt RFC2253,-esc_msb`. */
export function opensslView(der: Uint8Array): OpensslView {
  const out = execFileSync(
    "openssl",
    [
      "x509",
      "-inform",
      "DER",
      "-noout",
      "-text",
      "-fingerprint",
      "-sha256",
      "-nameopt",
      "RFC2253,-esc_msb",
      "-certopt",
      "ext_parse",
    ],
    { input: Buffer.from(der), encoding: "utf8" },
  );
  const lines = out.split("\n");
  const after = (header: RegExp): string[] => {
    const i = lines.findIndex((l) => header.test(l));
    if (i < 0) return [];
    const indent = (lines[i]!.match(/^\s*/)?.[0].length ?? 0) + 1;
    const body: string[] = [];
    for (let j = i + 1; j < lines.length && (lines[j]!.match(/^\s*/)?.[0].length ?? 0) >= indent; j++) {
      body.push(lines[j]!.trim());
    }
    return body;
  };
  const field = (re: RegExp): string => out.match(re)?.[1]?.trim() ?? "";
  let serialHex = field(/Serial Number: *(?:\S+ \(0x)?([0-9a-f]+)\)?\n/i);
  if (!serialHex) serialHex = after(/Serial Number:/)[0]?.replaceAll(":", "") ?? "";
  const bc = after(/X509v3 Basic Constraints/).join(" ");
  const san = (after(/X509v3 Subject Alternative Name/)[0] ?? "").split(", ").filter((s) => s !== "");
  return {
    subjectDn: field(/^ {8}Subject: ?(.*)$/m),
    issuerDn: field(/^ {8}Issuer: ?(.*)$/m),
    serialHex: serialHex.toLowerCase(),
    notBeforeMs: Date.parse(field(/Not Before: (.*)/)),
    notAfterMs: Date.parse(field(/Not After : (.*)/)),
    signatureAlgorithm: field(/Signature Algorithm: (.*)/),
    keyBits: Number(field(/Public-Key: \((\d+) bit\)/) || 0),
    isCa: /CA:TRUE/.test(bc),
    pathLen: Number(/pathlen:(\d+)/.exec(bc)?.[1] ?? -1),
    subjectKeyIdHex: (after(/X509v3 Subject Key Identifier/)[0] ?? "").replaceAll(":", "").toLowerCase(),
    authorityKeyIdHex: (after(/X509v3 Authority Key Identifier/)[0] ?? "")
      .replace(/^keyid:/, "")
      .replaceAll(":", "")
      .toLowerCase(),
    policyOids: after(/X509v3 Certificate Policies/)
      .filter((l) => l.startsWith("Policy: "))
      .map((l) => l.slice(8)),
    dnsNames: dedupLower(san.filter((s) => s.startsWith("DNS:")).map((s) => s.slice(4))),
    ipAddresses: san.filter((s) => s.startsWith("IP Address:")).map((s) => normaliseIp(s.slice(11))),
    sha256Hex: field(/sha256 Fingerprint=(.*)/i)
      .replaceAll(":", "")
      .toLowerCase(),
  };
}
