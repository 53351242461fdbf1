/** Label values of one series. */
export type Labels = Record<string, string>;

/** A monotonically increasing count. */
export interface Counter {
  inc(labels?: Labels, by?: number): void;
}

/** A value that goes up and down. */
export interface Gauge {
  set(value: number, labels?: Labels): void;
}

/**
 * The metrics surface components take by injection. The default implementation
 * keeps series in memory and renders the Prometheus text format for the health
 * endpoint; the OpenTelemetry bridge implements the same interface.
 * Series per metric are bounded (`maxSeriesPerMetric`); beyond the bound new
 * label sets are folded into one `overflow="true"` series.
 */
export interface Metrics {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string): Gauge;
}

interface Family {
  kind: "counter" | "gauge";
  help: string;
  series: Map<string, { labels: Labels; value: number }>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function key(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join("\u0000");
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** In-memory metrics registry with Prometheus text rendering. */
export class MetricsRegistry implements Metrics {
  private readonly families = new Map<string, Family>();

  constructor(private readonly maxSeriesPerMetric = 1000) {}

  private family(name: string, help: string, kind: Family["kind"]): Family {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${name}`);
    let f = this.families.get(name);
    if (!f) {
      f = { kind, help, series: new Map() };
      this.families.set(name, f);
    } else if (f.kind !== kind) {
      throw new Error(`metric ${name} already registered as ${f.kind}`);
    }
    return f;
  }

  private series(f: Family, labels: Labels) {
    const k = key(labels);
    let s = f.series.get(k);
    if (!s) {
      if (f.series.size >= this.maxSeriesPerMetric) {
        const ok = key({ overflow: "true" });
        s = f.series.get(ok) ?? { labels: { overflow: "true" }, value: 0 };
        f.series.set(ok, s);
        return s;
      }
      s = { labels, value: 0 };
      f.series.set(k, s);
    }
    return s;
  }

  counter(name: string, help: string): Counter {
    const f = this.family(name, help, "counter");
    return {
      inc: (labels = {}, by = 1) => {
        if (by < 0) throw new Error("counter cannot decrease");
        this.series(f, labels).value += by;
      },
    };
  }

  gauge(name: string, help: string): Gauge {
    const f = this.family(name, help, "gauge");
    return {
      set: (value, labels = {}) => {
        this.series(f, labels).value = value;
      },
    };
  }

  /** Current value of one series (tests, health). */
  value(name: string, labels: Labels = {}): number | undefined {
    return this.families.get(name)?.series.get(key(labels))?.value;
  }

  /** Sum over all series of a metric. */
  total(name: string): number {
    let sum = 0;
    for (const s of this.families.get(name)?.series.values() ?? []) sum += s.value;
    return sum;
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  render(): string {
    const lines: string[] = [];
    for (const [name, f] of this.families) {
      lines.push(`# HELP ${name} ${f.help.replace(/\n/g, " ")}`, `# TYPE ${name} ${f.kind}`);
      for (const s of f.series.values()) {
        const ls = Object.entries(s.labels)
          .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
          .join(",");
        lines.push(`${name}${ls ? `{${ls}}` : ""} ${s.value}`);
      }
    }
    return `${lines.join("\n")}\n`;
  }
}
