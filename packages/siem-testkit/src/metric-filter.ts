type Comparison = {
  readonly path: readonly string[];
  readonly op: "=" | "!=";
  readonly value: string | number;
};

/**
 * Compiles a CloudWatch Logs JSON metric filter pattern of the form
 * `{ $.a.b = "text" && $.c = 18 }` (conditions joined by `&&`, each `=` or `!=`
 * against a quoted string or a number) into a predicate over log messages.
 * Follows CloudWatch's semantics for that subset: a message that is not JSON, or
 * lacks a selected property, does not match; strings compare exactly; numbers
 * compare numerically and only with JSON numbers.
 */
export function compileMetricFilter(pattern: string): (message: string) => boolean {
  const body = /^\s*\{(.*)\}\s*$/s.exec(pattern)?.[1];
  if (body === undefined) throw new SyntaxError("a JSON metric filter is wrapped in { }");
  const comparisons: Comparison[] = body.split("&&").map((part) => {
    const m =
      /^\s*\$((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*(!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?))\s*$/.exec(
        part,
      );
    if (!m) throw new SyntaxError(`unsupported metric filter condition: ${part.trim()}`);
    return {
      path: m[1]!.slice(1).split("."),
      op: m[2] as "=" | "!=",
      value: m[3] !== undefined ? JSON.parse(`"${m[3]}"`) : Number(m[4]),
    };
  });
  return (message) => {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return false;
    }
    return comparisons.every((c) => {
      let node: unknown = json;
      for (const key of c.path) {
        if (node === null || typeof node !== "object" || Array.isArray(node)) return false;
        node = (node as Record<string, unknown>)[key];
      }
      if (node === undefined) return false;
      const equal =
        typeof c.value === "number" ? typeof node === "number" && node === c.value : node === c.value;
      return c.op === "=" ? equal : !equal;
    });
  };
}
