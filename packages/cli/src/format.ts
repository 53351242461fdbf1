import { Severity } from "@ctwatch/proto";

/** An ms timestamp as ISO 8601 (UTC, seconds), or "-" for 0. */
export function isoTime(ms: bigint | number): string {
  const n = Number(ms);
  return n > 0 ? new Date(n).toISOString().replace(/\.\d{3}Z$/, "Z") : "-";
}

/** An enum value's short name: `ALERT_STATE_OPEN` style prefixes stripped, lower case. */
export function enumName(names: Readonly<Record<number, string>>, value: number): string {
  return (names[value] ?? String(value)).toLowerCase();
}

/** Severity name for display. */
export function severityName(s: Severity): string {
  return enumName(Severity as unknown as Record<number, string>, s);
}

/** Rows as aligned columns (two spaces apart); the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) for (const [i, c] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, c.length);
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}
