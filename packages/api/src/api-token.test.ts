import { createHash } from "node:crypto";
import { describe, expect, it } from "@jest/globals";
import { ApiError } from "./api-error.js";
import {
  bearerSecret,
  hashTokenSecret,
  looksLikeTenantToken,
  newTokenId,
  newTokenSecret,
  OperatorCredential,
} from "./api-token.js";

const counter = () => {
  let n = 0;
  return (size: number) => Uint8Array.from({ length: size }, () => n++ & 0xff);
};

describe("API tokens", () => {
  it("creates 256-bit secrets with a recognisable prefix and public IDs", () => {
    const secret = newTokenSecret(counter());
    expect(secret).toMatch(/^ctw_[A-Za-z0-9_-]{43}$/);
    expect(looksLikeTenantToken(secret)).toBe(true);
    expect(newTokenId(counter())).toBe("tok_0001020304050607");
    expect(hashTokenSecret(secret)).toBe(createHash("sha256").update(secret).digest("hex"));
  });

  it.each([
    ["Bearer abc", "abc"],
    ["bearer   abc  ", "abc"],
  ])("reads %j", (header, want) => {
    expect(bearerSecret(header)).toBe(want);
  });

  it.each([[undefined], [""], ["Basic abc"], ["Bearer"], ["Bearer a b"], [`Bearer ${"x".repeat(600)}`]])(
    "refuses %j as unauthenticated, without echoing it",
    (header) => {
      try {
        bearerSecret(header);
        throw new Error("accepted");
      } catch (err) {
        expect(err).toBeInstanceOf(ApiError);
        expect((err as ApiError).code).toBe("unauthenticated");
        if (header) expect((err as ApiError).message).not.toContain(header.slice(7, 20) || "§");
      }
    },
  );

  it("matches the operator token by its SHA-256 only", () => {
    const secret = "operator-secret-of-some-length-0123456789";
    const cred = new OperatorCredential(createHash("sha256").update(secret).digest("hex"));
    expect(cred.matches(secret)).toBe(true);
    expect(cred.matches(`${secret}x`)).toBe(false);
    expect(() => new OperatorCredential("not-hex")).toThrow(RangeError);
  });
});
