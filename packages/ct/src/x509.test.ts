import { generateKeyPairSync } from "node:crypto";
import { CertificateSchema } from "@ctwatch/proto";
import { describe, expect, it } from "@jest/globals";
import { CtParseError, type CtParseErrorCode } from "./ct-parse-error.js";
import { DerTag, encodeDer, toHex } from "./der.js";
import { Oid } from "./oids.js";
import { sha256 } from "./sha256.js";
import {
  akiExt,
  basicConstraintsExt,
  buildCertificate,
  buildTbs,
  bytes,
  type CertSpec,
  dns,
  type ExtSpec,
  ip,
  msSidExt,
  name,
  policiesExt,
  sanExt,
  seq,
  skiExt,
  wrapTbs,
} from "./testing/cert-builder.js";
import { nodeView, serialWithoutPadding } from "./testing/reference.js";
import {
  certificateIssuerInfo,
  escapeDnValue,
  formatIpAddress,
  formatName,
  type ParseCertificateOptions,
  parseCertificate,
  parseCertificateStructure,
  parseTbsCertificate,
} from "./x509.js";

function codeOf(f: () => unknown): CtParseErrorCode | "no-error" | "other-error" {
  try {
    f();
    return "no-error";
  } catch (e) {
    return e instanceof CtParseError ? e.code : "other-error";
  }
}

function spki(
  type: "rsa" | "ec" | "ed25519" | "ed448",
  opt: { modulusLength?: number; namedCurve?: string } = {},
): Uint8Array {
  const pair =
    type === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: opt.modulusLength ?? 2048 })
      : type === "ec"
        ? generateKeyPairSync("ec", { namedCurve: opt.namedCurve ?? "P-256" })
        : type === "ed25519"
          ? generateKeyPairSync("ed25519")
          : generateKeyPairSync("ed448");
  return new Uint8Array(pair.publicKey.export({ type: "spki", format: "der" }));
}

describe("Certificate shape", () => {
  it("has exactly the fields of the protobuf message ctwatch.ct.v1.Certificate", () => {
    const c = parseCertificate(buildCertificate());
    const protoFields = CertificateSchema.fields.map((f) => f.localName).sort();
    expect(Object.keys(c).sort()).toEqual(protoFields);
  });

  it("parses a default synthetic certificate", () => {
    const der = buildCertificate();
    const c = parseCertificate(der);
    expect(c).toMatchObject({
      dnsNames: [],
      ipAddresses: [],
      subjectDn: "CN=leaf.example",
      subjectCn: "leaf.example",
      subjectO: "",
      issuerDn: "O=Test Org,CN=Test CA",
      issuerCn: "Test CA",
      issuerO: "Test Org",
      serialHex: "0123",
      notBeforeMs: Date.UTC(2025, 0, 1),
      notAfterMs: Date.UTC(2026, 0, 1),
      keyAlgorithm: "EC",
      keyBits: 256,
      keyCurve: "P-256",
      signatureAlgorithm: "sha256WithRSAEncryption",
      isCa: false,
      pathLen: -1,
      policyOids: [],
      msSid: "",
    });
    expect(c.der).toBe(der);
    expect(toHex(c.sha256)).toBe(toHex(sha256(der)));
    expect(toHex(c.tbsSha256)).toBe(toHex(sha256(parseCertificateStructure(der).tbs.der)));
    expect(c.subjectKeyId.length).toBe(0);
    expect(c.authorityKeyId.length).toBe(0);
  });
});

