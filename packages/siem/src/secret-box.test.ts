import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { describe, expect, it } from "@jest/globals";
import { isSealedSecret, parseKeyMaterial, redact, Secret, SecretBox, scrubSecrets } from "./secret-box.js";

const keyA = new Uint8Array(randomBytes(32));
const keyB = new Uint8Array(randomBytes(32));

describe("parseKeyMaterial", () => {
  it("accepts 64 hex digits and base64 / base64url of 32 bytes", () => {
    const bytes = randomBytes(32);
    expect(Buffer.from(parseKeyMaterial(bytes.toString("hex")))).toEqual(bytes);
    expect(Buffer.from(parseKeyMaterial(bytes.toString("base64")))).toEqual(bytes);
    expect(Buffer.from(parseKeyMaterial(`${bytes.toString("base64url")}\n`))).toEqual(bytes);
  });

  it.each([
    ["too short", randomBytes(16).toString("base64")],
    ["not encoded", "this is not a key!"],
    ["hex of 31 bytes", "ab".repeat(31)],
  ])("rejects %s without echoing it", (_name, text) => {
    expect(() => parseKeyMaterial(text)).toThrow(RangeError);
    try {
      parseKeyMaterial(text);
    } catch (error) {
      expect((error as Error).message).not.toContain(text);
    }
  });
});

describe("SecretBox", () => {
  const box = new SecretBox({ currentKeyId: "k1", keys: { k1: keyA } });

  it("round-trips and uses a fresh IV each time", () => {
    const a = box.seal("hec-token-123", "dest-1:token");
    const b = box.seal("hec-token-123", "dest-1:token");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^ctw1:k1:[A-Za-z0-9_-]+$/);
    expect(a).not.toContain("hec-token");
    expect(box.open(a, "dest-1:token").reveal()).toBe("hec-token-123");
    expect(isSealedSecret(a)).toBe(true);
    expect(isSealedSecret("hec-token-123")).toBe(false);
  });

  it("refuses another context, a tampered value and an unknown key", () => {
    const sealed = box.seal("secret", "dest-1:token");
    expect(() => box.open(sealed, "dest-2:token")).toThrow(/does not authenticate/);
    const data = Buffer.from(sealed.split(":")[2]!, "base64url");
    data[20] = (data[20] ?? 0) ^ 1;
    expect(() => box.open(`ctw1:k1:${data.toString("base64url")}`, "dest-1:token")).toThrow(
      /does not authenticate/,
    );
    expect(() => box.open(sealed.replace(":k1:", ":k9:"), "dest-1:token")).toThrow(/unknown key/);
    expect(() => box.open("plain", "dest-1:token")).toThrow(/not a sealed secret/);
  });

  it("rotates: seals with the current key, opens with any known key, reseals", () => {
    const old = box.seal("secret", "ctx");
    const rotated = new SecretBox({
      currentKeyId: "k2",
      keys: new Map([
        ["k1", keyA],
        ["k2", keyB],
      ]),
    });
    expect(rotated.open(old, "ctx").reveal()).toBe("secret");
    expect(rotated.needsReseal(old)).toBe(true);
    const resealed = rotated.reseal(old, "ctx");
    expect(resealed.startsWith("ctw1:k2:")).toBe(true);
    expect(rotated.needsReseal(resealed)).toBe(false);
    const afterRetirement = new SecretBox({ currentKeyId: "k2", keys: { k2: keyB } });
    expect(afterRetirement.open(resealed, "ctx").reveal()).toBe("secret");
    expect(() => afterRetirement.open(old, "ctx")).toThrow(/unknown key/);
  });

  it("validates its keys", () => {
    expect(() => new SecretBox({ currentKeyId: "k1", keys: { k1: new Uint8Array(16) } })).toThrow(/32 bytes/);
    expect(() => new SecretBox({ currentKeyId: "nope", keys: { k1: keyA } })).toThrow(/not among/);
    expect(() => new SecretBox({ currentKeyId: "bad:id", keys: { "bad:id": keyA } })).toThrow(
      /invalid key ID/,
    );
  });
});

describe("Secret", () => {
  it("never shows its value through String, JSON or inspect", () => {
    const secret = new Secret("s3cr3t-value");
    const holder = { token: secret, nested: { list: [secret] } };
    expect(String(secret)).toBe("[REDACTED]");
    expect(`${secret}`).toBe("[REDACTED]");
    expect(JSON.stringify(holder)).toBe('{"token":"[REDACTED]","nested":{"list":["[REDACTED]"]}}');
    expect(inspect(holder, { depth: 10 })).not.toContain("s3cr3t");
    expect(secret.reveal()).toBe("s3cr3t-value");
    expect(redact("anything")).toBe("[REDACTED]");
  });

  it("scrubs secret values out of text", () => {
    expect(scrubSecrets("token abcdef echoed: abcdef", [new Secret("abcdef"), undefined])).toBe(
      "token [REDACTED] echoed: [REDACTED]",
    );
  });
});
