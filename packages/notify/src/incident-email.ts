import type { EmailMessage } from "./mailer.js";

/** What the emails say about one delivery incident (all free of secrets). */
export interface IncidentEmailFacts {
  readonly tenantId: string;
  readonly destinationId: string;
  readonly destinationKind: string;
  readonly openedAtMs: number;
  /** The closed error code of the first failure, e.g. `credentials-rejected`. */
  readonly code: string;
  /** Why alerts were parked: `retries-exhausted`, `rejected`, `circuit-open`. */
  readonly reason: string;
  /** The error message (already scrubbed of credentials by the adapter), at most 500 characters used. */
  readonly message: string;
  /** What to do about it. */
  readonly hint: string;
  readonly recoveredAtMs?: number;
}

/** Product name in subjects and signatures. */
export const PRODUCT = "ctwatch";

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  return `${(m / 60).toFixed(1)} h`;
}

/** The "delivery is failing" email: what, since when, why, what to do, and that nothing is lost. */
export function failingEmail(facts: IncidentEmailFacts, to: readonly string[]): EmailMessage {
  const text = [
    `${PRODUCT} cannot deliver the alerts of tenant "${facts.tenantId}" to the SIEM destination "${facts.destinationId}" (${facts.destinationKind}).`,
    "",
    `Failing since: ${iso(facts.openedAtMs)}`,
    `Error:         ${facts.code} (${facts.reason})`,
    `Detail:        ${facts.message.replace(/\s+/g, " ").slice(0, 500)}`,
    "",
    `What to do: ${facts.hint}`,
    "",
    "No alert is lost: every alert is stored, and those the destination did not accept are",
    "parked and redelivered automatically once it accepts them again. An operator can also",
    `redeliver them by hand: replay --tenant ${facts.tenantId} --destination ${facts.destinationId}`,
    "",
    "You get this email because you administer this tenant. You will get one more when",
    "delivery recovers; no further email is sent while this incident lasts.",
    "",
    `-- ${PRODUCT}`,
  ].join("\n");
  return {
    to,
    subject: `[${PRODUCT}] Alert delivery to ${facts.destinationId} is failing (${facts.code})`,
    text,
  };
}

/** The "delivery has recovered" email. */
export function recoveredEmail(facts: IncidentEmailFacts, to: readonly string[]): EmailMessage {
  const recoveredAtMs = facts.recoveredAtMs ?? facts.openedAtMs;
  const text = [
    `Alert delivery of tenant "${facts.tenantId}" to the SIEM destination "${facts.destinationId}" (${facts.destinationKind}) works again.`,
    "",
    `Failing since: ${iso(facts.openedAtMs)} (${facts.code})`,
    `Recovered at:  ${iso(recoveredAtMs)}, after ${duration(recoveredAtMs - facts.openedAtMs)}`,
    "",
    "Alerts parked during the incident are being redelivered automatically. SIEM searches",
    "can deduplicate by AlertId should an alert arrive twice.",
    "",
    `-- ${PRODUCT}`,
  ].join("\n");
  return {
    to,
    subject: `[${PRODUCT}] Alert delivery to ${facts.destinationId} has recovered`,
    text,
  };
}
