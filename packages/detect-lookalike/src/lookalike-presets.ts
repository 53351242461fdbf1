import type { LookalikeIndexOptions } from "./lookalike-index.js";

/**
 * Option presets, measured in the README's quality table.
 * - `balanced` (the defaults): every technique, for brand-protection triage.
 * - `precise`: Chromium-like; only the more specific techniques (no contained or bare
 *   hyphen-token brands, no edit distance 2, no first-character edits, typos from 6 letters,
 *   no bare subdomain brand labels). Fewer alerts on benign names, lower recall.
 */
export const LOOKALIKE_PRESETS: Readonly<Record<"balanced" | "precise", LookalikeIndexOptions>> = {
  balanced: {},
  precise: {
    minTypoLength: 6,
    longLabelMinLength: Number.POSITIVE_INFINITY,
    minContainedBrandLength: 0,
    minBareTokenLength: 0,
    ignoreFirstCharEdits: true,
    matchSubdomainBrandLabel: false,
  },
};