describe("subjectAltName", () => {
  const table: [string, ExtSpec, string[], string[]][] = [
    [
      "lower-cases and dedups, order kept",
      sanExt([dns("B.example"), dns("a.example"), dns("b.EXAMPLE")]),
      ["b.example", "a.example"],
      [],
    ],
    [
      "keeps wildcards and A-labels",
      sanExt([dns("*.Example.com"), dns("xn--bcher-kva.example")]),
      ["*.example.com", "xn--bcher-kva.example"],
      [],
    ],
    [
      "IPv4 and IPv6",
      sanExt([ip([192, 0, 2, 1]), ip([0x20, 1, 0xd, 0xb8, ...Array(11).fill(0), 1])]),
      [],
      ["192.0.2.1", "2001:db8::1"],
    ],
    [
      "skips IPs of bad length, dedups IPs",
      sanExt([ip([1, 2, 3]), ip([1, 2, 3, 4]), ip([1, 2, 3, 4])]),
      [],
      ["1.2.3.4"],
    ],
    [
      "ignores other GeneralName types",
      sanExt([[0x81, bytes("a@b.c")], [0x86, bytes("https://x")], dns("x.y")]),
      ["x.y"],
      [],
    ],
    ["empty SAN", sanExt([]), [], []],
  ];
  it.each(table)("%s", (_n, ext, dnsNames, ips) => {
    const der = buildCertificate({ extensions: [ext] });
    const c = parseCertificate(der);
    expect(c.dnsNames).toEqual(dnsNames);
    expect(c.ipAddresses).toEqual(ips);
    const ref = nodeView(der);
    expect(c.dnsNames).toEqual(ref.dnsNames);
    expect(c.ipAddresses).toEqual(ref.ipAddresses);
  });

  it("first SAN extension wins when duplicated", () => {
    const c = parseCertificate(
      buildCertificate({ extensions: [sanExt([dns("a.x")]), sanExt([dns("b.x")])] }),
    );
    expect(c.dnsNames).toEqual(["a.x"]);
  });
});

describe("formatIpAddress (RFC 5952)", () => {
  const v6 = (groups: number[]): Uint8Array => Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
  const table: [string, Uint8Array, string | undefined][] = [
    ["IPv4", Uint8Array.of(10, 0, 0, 255), "10.0.0.255"],
    ["unspecified", v6([0, 0, 0, 0, 0, 0, 0, 0]), "::"],
    ["loopback", v6([0, 0, 0, 0, 0, 0, 0, 1]), "::1"],
    ["trailing zeros", v6([1, 0, 0, 0, 0, 0, 0, 0]), "1::"],
    ["single zero group not compressed", v6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), "2001:db8:0:1:1:1:1:1"],
    ["longest run compressed", v6([0x2001, 0, 0, 1, 0, 0, 0, 1]), "2001:0:0:1::1"],
    ["first run on ties", v6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), "2001:db8::1:0:0:1"],
    [
      "lower-case hex, no leading zeros",
      v6([0x2001, 0xdb8, 0xabcd, 0x12, 0, 0, 0, 0xff]),
      "2001:db8:abcd:12::ff",
    ],
    ["bad length", Uint8Array.of(1, 2, 3, 4, 5), undefined],
  ];
  it.each(table)("%s", (_n, b, want) => {
    expect(formatIpAddress(b)).toBe(want);
  });
});

