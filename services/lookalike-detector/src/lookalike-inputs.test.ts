import type { WatchItemKind, WatchItemRecord } from "@ctwatch/store";
import { describe, expect, it } from "@jest/globals";
import { lookalikeInputs } from "./lookalike-inputs.js";

const item = (tenantId: string, kind: WatchItemKind, value: string): WatchItemRecord => ({
  tenantId,
  kind,
  value,
  createdAtMs: 0,
});

describe("lookalikeInputs", () => {
  it("attaches each tenant's owned and allowed names once, to its first brand", () => {
    const r = lookalikeInputs(
      [item("b", "brand", "beta.com"), item("a", "brand", "zeta.com"), item("a", "brand", "acme.com")],
      [item("a", "owned-domain", "acme.de"), item("c", "owned-domain", "nobrand.com")],
      [item("a", "allow", "acme-partner.com")],
      10,
    );
    expect(r.inputs).toEqual([
      { tenantId: "a", domain: "acme.com", ownedDomains: ["acme.de"], allowlist: ["acme-partner.com"] },
      { tenantId: "a", domain: "zeta.com" },
      { tenantId: "b", domain: "beta.com", ownedDomains: [], allowlist: [] },
    ]);
    expect(r.droppedBrands).toBe(0);
  });

  it("keeps the first maxBrands brands in (tenant, value) order and counts the rest", () => {
    const r = lookalikeInputs(
      [item("b", "brand", "b1.com"), item("a", "brand", "a2.com"), item("a", "brand", "a1.com")],
      [],
      [],
      2,
    );
    expect(r.inputs.map((i) => i.domain)).toEqual(["a1.com", "a2.com"]);
    expect(r.droppedBrands).toBe(1);
  });
});
