import { ListSubdomainsResponseSchema, SearchCertificatesResponseSchema } from "@ctwatch/proto";
import { flag, intOpt, opt, parse } from "./args.js";
import { type CommandContext, show } from "./command-context.js";
import { isoTime, table } from "./format.js";

/** `ctwatch subdomains [--domain D] [--query Q] [--limit N]`. */
export async function subdomainsCommand(ctx: CommandContext, args: readonly string[]): Promise<void> {
  const p = parse(args, { domain: { type: "string" }, query: { type: "string" }, limit: { type: "string" } });
  const r = await ctx.client.inventory.listSubdomains({
    domain: opt(p, "domain") ?? "",
    query: opt(p, "query") ?? "",
    pageSize: intOpt(p, "limit") ?? 100,
  });
  show(ctx, ListSubdomainsResponseSchema, r, () =>
    table([
      ["NAME", "DOMAIN", "FIRST SEEN", "CERT SHA-256"],
      ...r.subdomains.map((s) => [s.name, s.domain, isoTime(s.firstSeenAtMs), s.certSha256Hex.slice(0, 16)]),
    ]),
  );
}

/** `ctwatch certs [--domain D] [--query Q] [--valid-now] [--limit N]`. */
export async function certsCommand(ctx: CommandContext, args: readonly string[]): Promise<void> {
  const p = parse(args, {
    domain: { type: "string" },
    query: { type: "string" },
    "valid-now": { type: "boolean" },
    limit: { type: "string" },
  });
  const r = await ctx.client.inventory.searchCertificates({
    domain: opt(p, "domain") ?? "",
    query: opt(p, "query") ?? "",
    validAtMs: flag(p, "valid-now") ? BigInt(ctx.io.now()) : 0n,
    pageSize: intOpt(p, "limit") ?? 100,
  });
  show(ctx, SearchCertificatesResponseSchema, r, () =>
    table([
      ["FIRST SEEN", "NOT AFTER", "ISSUER", "NAMES"],
      ...r.certificates.map((c) => [
        isoTime(c.firstSeenAtMs),
        isoTime(c.notAfterMs),
        c.issuerDn.slice(0, 40),
        c.dnsNames.slice(0, 3).join(",") + (c.dnsNames.length > 3 ? ",…" : ""),
      ]),
    ]),
  );
}