describe("distinguished names", () => {
  const esc: [string, string][] = [
    ["plain", "plain"],
    ["a,b", "a\\,b"],
    ['q"uote', 'q\\"uote'],
    ["a+b;c<d>e\\f", "a\\+b\\;c\\<d\\>e\\\\f"],
    ["#lead", "\\#lead"],
    ["mid#dle", "mid#dle"],
    [" both ", "\\ both\\ "],
    ["ctl\u0001\u007f", "ctl\\01\\7F"],
    ["a=b", "a=b"],
    ["Ünïcode ✓", "Ünïcode ✓"],
    ["", ""],
  ];
  it.each(esc)("escapeDnValue(%j) = %j", (v, want) => {
    expect(escapeDnValue(v)).toBe(want);
  });

  const names: [string, Uint8Array, string, string, string][] = [
    ["empty name", name(), "", "", ""],
    [
      "reverse order",
      name([["2.5.4.6", "US", DerTag.PRINTABLE_STRING]], [["2.5.4.10", "Org"]], [["2.5.4.3", "CA"]]),
      "CN=CA,O=Org,C=US",
      "CA",
      "Org",
    ],
    [
      "multi-valued RDN",
      name(
        [
          ["2.5.4.10", "O1"],
          ["2.5.4.11", "Unit"],
        ],
        [["2.5.4.3", "x"]],
      ),
      "CN=x,O=O1+OU=Unit",
      "x",
      "O1",
    ],
    [
      "last CN wins",
      name([["2.5.4.3", "first"]], [["2.5.4.3", "second"]]),
      "CN=second,CN=first",
      "second",
      "",
    ],
    ["escaped values, raw cn", name([["2.5.4.3", " a,b "]]), "CN=\\ a\\,b\\ ", " a,b ", ""],
    ["unknown type as OID", name([["1.2.3.4", "v"]]), "1.2.3.4=v", "", ""],
    [
      "short names",
      name(
        [["1.2.840.113549.1.9.1", "a@b", DerTag.IA5_STRING]],
        [["0.9.2342.19200300.100.1.25", "com", DerTag.IA5_STRING]],
        [["1.3.6.1.4.1.311.60.2.1.3", "US", DerTag.PRINTABLE_STRING]],
        [["2.5.4.5", "123", DerTag.PRINTABLE_STRING]],
        [["2.5.4.15", "Private Organization"]],
      ),
      "businessCategory=Private Organization,serialNumber=123,jurisdictionC=US,DC=com,emailAddress=a@b",
      "",
      "",
    ],
    ["T61String latin-1", name([["2.5.4.7", "Zürich", DerTag.T61_STRING]]), "L=Zürich", "", ""],
    [
      "BMPString",
      name([["2.5.4.3", Uint8Array.of(0, 0x41, 0x27, 0x13), DerTag.BMP_STRING]]),
      "CN=A✓",
      "A✓",
      "",
    ],
  ];
  it.each(names)("%s", (_n, nameDer, dn, cn, o) => {
    expect(formatName(nameDer)).toEqual({ dn, cn, o });
    const der = buildCertificate({ subject: nameDer, issuer: nameDer });
    const c = parseCertificate(der);
    expect([c.subjectDn, c.subjectCn, c.subjectO]).toEqual([dn, cn, o]);
    expect([c.issuerDn, c.issuerCn, c.issuerO]).toEqual([dn, cn, o]);
    const ref = nodeView(der);
    expect(c.subjectDn).toBe(ref.subjectDn);
    expect(c.issuerDn).toBe(ref.issuerDn);
  });

  it("prints non-string attribute values like OpenSSL would (Latin-1 content / #hex for constructed)", () => {
    const nm = seq(
      encodeDer(
        DerTag.SET,
        seq(encodeDer(DerTag.OID, Uint8Array.of(0x55, 0x04, 0x03)), encodeDer(DerTag.INTEGER, bytes("AB"))),
      ),
      encodeDer(DerTag.SET, seq(encodeDer(DerTag.OID, Uint8Array.of(0x55, 0x04, 0x0a)), seq())),
    );
    expect(formatName(nm).dn).toBe("O=#3000,CN=AB");
  });
});

