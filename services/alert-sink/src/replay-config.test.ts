import { describe, expect, it } from "@jest/globals";
import { parseReplayArgs } from "./replay-config.js";

const NOW = Date.UTC(2026, 10, 1, 12);

describe("parseReplayArgs", () => {
  it.each([
    [
      { tenant: "acme", destination: "acme-hec" },
      { tenantId: "acme", destinationId: "acme-hec", dryRun: false },
    ],
    [
      { tenant: "acme", destination: "d", since: "2026-11-01T00:00:00Z", limit: "10", "dry-run": true },
      { tenantId: "acme", destinationId: "d", sinceMs: Date.UTC(2026, 10, 1), limit: 10, dryRun: true },
    ],
    [
      { tenant: "a", destination: "d", since: "6h" },
      { tenantId: "a", destinationId: "d", sinceMs: NOW - 6 * 3_600_000, dryRun: false },
    ],
    [
      { tenant: "a", destination: "d", since: "1700000000000" },
      { tenantId: "a", destinationId: "d", sinceMs: 1_700_000_000_000, dryRun: false },
    ],
  ])("%j", (values, want) => {
    expect(parseReplayArgs(values, NOW)).toEqual(want);
  });

  it("names every problem at once", () => {
    expect(() => parseReplayArgs({ destination: "bad id!", since: "yesterday", limit: "0" }, NOW)).toThrow(
      /--tenant is required[\s\S]*--destination: expected[\s\S]*--since: expected[\s\S]*--limit: expected/,
    );
  });
});
