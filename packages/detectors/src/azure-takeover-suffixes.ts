/**
 * DNS suffixes of Azure services whose names are released when the resource is
 * deleted and can then be claimed by anyone: a CNAME left pointing at such a name
 * after deletion lets another tenant take the subdomain over.
 *
 * Sources (as of 2026-11):
 * - Microsoft Learn, "Prevent dangling DNS entries and avoid subdomain takeover"
 *   (the table of resource types and FQDN suffixes Azure DNS alias records and the
 *   dangling-DNS scan cover);
 * - Microsoft Learn, "Azure services DNS zone configuration" (service suffixes);
 * - EdOverflow/can-i-take-over-xyz, the Azure entries.
 * The issue that introduced detector 18 required the 19 suffixes below.
 */
export interface AzureSuffix {
  /** Lower-case DNS suffix without a leading dot; a name matches at a label boundary. */
  readonly suffix: string;
  /** The Azure service behind it. */
  readonly service: string;
}

/** The takeover-prone Azure suffixes, longest first so the most specific one wins. */
export const AZURE_TAKEOVER_SUFFIXES: readonly AzureSuffix[] = [
  { suffix: "azurewebsites.net", service: "App Service" },
  { suffix: "cloudapp.net", service: "Cloud Services (classic)" },
  { suffix: "cloudapp.azure.com", service: "Public IP DNS label (VM, load balancer)" },
  { suffix: "trafficmanager.net", service: "Traffic Manager" },
  { suffix: "blob.core.windows.net", service: "Storage (blob)" },
  { suffix: "web.core.windows.net", service: "Storage static website" },
  { suffix: "azureedge.net", service: "Azure CDN" },
  { suffix: "azurefd.net", service: "Front Door" },
  { suffix: "azure-api.net", service: "API Management" },
  { suffix: "azurecontainer.io", service: "Container Instances" },
  { suffix: "azurehdinsight.net", service: "HDInsight" },
  { suffix: "azurecr.io", service: "Container Registry" },
  { suffix: "azuredatalakestore.net", service: "Data Lake Store" },
  { suffix: "redis.cache.windows.net", service: "Azure Cache for Redis" },
  { suffix: "servicebus.windows.net", service: "Service Bus / Event Hubs" },
  { suffix: "database.windows.net", service: "SQL Database" },
  { suffix: "search.windows.net", service: "Cognitive Search" },
  { suffix: "azure-mobile.net", service: "Mobile Services (retired)" },
  { suffix: "visualstudio.com", service: "Azure DevOps / Visual Studio Online" },
].sort((a, b) => b.suffix.length - a.suffix.length);

/** The Azure suffix `name` lies under (a proper subdomain of), or undefined. */
export function azureTakeoverSuffix(name: string): AzureSuffix | undefined {
  const n = name.toLowerCase().replace(/\.$/, "");
  return AZURE_TAKEOVER_SUFFIXES.find((s) => n.endsWith(`.${s.suffix}`));
}
