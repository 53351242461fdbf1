/** One top-level JSON value of a concatenated stream, or why it could not be read. */
export type StreamItem =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string };

/**
 * Splits a body of concatenated JSON values (`{…}{…}`, optionally separated by
 * whitespace, as HEC and the CloudWatch HLC endpoint accept) into its values.
 * Stops at the first value that does not parse; that item is `{ok: false}`.
 */
export function parseConcatenatedJson(text: string): StreamItem[] {
  const items: StreamItem[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    while (i < n && /\s/.test(text[i]!)) i++;
    if (i >= n) return items;
    const start = i;
    const open = text[i];
    if (open !== "{" && open !== "[") {
      // A bare scalar: read until whitespace or the next object, and let JSON.parse judge it.
      while (i < n && !/[\s{[]/.test(text[i]!)) i++;
      items.push(parseOne(text.slice(start, i)));
      if (!items[items.length - 1]!.ok) return items;
      continue;
    }
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const c = text[i];
      if (inString) {
        if (c === "\\") i++;
        else if (c === '"') inString = false;
        continue;
      }
      if (c === '"') inString = true;
      else if (c === "{" || c === "[") depth++;
      else if (c === "}" || c === "]") {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      }
    }
    if (depth !== 0) {
      items.push({ ok: false, error: "unterminated JSON value" });
      return items;
    }
    const item = parseOne(text.slice(start, i));
    items.push(item);
    if (!item.ok) return items;
  }
}

function parseOne(text: string): StreamItem {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
