import { create } from "@bufbuild/protobuf";
import { WatchlistEntryKind, WatchlistEntrySchema } from "@ctwatch/proto";
import { describe, expect, it } from "@jest/globals";
import { parseWatchlistEntry, toWatchlistEntry } from "./watchlist-entry.js";

const entry = (kind: WatchlistEntryKind, value: string, domain = "") =>
  create(WatchlistEntrySchema, { kind, value, domain });

describe("parseWatchlistEntry", () => {
  it.each([
    [
      entry(WatchlistEntryKind.OWNED_DOMAIN, "Example.com"),
      { kind: "owned-domain", domain: "", value: "example.com" },
    ],
    [entry(WatchlistEntryKind.BRAND, "contoso.com"), { kind: "brand", domain: "", value: "contoso.com" }],
    [
      entry(WatchlistEntryKind.ALLOW, "*.contoso-login.com"),
      { kind: "allow", domain: "", value: "*.contoso-login.com" },
    ],
    [
      entry(WatchlistEntryKind.CAA_PIN, "letsencrypt.org", "Example.com"),
      { kind: "caa-pin", domain: "example.com", value: "letsencrypt.org" },
    ],
    [
      entry(WatchlistEntryKind.ROOT_PIN, " Internet Security Research Group ", "example.com"),
      { kind: "root-pin", domain: "example.com", value: "Internet Security Research Group" },
    ],
  ])("normalises %#", (e, want) => {
    expect(parseWatchlistEntry("entries[0]", e)).toEqual(want);
  });

  it.each([
    [entry(WatchlistEntryKind.UNSPECIFIED, "example.com"), "entries[0].kind"],
    [entry(WatchlistEntryKind.OWNED_DOMAIN, "example.com", "example.com"), "entries[0].domain"],
    [entry(WatchlistEntryKind.CAA_PIN, "letsencrypt.org"), "entries[0].domain"],
    [entry(WatchlistEntryKind.BRAND, "www.contoso.com"), "entries[0].value"],
    [entry(WatchlistEntryKind.ROOT_PIN, "", "example.com"), "entries[0].value"],
  ])("names the bad field %#", (e, field) => {
    expect(() => parseWatchlistEntry("entries[0]", e)).toThrow(`${field}:`);
  });

  it("maps stored entries back", () => {
    const e = toWatchlistEntry({
      kind: "root-pin",
      domain: "example.com",
      value: "DigiCert",
      createdAtMs: 5,
    });
    expect([e.kind, e.domain, e.value, e.createdAtMs]).toEqual([
      WatchlistEntryKind.ROOT_PIN,
      "example.com",
      "DigiCert",
      5n,
    ]);
  });
});
