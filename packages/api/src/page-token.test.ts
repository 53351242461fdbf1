import { describe, expect, it } from "@jest/globals";
import { ApiError } from "./api-error.js";
import {
  decodePageToken,
  encodePageToken,
  filterFingerprint,
  intProp,
  keysetPage,
  strProp,
} from "./page-token.js";

describe("page tokens", () => {
  const parse = (p: Record<string, unknown>) => {
    const t = intProp(p, "t");
    const id = strProp(p, "id");
    return t !== undefined && id !== undefined ? { t, id } : undefined;
  };

  it("round-trip a keyset position for the same filters", () => {
    const fp = filterFingerprint({ eventIds: [25], domain: "example.com" });
    const token = encodePageToken(fp, { t: 1700, id: "abc" });
    expect(decodePageToken(token, fp, parse)).toEqual({ t: 1700, id: "abc" });
  });

  it("refuse a token issued for other filters, a malformed one, and an over-long one", () => {
    const token = encodePageToken(filterFingerprint({ eventIds: [25] }), { t: 1, id: "x" });
    const other = filterFingerprint({ eventIds: [12] });
    expect(() => decodePageToken(token, other, parse)).toThrow(/other filters/);
    expect(() => decodePageToken("%%%", other, parse)).toThrow(ApiError);
    expect(() => decodePageToken(encodePageToken(other, { t: "x" }), other, parse)).toThrow(/not a token/);
    expect(() => decodePageToken("a".repeat(2000), other, parse)).toThrow(/too long/);
  });

  it("fingerprints filters by value", () => {
    expect(filterFingerprint({ a: [1, 2] })).toBe(filterFingerprint({ a: [1, 2] }));
    expect(filterFingerprint({ a: [1, 2] })).not.toBe(filterFingerprint({ a: [2, 1] }));
    expect(filterFingerprint({ t: 5n })).toBe(filterFingerprint({ t: "5" }));
  });
});

describe("keysetPage", () => {
  it("returns the first `size` records and a token for the last only when one more was fetched", () => {
    const pos = (r: { id: string }) => ({ id: r.id });
    const more = keysetPage([{ id: "a" }, { id: "b" }, { id: "c" }], 2, "fp", pos);
    expect(more.page.map((r) => r.id)).toEqual(["a", "b"]);
    expect(decodePageToken(more.nextPageToken, "fp", (p) => strProp(p, "id"))).toBe("b");
    expect(keysetPage([{ id: "a" }, { id: "b" }], 2, "fp", pos).nextPageToken).toBe("");
    expect(keysetPage([], 2, "fp", pos)).toEqual({ page: [], nextPageToken: "" });
  });
});
