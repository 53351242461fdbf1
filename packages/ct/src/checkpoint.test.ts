import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import fs from "node:fs";
import { describe, expect, it } from "@jest/globals";
import {
  CtVerifyError,
  type CtVerifyErrorCode,
  formatRfc6962Checkpoint,
  noteKeyId,
  parseCheckpoint,
  parseSignedNote,
  rfc6962NoteKeyId,
  type SthJson,
  type TreeHead,
  treeHeadSignatureInput,
  verifyRfc6962Checkpoint,
  verifySth,
} from "./checkpoint.js";
import { type CtLogKey, ctLogKey } from "./ct-log-key.js";
import { CtParseError, type CtParseErrorCode } from "./ct-parse-error.js";
import { toHex } from "./der.js";
import {
  type DigitallySigned,
  encodeDigitallySigned,
  SIGNATURE_ECDSA,
  SIGNATURE_RSA,
} from "./digitally-signed.js";
import { fixturePath } from "./testing/cert-builder.js";

function codeOf(f: () => unknown): CtParseErrorCode | CtVerifyErrorCode | "no-error" | "other-error" {
  try {
    f();
    return "no-error";
  } catch (e) {
    return e instanceof CtParseError || e instanceof CtVerifyError ? e.code : "other-error";
  }
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");

interface TestLog {
  key: CtLogKey;
  privateKey: KeyObject;
  sign(th: TreeHead): DigitallySigned;
}

function testLog(type: "ec" | "rsa"): TestLog {
  const pair =
    type === "ec"
      ? generateKeyPairSync("ec", { namedCurve: "P-256" })
      : generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = ctLogKey(new Uint8Array(pair.publicKey.export({ type: "spki", format: "der" })));
  return {
    key,
    privateKey: pair.privateKey,
    sign: (th) => ({
      hashAlgorithm: 4,
      signatureAlgorithm: type === "ec" ? SIGNATURE_ECDSA : SIGNATURE_RSA,
      signature: new Uint8Array(sign("sha256", treeHeadSignatureInput(th), pair.privateKey)),
    }),
  };
}

const ORIGIN = "log.example/2025h2";
const ROOT = Uint8Array.from({ length: 32 }, (_, i) => i);
const TH: TreeHead = { timestampMs: 1_746_292_399_101, treeSize: 1024, rootHash: ROOT };

describe("signed notes (c2sp.org/signed-note)", () => {
  it("parses the spec example", () => {
    const note =
      "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n" +
      "— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n";
    const n = parseSignedNote(note);
    expect(n.text).toBe(
      "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n",
    );
    expect(n.signatures).toHaveLength(1);
    expect(n.signatures[0]!.name).toBe("quasimodo.example/salvatore");
    expect(n.signatures[0]!.keyId).toBe(0x367ba04b);
    expect(n.signatures[0]!.signature.length).toBe(64);
    expect(parseSignedNote(new TextEncoder().encode(note)).text).toBe(n.text);
  });

  const sig = "— a.example AAAAAAE=\n";
  const table: [string, string | Uint8Array, CtParseErrorCode][] = [
    ["no final newline", `x\n\n${sig.slice(0, -1)}`, "truncated"],
    ["no blank line", `x\n${sig}`, "bad-value"],
    ["no signatures", "x\n\n\n", "bad-value"],
    ["no em dash", "x\n\n- a.example AAAAAAE=\n", "bad-value"],
    ["space in name", "x\n\n— a b AAAAAAE=\n", "bad-value"],
    ["plus in name", "x\n\n— a+b AAAAAAE=\n", "bad-value"],
    ["bad base64", "x\n\n— a.example AAAA*AE=\n", "bad-value"],
    ["signature too short", "x\n\n— a.example AAAA\n", "truncated"],
    ["control character", `x\u0007\n\n${sig}`, "bad-value"],
    ["lone surrogate", `x\ud800\n\n${sig}`, "bad-value"],
    ["invalid UTF-8", Uint8Array.of(0x78, 0xff, 0x0a, 0x0a), "bad-value"],
    ["too many signatures", `x\n\n${sig.repeat(65)}`, "too-large"],
    ["too large", `${"x".repeat(2_000_000)}\n\n${sig}`, "too-large"],
  ];
  it.each(table)("%s", (_n, note, code) => {
    expect(codeOf(() => parseSignedNote(note))).toBe(code);
  });

  it("key IDs follow SHA-256(name || 0x0A || type || key)[:4]", () => {
    // Ed25519 key ID of the spec example's name with an all-zero key, computed independently.
    const id = noteKeyId("quasimodo.example/salvatore", 0x01, new Uint8Array(32));
    const want = createHash("sha256")
      .update("quasimodo.example/salvatore\n\x01")
      .update(new Uint8Array(32))
      .digest("hex");
    expect(id).toBe(Number.parseInt(want.slice(0, 8), 16));
  });
});

describe("checkpoints (c2sp.org/tlog-checkpoint)", () => {
  it("parses the spec example body", () => {
    const cp = parseCheckpoint(
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    );
    expect(cp.origin).toBe("example.com/behind-the-sofa");
    expect(cp.treeSize).toBe(20852163);
    expect(b64(cp.rootHash)).toBe("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
    expect(cp.extensions).toEqual([]);
  });
  const root = b64(ROOT);
  const table: [string, string, CtParseErrorCode | "no-error"][] = [
    ["extension lines", `o\n1\n${root}\next one\next two\n`, "no-error"],
    ["size 0", `o\n0\n${root}\n`, "no-error"],
    ["two lines", `o\n1\n`, "truncated"],
    ["empty origin", `\n1\n${root}\n`, "bad-value"],
    ["leading zero", `o\n01\n${root}\n`, "bad-value"],
    ["negative", `o\n-1\n${root}\n`, "bad-value"],
    ["size above 2^53", `o\n9007199254740993\n${root}\n`, "too-large"],
    ["short root", `o\n1\nAAAA\n`, "bad-length"],
    ["empty extension line", `o\n1\n${root}\n\nx\n`, "bad-value"],
    ["no final newline", `o\n1\n${root}`, "truncated"],
  ];
  it.each(table)("%s", (_n, text, code) => {
    expect(codeOf(() => parseCheckpoint(text))).toBe(code);
  });
});

describe("RFC 6962 checkpoint signatures (static-ct-api)", () => {
  const log = testLog("ec");
  const note = formatRfc6962Checkpoint(ORIGIN, TH, log.sign(TH), log.key.logId);

  it("formats and verifies a checkpoint signed with ECDSA P-256", () => {
    expect(note.startsWith(`${ORIGIN}\n1024\n${b64(ROOT)}\n\n— ${ORIGIN} `)).toBe(true);
    const v = verifyRfc6962Checkpoint(note, log.key);
    expect(v.treeSize).toBe(1024);
    expect(toHex(v.rootHash)).toBe(toHex(ROOT));
    expect(v.timestampMs).toBe(TH.timestampMs);
    expect(v.origin).toBe(ORIGIN);
    // Key ID rule: SHA-256(name || 0x0A || 0x05 || logID)[:4].
    const sigLine = parseSignedNote(note).signatures[0]!;
    expect(sigLine.keyId).toBe(rfc6962NoteKeyId(ORIGIN, log.key.logId));
    expect(sigLine.keyId).toBe(noteKeyId(ORIGIN, 5, log.key.logId));
    // Accepts the key as DER or PEM too.
    expect(verifyRfc6962Checkpoint(note, log.key.spkiDer, { origin: ORIGIN }).treeSize).toBe(1024);
    expect(
      verifyRfc6962Checkpoint(note, log.key.publicKey.export({ type: "spki", format: "pem" }).toString())
        .treeSize,
    ).toBe(1024);
  });

  it("ignores unknown signatures (witness cosignatures)", () => {
    const withWitness = `${note}— witness.example/w1 AAAAAQIDBAUGBwgJ\n`;
    expect(verifyRfc6962Checkpoint(withWitness, log.key).treeSize).toBe(1024);
  });

  const other = testLog("ec");
  const body = note.slice(0, note.indexOf("\n\n") + 1);
  const sigBlock = note.slice(note.indexOf("\n\n") + 1);
  const tampered: [string, () => unknown, CtVerifyErrorCode | CtParseErrorCode][] = [
    ["wrong key", () => verifyRfc6962Checkpoint(note, other.key), "no-known-signature"],
    [
      "changed size",
      () => verifyRfc6962Checkpoint(note.replace("\n1024\n", "\n1025\n"), log.key),
      "bad-signature",
    ],
    [
      "changed root",
      () => verifyRfc6962Checkpoint(note.replace(b64(ROOT), b64(new Uint8Array(32))), log.key),
      "bad-signature",
    ],
    [
      "changed timestamp",
      () => {
        const sigB64 = sigBlock.trim().split(" ")[2]!;
        const raw = Buffer.from(sigB64, "base64");
        raw[11] = raw[11]! ^ 1;
        return verifyRfc6962Checkpoint(note.replace(sigB64, raw.toString("base64")), log.key);
      },
      "bad-signature",
    ],
    [
      "other origin line",
      () => verifyRfc6962Checkpoint(note.replace(`${ORIGIN}\n`, "evil.example\n"), log.key),
      "no-known-signature",
    ],
    [
      "expected origin differs",
      () => verifyRfc6962Checkpoint(note, log.key, { origin: "other.example" }),
      "origin-mismatch",
    ],
    [
      "extension line",
      () => verifyRfc6962Checkpoint(`${body.slice(0, -1)}\next\n${sigBlock}`, log.key),
      "extension-lines",
    ],
    [
      "signature by the right key ID over another tree",
      () =>
        verifyRfc6962Checkpoint(
          formatRfc6962Checkpoint(ORIGIN, TH, log.sign({ ...TH, treeSize: 1 }), log.key.logId),
          log.key,
        ),
      "bad-signature",
    ],
    [
      "key ID of the log but ECDSA signature from another key",
      () =>
        verifyRfc6962Checkpoint(formatRfc6962Checkpoint(ORIGIN, TH, other.sign(TH), log.key.logId), log.key),
      "bad-signature",
    ],
    ["malformed note", () => verifyRfc6962Checkpoint("nope", log.key), "truncated"],
  ];
  it.each(tampered)("rejects: %s", (_n, f, code) => {
    expect(codeOf(f)).toBe(code);
  });

  it("Navigli2025h2: log ID and checkpoint key ID from the fixture key", () => {
    const pem = fs.readFileSync(fixturePath("ct/navigli2025h2/log-key.pem"), "utf8");
    const key = ctLogKey(pem);
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    expect(toHex(ctLogKey(new Uint8Array(der)).logId)).toBe(toHex(key.logId));
    expect(key.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    // The log ID is SHA-256 of the DER SPKI that the PEM wraps.
    expect(toHex(key.logId)).toBe(createHash("sha256").update(der).digest("hex"));
    // Checkpoint key ID for its (assumed) origin line, computed independently of noteKeyId.
    const name = "navigli.sunlight.geomys.org/2025h2";
    const want = createHash("sha256").update(`${name}\n\x05`).update(key.logId).digest().readUInt32BE(0);
    expect(rfc6962NoteKeyId(name, key.logId)).toBe(want);
  });
});

describe("RFC 6962 get-sth", () => {
  it.each(["ec", "rsa"] as const)("verifies a %s-signed STH and rejects tampering", (type) => {
    const log = testLog(type);
    const sth: SthJson = {
      tree_size: TH.treeSize,
      timestamp: TH.timestampMs,
      sha256_root_hash: b64(ROOT),
      tree_head_signature: b64(encodeDigitallySigned(log.sign(TH))),
    };
    expect(verifySth(sth, log.key)).toBe(true);
    expect(verifySth(sth, log.key.spkiDer)).toBe(true);
    expect(verifySth(sth, testLog(type).key)).toBe(false);
    expect(verifySth({ ...sth, tree_size: 1025 }, log.key)).toBe(false);
    expect(verifySth({ ...sth, timestamp: sth.timestamp + 1 }, log.key)).toBe(false);
    expect(verifySth({ ...sth, sha256_root_hash: b64(new Uint8Array(32)) }, log.key)).toBe(false);
    // Wrong algorithm byte for the key type.
    const ds = log.sign(TH);
    const swapped = { ...ds, signatureAlgorithm: type === "ec" ? SIGNATURE_RSA : SIGNATURE_ECDSA };
    expect(verifySth({ ...sth, tree_head_signature: b64(encodeDigitallySigned(swapped)) }, log.key)).toBe(
      false,
    );
    expect(
      verifySth(
        { ...sth, tree_head_signature: b64(encodeDigitallySigned({ ...ds, hashAlgorithm: 5 })) },
        log.key,
      ),
    ).toBe(false);
  });

  const log = testLog("ec");
  const good: SthJson = {
    tree_size: 1,
    timestamp: 1,
    sha256_root_hash: b64(ROOT),
    tree_head_signature: b64(encodeDigitallySigned(log.sign({ ...TH, treeSize: 1, timestampMs: 1 }))),
  };
  const bad: [string, SthJson, CtParseErrorCode][] = [
    ["short root", { ...good, sha256_root_hash: "AAAA" }, "bad-length"],
    ["root not base64", { ...good, sha256_root_hash: "!!!!" }, "bad-value"],
    ["negative size", { ...good, tree_size: -1 }, "bad-value"],
    ["fractional timestamp", { ...good, timestamp: 1.5 }, "bad-value"],
    ["truncated signature", { ...good, tree_head_signature: "BAMA" }, "truncated"],
    [
      "trailing signature bytes",
      { ...good, tree_head_signature: b64(Uint8Array.of(4, 3, 0, 0, 9)) },
      "trailing-data",
    ],
  ];
  it.each(bad)("malformed: %s", (_n, sth, code) => {
    expect(verifySth(good, log.key)).toBe(true);
    expect(codeOf(() => verifySth(sth, log.key))).toBe(code);
  });

  it("rejects a key that is not a public key", () => {
    expect(codeOf(() => ctLogKey(Uint8Array.of(1, 2, 3)))).toBe("bad-value");
  });
});