describe("keys", () => {
  const table: [string, () => Uint8Array, string, number, string][] = [
    ["RSA 2048", () => spki("rsa", { modulusLength: 2048 }), "RSA", 2048, ""],
    ["RSA 3072", () => spki("rsa", { modulusLength: 3072 }), "RSA", 3072, ""],
    ["EC P-256", () => spki("ec", { namedCurve: "P-256" }), "EC", 256, "P-256"],
    ["EC P-384", () => spki("ec", { namedCurve: "P-384" }), "EC", 384, "P-384"],
    ["EC P-521", () => spki("ec", { namedCurve: "P-521" }), "EC", 521, "P-521"],
    ["EC secp256k1", () => spki("ec", { namedCurve: "secp256k1" }), "EC", 256, "secp256k1"],
    ["Ed25519", () => spki("ed25519"), "Ed25519", 256, ""],
    ["Ed448", () => spki("ed448"), "Ed448", 456, ""],
  ];
  it.each(table)("%s", (_n, make, alg, bits, curve) => {
    const der = buildCertificate({ spki: make() });
    const c = parseCertificate(der);
    expect([c.keyAlgorithm, c.keyBits, c.keyCurve]).toEqual([alg, bits, curve]);
    const ref = nodeView(der);
    expect(c.keyAlgorithm).toBe(ref.keyAlgorithm);
    if (ref.keyBits !== undefined) expect(c.keyBits).toBe(ref.keyBits);
    expect(c.keyCurve).toBe(ref.keyCurve);
  });

  it("unknown key algorithm gives its OID and 0 bits", () => {
    const unknown = seq(
      seq(encodeDer(DerTag.OID, Uint8Array.of(0x2a, 0x03))),
      encodeDer(DerTag.BIT_STRING, Uint8Array.of(0, 1)),
    );
    const c = parseCertificate(buildCertificate({ spki: unknown }));
    expect([c.keyAlgorithm, c.keyBits, c.keyCurve]).toEqual(["1.2.3", 0, ""]);
  });

  it.each([
    ["ecdsa-with-SHA384", "1.2.840.10045.4.3.3"],
    ["sha1WithRSAEncryption", "1.2.840.113549.1.1.5"],
    ["ED25519", "1.3.101.112"],
    ["1.2.3.4.5", "1.2.3.4.5"],
  ])("signature algorithm %s", (want, o) => {
    expect(parseCertificate(buildCertificate({ sigAlg: o })).signatureAlgorithm).toBe(want);
  });
});

describe("extensions", () => {
  const table: [
    string,
    ExtSpec[],
    Partial<Record<"isCa" | "pathLen" | "policyOids" | "msSid" | "ski" | "aki", unknown>>,
  ][] = [
    ["no extensions", [], { isCa: false, pathLen: -1, policyOids: [], msSid: "", ski: "", aki: "" }],
    ["CA without pathLen", [basicConstraintsExt(true)], { isCa: true, pathLen: -1 }],
    ["CA pathLen 0", [basicConstraintsExt(true, 0)], { isCa: true, pathLen: 0 }],
    ["CA pathLen 3", [basicConstraintsExt(true, 3)], { isCa: true, pathLen: 3 }],
    ["end entity", [basicConstraintsExt(false)], { isCa: false, pathLen: -1 }],
    [
      "policies",
      [policiesExt(["2.23.140.1.2.1", "1.3.6.1.4.1.44947.1.1.1"])],
      { policyOids: ["2.23.140.1.2.1", "1.3.6.1.4.1.44947.1.1.1"] },
    ],
    [
      "key identifiers",
      [skiExt(Uint8Array.of(1, 2, 3)), akiExt(Uint8Array.of(0xaa, 0xbb))],
      { ski: "010203", aki: "aabb" },
    ],
    [
      "Microsoft SID",
      [msSidExt("S-1-5-21-3623811015-3361044348-30300820-1013")],
      { msSid: "S-1-5-21-3623811015-3361044348-30300820-1013" },
    ],
  ];
  it.each(table)("%s", (_n, exts, want) => {
    const der = buildCertificate({ extensions: exts });
    const c = parseCertificate(der);
    const got = {
      isCa: c.isCa,
      pathLen: c.pathLen,
      policyOids: c.policyOids,
      msSid: c.msSid,
      ski: toHex(c.subjectKeyId),
      aki: toHex(c.authorityKeyId),
    };
    expect(got).toMatchObject(want);
    expect(c.isCa).toBe(nodeView(der).isCa);
  });

  it("exposes the extension list with critical flags and offsets", () => {
    const tbs = parseCertificateStructure(
      buildCertificate({ extensions: [basicConstraintsExt(true), skiExt(Uint8Array.of(9))] }),
    ).tbs;
    expect(tbs.extensions.map((e) => [e.oid, e.critical])).toEqual([
      [Oid.basicConstraints, true],
      [Oid.subjectKeyIdentifier, false],
    ]);
    const first = tbs.extensions[0]!;
    expect(tbs.der[first.start]).toBe(0x30);
    expect(tbs.der[tbs.extensionsStart]).toBe(0xa3);
  });
});

