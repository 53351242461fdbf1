import { type AzureSuffix, azureTakeoverSuffix } from "./azure-takeover-suffixes.js";

/** How resolving the last name of a CNAME chain ended. */
export type ChainOutcome = "answer" | "nodata" | "nxdomain" | "failed";

/** What the DNS said about one name (the detector's input). */
export interface CnameObservation {
  /** The queried name first, then each CNAME target in order (lower-case, no trailing dot). */
  chain: readonly string[];
  /** Outcome for the last name of `chain`. "failed" (SERVFAIL, timeout, refused) is never a finding. */
  outcome: ChainOutcome;
  /** True when a TXT record exists at `asuid.<name>` (App Service domain verification). */
  asuidTxt: boolean;
}

/** A dangling CNAME into a takeover-prone Azure service (event 18). */
export interface TakeoverFinding {
  name: string;
  cnameChain: string[];
  /** The Azure name that does not exist. */
  danglingTarget: string;
  azure: AzureSuffix;
  /** An `asuid` TXT record binds App Service custom domains to one subscription: lower confidence. */
  asuidProtected: boolean;
  remedy: string;
}

/**
 * Event 18, pure part: the chain points (directly or through other CNAMEs) into a
 * takeover-prone Azure suffix and the end of the chain does not exist (NXDOMAIN).
 * A chain that resolves, has no data, or could not be resolved is no finding.
 */
export function assessTakeover(obs: CnameObservation): TakeoverFinding | undefined {
  if (obs.outcome !== "nxdomain" || obs.chain.length < 2) return undefined;
  const name = obs.chain[0] ?? "";
  const last = obs.chain[obs.chain.length - 1] ?? "";
  let azure = azureTakeoverSuffix(last);
  if (!azure) {
    for (let i = obs.chain.length - 2; i >= 1 && !azure; i--) azure = azureTakeoverSuffix(obs.chain[i] ?? "");
  }
  if (!azure) return undefined;
  const first = obs.chain[1] ?? last;
  const remedy =
    `Remove the CNAME record ${name} -> ${first} (or re-create the ${azure.service} resource ${last} ` +
    "in your subscription) before someone else registers that name." +
    (obs.asuidTxt
      ? ` An asuid.${name} TXT record is present, which prevents App Service takeover only.`
      : "");
  return {
    name,
    cnameChain: [...obs.chain],
    danglingTarget: last,
    azure,
    asuidProtected: obs.asuidTxt,
    remedy,
  };
}
