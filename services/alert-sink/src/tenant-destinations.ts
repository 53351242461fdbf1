import type { Logger as RuntimeLogger } from "@ctwatch/runtime";
import { createDestination, type SecretBox, type SiemDestination } from "@ctwatch/siem";
import type { DestinationStore } from "@ctwatch/store";

/**
 * Each tenant's SIEM destinations, built from the stored (sealed) configs and
 * cached for `refreshMs`, so configuration changes apply without a restart.
 * A config that no longer validates or decrypts is skipped with an error log
 * (and counted) rather than blocking the tenant's other destinations.
 */
export class TenantDestinations {
  private readonly cache = new Map<string, { atMs: number; destinations: SiemDestination[] }>();

  constructor(
    private readonly store: DestinationStore,
    private readonly secretBox: SecretBox,
    private readonly logger: RuntimeLogger,
    private readonly refreshMs: number,
    private readonly allowInsecureHttp: boolean,
    private readonly onInvalid: (tenantId: string, destinationId: string) => void,
  ) {}

  /** The tenant's enabled destinations; rejects only when the store fails. */
  async forTenant(tenantId: string): Promise<SiemDestination[]> {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.atMs < this.refreshMs) return hit.destinations;
    const records = await this.store.listEnabled(tenantId);
    const destinations: SiemDestination[] = [];
    for (const r of records) {
      try {
        destinations.push(
          createDestination(r.config, {
            secretBox: this.secretBox,
            logger: this.logger,
            allowInsecureHttp: this.allowInsecureHttp,
            tenantId,
          }),
        );
      } catch (err) {
        this.onInvalid(tenantId, r.id);
        this.logger.error("destination configuration is invalid; skipped", {
          tenantId,
          destination: r.id,
          err,
        });
      }
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(tenantId, { atMs: Date.now(), destinations });
    return destinations;
  }

  /** The tenant's enabled destination with this ID, or undefined. */
  async byId(tenantId: string, destinationId: string): Promise<SiemDestination | undefined> {
    return (await this.forTenant(tenantId)).find((d) => d.id === destinationId);
  }
}
