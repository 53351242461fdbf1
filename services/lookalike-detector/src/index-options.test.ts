import { buildLookalikeIndex } from "@ctwatch/detect-lookalike";
import { describe, expect, it } from "@jest/globals";
import { indexOptionsFor } from "./lookalike-detector.js";

const brand = [{ tenantId: "t", domain: "myetherwallet.com" }];
const found = (options: ReturnType<typeof indexOptionsFor>, name: string) =>
  buildLookalikeIndex(brand, options).match(name).length === 1;

describe("indexOptionsFor (CTWATCH_LOOKALIKE_MAX_EDITS)", () => {
  it("caps multi-edit matching at the configured number of edits", () => {
    const two = "myefherwallett.com"; // two edits
    const three = "myelherwolet.com"; // three edits
    const at = (maxEdits: number) => indexOptionsFor({ preset: "balanced", maxEdits });
    expect([found(at(3), two), found(at(3), three)]).toEqual([true, true]);
    expect([found(at(2), two), found(at(2), three)]).toEqual([true, false]);
    expect([found(at(1), two), found(at(1), three)]).toEqual([false, false]);
    expect(indexOptionsFor({ preset: "balanced" })).toEqual({ minScore: 0 });
  });

  it("never turns on what the preset leaves off, and keeps the minimum score", () => {
    const precise = indexOptionsFor({ preset: "precise", maxEdits: 3, minScore: 0.8 });
    expect(precise.longLabelMinLength).toBe(Number.POSITIVE_INFINITY);
    expect(precise.minScore).toBe(0.8);
    expect(found(precise, "myefherwallett.com")).toBe(false);
  });
});
