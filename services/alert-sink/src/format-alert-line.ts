import type { Alert } from "@ctwatch/proto";

/** One human-readable line per alert, for the demo and operators' terminals. */
export function formatAlertLine(a: Alert): string {
  const pos = a.certificate?.positions[0];
  const where = pos ? ` log-index=${pos.leafIndex}` : "";
  return `ALERT event=${a.eventId} tenant=${a.tenantId} domain=${a.subjectDomain} watched=${a.watchItem?.value ?? ""}${where} "${a.summary}"`;
}
