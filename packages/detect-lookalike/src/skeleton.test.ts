import { describe, expect, it } from "@jest/globals";
import { CONFUSABLES_SOURCE } from "./confusable-prototypes.js";
import { looseSkeleton, skeleton } from "./skeleton.js";

describe("skeleton", () => {
  it("maps Unicode confusables to their ASCII prototype (UTS #39)", () => {
    expect(skeleton("p\u0430ypal")).toBe("paypal"); // Cyrillic a
    expect(skeleton("\u0261oogle")).toBe("google"); // Latin script g
    expect(skeleton("\uff47oogle")).toBe("google"); // fullwidth g
    expect(skeleton("\u0430\u0440\u0440\u04cf\u0435")).toBe(skeleton("appie"));
  });

  it("strips accents and maps hand-added stroke letters", () => {
    expect(skeleton("g\u00f6\u00f6gl\u00e9")).toBe("google");
    expect(skeleton("pa\u0142pal")).toBe("palpal");
    expect(skeleton("micr\u00f8soft")).toBe("microsoft");
  });

  it("folds ASCII homoglyphs: rn/m, vv/w, cl/d, 0/o, 1/l", () => {
    expect(skeleton("rnicrosoft")).toBe(skeleton("microsoft"));
    expect(skeleton("vvikipedia")).toBe(skeleton("wikipedia"));
    expect(skeleton("clropbox")).toBe(skeleton("dropbox"));
    expect(skeleton("g00g1e")).toBe("google");
    expect(skeleton("paypal")).toBe("paypal");
  });

  it("keeps hyphens and digits other than 0 and 1", () => {
    expect(skeleton("t-mobile2")).toBe("t-mobile2");
  });

  it("looseSkeleton merges weaker ASCII lookalike classes", () => {
    expect(looseSkeleton(skeleton("qooqle"))).toBe(looseSkeleton(skeleton("google")));
    expect(looseSkeleton(skeleton("annazon"))).toBe(looseSkeleton(skeleton("amazon"))); // nn ~ m
    expect(looseSkeleton(skeleton("annazon"))).not.toBe(looseSkeleton(skeleton("amazzon")));
    expect(looseSkeleton("amazon")).toBe(looseSkeleton("anazon"));
    expect(looseSkeleton("paypal")).toBe("paypal");
  });

  it("documents its data source", () => {
    expect(CONFUSABLES_SOURCE.unicodeVersion).toBe("13.0.0");
    expect(CONFUSABLES_SOURCE.entries).toBeGreaterThan(1500);
  });
});