describe("versions and serials", () => {
  const table: [string, CertSpec, { version: number; serialHex: string } | CtParseErrorCode][] = [
    ["v1 without version field", { version: null }, { version: 1, serialHex: "0123" }],
    ["v2", { version: 1 }, { version: 2, serialHex: "0123" }],
    ["leading 00 kept", { serial: Uint8Array.of(0, 0x99, 0x01) }, { version: 3, serialHex: "009901" }],
    [
      "20-byte serial",
      { serial: Uint8Array.from({ length: 20 }, (_, i) => i + 1) },
      { version: 3, serialHex: "0102030405060708090a0b0c0d0e0f1011121314" },
    ],
    ["version 4 is unsupported", { version: 3 }, "unsupported-version"],
    ["empty serial", { serial: new Uint8Array(0) }, "bad-value"],
  ];
  it.each(table)("%s", (_n, spec, want) => {
    const der = buildCertificate(spec);
    if (typeof want === "string") {
      expect(codeOf(() => parseCertificate(der))).toBe(want);
      return;
    }
    const s = parseCertificateStructure(der);
    expect(s.tbs.version).toBe(want.version);
    const c = parseCertificate(der);
    expect(c.serialHex).toBe(want.serialHex);
    expect(serialWithoutPadding(c.serialHex)).toBe(nodeView(der).serialHex);
  });

  it("GeneralizedTime validity", () => {
    const der = buildCertificate({ notBefore: "20500101000000Z", notAfter: "21000101000000Z" });
    const c = parseCertificate(der);
    expect(c.notBeforeMs).toBe(Date.UTC(2050, 0, 1));
    expect(c.notAfterMs).toBe(Date.UTC(2100, 0, 1));
    expect(c.notAfterMs).toBe(nodeView(der).notAfterMs);
  });
});

describe("bounds", () => {
  const many = sanExt(Array.from({ length: 101 }, (_, i) => dns(`n${i}.example`)));
  const table: [string, CertSpec, ParseCertificateOptions, CtParseErrorCode | "no-error"][] = [
    ["SAN count at the bound", { extensions: [many] }, { maxSans: 101 }, "no-error"],
    ["SAN count over the bound", { extensions: [many] }, { maxSans: 100 }, "too-large"],
    [
      "dNSName over maxNameLength",
      { extensions: [sanExt([dns(`${"a".repeat(300)}.x`)])] },
      { maxNameLength: 256 },
      "too-large",
    ],
    [
      "DN value over maxNameLength",
      { subject: name([["2.5.4.3", "a".repeat(300)]]) },
      { maxNameLength: 256 },
      "too-large",
    ],
    ["certificate over maxCertificateSize", {}, { maxCertificateSize: 100 }, "too-large"],
  ];
  it.each(table)("%s", (_n, spec, opts, code) => {
    expect(codeOf(() => parseCertificate(buildCertificate(spec), opts))).toBe(code);
  });

  it("default SAN bound: 10,000 accepted, 10,001 rejected (with a raised size bound)", () => {
    const mk = (n: number): Uint8Array =>
      buildCertificate({ extensions: [sanExt(Array.from({ length: n }, (_, i) => dns(`h${i}.ex`)))] });
    const big = { maxCertificateSize: 1 << 20 };
    expect(parseCertificate(mk(10_000), big).dnsNames.length).toBe(10_000);
    expect(codeOf(() => parseCertificate(mk(10_001), big))).toBe("too-large");
    // With the default 64 KiB size bound such a certificate is rejected before its SANs are read.
    expect(codeOf(() => parseCertificate(mk(10_000)))).toBe("too-large");
  });
});

