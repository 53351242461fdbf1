/** A stored Log Analytics row: column name to value. */
export type LogAnalyticsRow = Readonly<Record<string, unknown>>;

/** Suffixes the Data Collector API appends by type. */
export type TypeSuffix = "_s" | "_d" | "_b" | "_t" | "_g";

const GUID =
  /^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[0-9a-fA-F]{32})$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * The suffix the Data Collector API gives a new property, by the documented
 * inference: number `_d`, boolean `_b`, ISO 8601 date/time string `_t`, GUID-like
 * string (with or without dashes) `_g`, any other string (and nested JSON) `_s`.
 * Returns undefined for null: the property is not stored.
 */
export function inferSuffix(value: unknown): TypeSuffix | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === "number") return "_d";
  if (typeof value === "boolean") return "_b";
  if (typeof value === "string") {
    if (GUID.test(value)) return "_g";
    if (ISO_DATETIME.test(value) && !Number.isNaN(Date.parse(value))) return "_t";
    return "_s";
  }
  return "_s";
}

function convert(value: unknown, suffix: TypeSuffix): unknown {
  switch (suffix) {
    case "_d":
      return typeof value === "number" ? value : Number(value);
    case "_b":
      return typeof value === "boolean" ? value : String(value).toLowerCase() === "true";
    case "_t":
      return new Date(String(value)).toISOString();
    case "_g": {
      const hex = String(value).replace(/-/g, "").toLowerCase();
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    default:
      return typeof value === "string" ? value : JSON.stringify(value);
  }
}

function convertible(value: unknown, suffix: TypeSuffix): boolean {
  if (typeof value !== "string") return false;
  switch (suffix) {
    case "_d":
      return value.trim() !== "" && Number.isFinite(Number(value));
    case "_b":
      return /^(true|false)$/i.test(value);
    case "_t":
      return inferSuffix(value) === "_t";
    case "_g":
      return GUID.test(value);
    default:
      return true;
  }
}

/**
 * A custom table as the legacy Data Collector API builds it: columns are created on
 * first use with a type suffix; a later value of another type reuses the existing
 * column when it converts (the string "42" into a `_d` column) and otherwise gets a
 * new column with its own suffix (the documented `number_d` / `number_s` behaviour).
 */
export class ClassicCustomTable {
  readonly name: string;
  readonly #columns = new Map<string, Set<TypeSuffix>>();
  readonly #rows: LogAnalyticsRow[] = [];

  constructor(name: string) {
    this.name = name;
  }

  /** Rows in arrival order. */
  get rows(): readonly LogAnalyticsRow[] {
    return this.#rows;
  }

  /** Column names created so far (property + suffix). */
  get columns(): readonly string[] {
    return [...this.#columns].flatMap(([name, suffixes]) => [...suffixes].map((s) => `${name}${s}`));
  }

  /** Stores one record; `system` columns (TimeGenerated, Type, …) are added verbatim. */
  ingest(
    record: Readonly<Record<string, unknown>>,
    system: Readonly<Record<string, unknown>>,
  ): LogAnalyticsRow {
    const row: Record<string, unknown> = { ...system };
    for (const [name, value] of Object.entries(record)) {
      const inferred = inferSuffix(value);
      if (!inferred) continue;
      let existing = this.#columns.get(name);
      if (!existing) {
        existing = new Set();
        this.#columns.set(name, existing);
      }
      let suffix = inferred;
      if (!existing.has(inferred)) {
        const reusable = [...existing].find((s) => convertible(value, s));
        if (reusable) suffix = reusable;
        else existing.add(inferred);
      }
      row[`${name}${suffix}`] = convert(value, suffix);
    }
    this.#rows.push(row);
    return row;
  }
}
