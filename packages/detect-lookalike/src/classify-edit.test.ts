import { describe, expect, it } from "@jest/globals";
import { areKeyboardNeighbours, classifyEdit } from "./classify-edit.js";

describe("classifyEdit", () => {
  it.each([
    ["paypall", "paypal", ["repetition", "addition"]],
    ["paypalx", "paypal", ["addition"]],
    ["pay-pal", "paypal", ["hyphenation"]],
    ["payopal", "paypal", ["insertion"]],
    ["paypl", "paypal", ["omission"]],
    ["payapl", "paypal", ["transposition"]],
    ["paypel", "paypal", ["bitsquatting", "vowel-swap"]],
    ["paypol", "paypal", ["vowel-swap"]],
    ["paypak", "paypal", ["replacement"]],
    ["paypcl", "paypal", ["bitsquatting"]],
    ["goog1e", "google", ["homoglyph"]],
    ["paypzl", "paypal", ["replacement"]],
    ["paypql", "paypal", ["bitsquatting", "replacement"]],
    ["paypxl", "paypal", ["substitution"]],
  ])("%s vs %s", (candidate, brand, expected) => {
    expect(classifyEdit(candidate, brand)).toEqual(expected);
  });

  it("returns [] for labels that are not one edit apart", () => {
    expect(classifyEdit("paypal", "paypal")).toEqual([]);
    expect(classifyEdit("pyapla", "paypal")).toEqual([]);
    expect(classifyEdit("xx", "paypal")).toEqual([]);
  });

  it("knows keyboard neighbours on QWERTY, QWERTZ and AZERTY", () => {
    expect(areKeyboardNeighbours("a", "s")).toBe(true);
    expect(areKeyboardNeighbours("t", "z")).toBe(true); // QWERTZ
    expect(areKeyboardNeighbours("a", "z")).toBe(true); // QWERTY and AZERTY
    expect(areKeyboardNeighbours("a", "p")).toBe(false);
  });
});