describe("malformed certificates", () => {
  const good = buildCertificate({ extensions: [sanExt([dns("a.b")])] });
  const tbs = buildTbs();
  const table: [string, Uint8Array, CtParseErrorCode][] = [
    ["empty", new Uint8Array(0), "truncated"],
    ["not a SEQUENCE", Uint8Array.of(0x04, 0x00), "unexpected-tag"],
    ["truncated", good.subarray(0, good.length - 1), "truncated"],
    ["trailing byte", Uint8Array.from([...good, 0]), "trailing-data"],
    ["missing signature", seq(tbs, seq(encodeDer(DerTag.OID, Uint8Array.of(0x2a, 0x03)))), "truncated"],
    [
      "SAN not a SEQUENCE",
      buildCertificate({ extensions: [{ oid: Oid.subjectAltName, value: Uint8Array.of(4, 0) }] }),
      "unexpected-tag",
    ],
    [
      "SAN truncated",
      buildCertificate({ extensions: [{ oid: Oid.subjectAltName, value: Uint8Array.of(0x30, 5, 0x82, 1) }] }),
      "truncated",
    ],
    [
      "basicConstraints bad BOOLEAN",
      buildCertificate({
        extensions: [{ oid: Oid.basicConstraints, value: Uint8Array.of(0x30, 4, 1, 2, 0xff, 0xff) }],
      }),
      "bad-length",
    ],
    [
      "negative pathLen",
      buildCertificate({
        extensions: [{ oid: Oid.basicConstraints, value: Uint8Array.of(0x30, 6, 1, 1, 0xff, 2, 1, 0xff) }],
      }),
      "bad-value",
    ],
    [
      "SKI not an OCTET STRING",
      buildCertificate({ extensions: [{ oid: Oid.subjectKeyIdentifier, value: Uint8Array.of(5, 0) }] }),
      "unexpected-tag",
    ],
    ["bad time", buildCertificate({ notBefore: "259901000000Z" }), "bad-value"],
    [
      "extension value not OCTET STRING",
      wrapTbs(replaceExtValueTag(buildTbs({ extensions: [skiExt(Uint8Array.of(1))] }))),
      "unexpected-tag",
    ],
  ];
  it.each(table)("%s → %s", (_n, der, code) => {
    expect(codeOf(() => parseCertificate(der))).toBe(code);
  });

  it("parseTbsCertificate rejects trailing data and accepts a TBS", () => {
    expect(parseTbsCertificate(tbs).version).toBe(3);
    expect(codeOf(() => parseTbsCertificate(Uint8Array.from([...tbs, 0])))).toBe("trailing-data");
  });
});

// Turns the extnValue OCTET STRING (tag 0x04) of the only extension into a BIT STRING (0x03).
function replaceExtValueTag(tbs: Uint8Array): Uint8Array {
  const out = Uint8Array.from(tbs);
  const t = parseTbsCertificate(tbs);
  const e = t.extensions[0]!;
  const valueTagAt = e.end - e.value.length - 2;
  out[valueTagAt] = 0x03;
  return out;
}

describe("certificateIssuerInfo", () => {
  it("returns issuer DN and AKI only", () => {
    const der = buildCertificate({ extensions: [akiExt(Uint8Array.of(7, 7))] });
    const info = certificateIssuerInfo(der);
    expect(info.issuerDn).toBe("O=Test Org,CN=Test CA");
    expect(toHex(info.authorityKeyId)).toBe("0707");
  });
});
