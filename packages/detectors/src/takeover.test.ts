import { describe, expect, it } from "@jest/globals";
import { azureTakeoverSuffix } from "./azure-takeover-suffixes.js";
import { learningUntilMs } from "./learning.js";
import { assessTakeover, type CnameObservation } from "./takeover.js";

describe("azureTakeoverSuffix", () => {
  it.each([
    ["app.azurewebsites.net", "azurewebsites.net"],
    ["APP.AzureWebsites.NET.", "azurewebsites.net"],
    ["vm.westeurope.cloudapp.azure.com", "cloudapp.azure.com"],
    ["acct.blob.core.windows.net", "blob.core.windows.net"],
    ["cache.redis.cache.windows.net", "redis.cache.windows.net"],
    ["azurewebsites.net", undefined],
    ["notazurewebsites.net", undefined],
    ["core.windows.net", undefined],
    ["example.com", undefined],
  ])("%s -> %s", (name, want) => {
    expect(azureTakeoverSuffix(name)?.suffix).toBe(want);
  });
});

describe("assessTakeover", () => {
  const obs = (
    chain: string[],
    outcome: CnameObservation["outcome"],
    asuidTxt = false,
  ): CnameObservation => ({ chain, outcome, asuidTxt });
  it.each<[string, CnameObservation, string | undefined]>([
    [
      "CNAME into Azure, NXDOMAIN",
      obs(["www.example.com", "gone.azurewebsites.net"], "nxdomain"),
      "azurewebsites.net",
    ],
    [
      "CNAME into Azure that resolves",
      obs(["www.example.com", "live.azurewebsites.net"], "answer"),
      undefined,
    ],
    ["CNAME into Azure, no data", obs(["www.example.com", "live.azurewebsites.net"], "nodata"), undefined],
    [
      "CNAME into Azure, SERVFAIL or timeout",
      obs(["www.example.com", "x.azurewebsites.net"], "failed"),
      undefined,
    ],
    ["NXDOMAIN outside Azure", obs(["www.example.com", "gone.herokuapp.com"], "nxdomain"), undefined],
    ["the name itself NXDOMAIN, no CNAME", obs(["www.example.com"], "nxdomain"), undefined],
    [
      "via Traffic Manager to a deleted App Service",
      obs(["www.example.com", "tm.trafficmanager.net", "gone.azurewebsites.net"], "nxdomain"),
      "azurewebsites.net",
    ],
    [
      "Azure CNAME to a non-Azure NXDOMAIN",
      obs(["www.example.com", "ep.azureedge.net", "origin.gone.example"], "nxdomain"),
      "azureedge.net",
    ],
  ])("%s", (_name, o, want) => {
    expect(assessTakeover(o)?.azure.suffix).toBe(want);
  });

  it("carries the chain, the remedy and the asuid protection", () => {
    const f = assessTakeover(obs(["shop.example.com", "gone.azurewebsites.net"], "nxdomain", true));
    expect(f).toMatchObject({
      name: "shop.example.com",
      cnameChain: ["shop.example.com", "gone.azurewebsites.net"],
      danglingTarget: "gone.azurewebsites.net",
      asuidProtected: true,
    });
    expect(f?.remedy).toMatch(/Remove the CNAME record shop\.example\.com -> gone\.azurewebsites\.net/);
    expect(f?.remedy).toMatch(/asuid\.shop\.example\.com/);
  });
});

describe("learningUntilMs", () => {
  it.each([
    [{ addedAtMs: 1000, windowMs: 0, overrideUntilMs: 0 }, 0],
    [{ addedAtMs: 1000, windowMs: 500, overrideUntilMs: 0 }, 1500],
    [{ addedAtMs: 0, windowMs: 500, overrideUntilMs: 0 }, 0],
    [{ addedAtMs: 1000, windowMs: 500, overrideUntilMs: 9000 }, 9000],
    [{ addedAtMs: 1000, windowMs: 0, overrideUntilMs: 700 }, 700],
  ])("%j -> %d", (i, want) => {
    expect(learningUntilMs(i)).toBe(want);
  });
});
