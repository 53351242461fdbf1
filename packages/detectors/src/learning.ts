/** Inputs of {@link learningUntilMs}. */
export interface LearningInputs {
  /** When the tenant started watching the domain, ms; 0 when unknown. */
  addedAtMs: number;
  /** Service-wide quiet-learning window after a domain is added, ms; 0 disables it. */
  windowMs: number;
  /** An operator's explicit end of learning for this domain, ms (initial sync); 0 when unset. */
  overrideUntilMs: number;
}

/**
 * End of a watched domain's quiet-learning period, ms: the later of
 * `addedAtMs + windowMs` (when a window is configured) and the operator's override.
 * While learning, detectors record what they see (names, root owners) as the
 * baseline instead of alerting, so adding a domain with thousands of existing
 * names does not flood the SOC.
 */
export function learningUntilMs(i: LearningInputs): number {
  const byWindow = i.windowMs > 0 && i.addedAtMs > 0 ? i.addedAtMs + i.windowMs : 0;
  return Math.max(byWindow, i.overrideUntilMs);
}
