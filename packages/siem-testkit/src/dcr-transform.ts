/** A row flowing through a DCR transformation. */
export type KqlRow = Record<string, unknown>;

type Expr =
  | { readonly kind: "column"; readonly name: string }
  | { readonly kind: "call"; readonly fn: string; readonly arg: Expr };
type Item = { readonly name: string; readonly expr: Expr };
type Operator =
  | { readonly op: "project" | "extend"; readonly items: readonly Item[] }
  | { readonly op: "project-away"; readonly names: readonly string[] };

const FUNCTIONS = new Set([
  "toreal",
  "todouble",
  "tostring",
  "tobool",
  "toboolean",
  "todatetime",
  "toint",
  "tolong",
]);

/**
 * Compiles the subset of KQL that ctwatch's DCR uses — `source`, then `project`,
 * `extend` and `project-away` with columns and the scalar conversions `toreal`,
 * `tostring`, `tobool`, `todatetime`, `toint`, `tolong` — into a row function.
 * Anything else throws, so a transformation that strays from what was verified
 * fails loudly instead of being half-interpreted.
 */
export function compileTransformKql(kql: string): (row: KqlRow) => KqlRow {
  const tokens = tokenize(kql);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const t = tokens[pos++];
    if (t === undefined) throw new SyntaxError("unexpected end of KQL");
    return t;
  };
  const expect = (value: string) => {
    const t = next();
    if (t !== value) throw new SyntaxError(`expected '${value}' in KQL, found '${t}'`);
  };
  const ident = () => {
    const t = next();
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) throw new SyntaxError(`expected a name in KQL, found '${t}'`);
    return t;
  };
  const expr = (): Expr => {
    const name = ident();
    if (peek() !== "(") return { kind: "column", name };
    if (!FUNCTIONS.has(name))
      throw new SyntaxError(`KQL function '${name}' is not supported by the test receiver`);
    expect("(");
    const arg = expr();
    expect(")");
    return { kind: "call", fn: name, arg };
  };
  const item = (): Item => {
    const name = ident();
    if (peek() === "=") {
      next();
      return { name, expr: expr() };
    }
    return { name, expr: { kind: "column", name } };
  };

  expect("source");
  const operators: Operator[] = [];
  while (peek() !== undefined) {
    expect("|");
    const op = next();
    if (op === "project" || op === "extend") {
      const items = [item()];
      while (peek() === ",") {
        next();
        items.push(item());
      }
      operators.push({ op, items });
    } else if (op === "project-away") {
      const names = [ident()];
      while (peek() === ",") {
        next();
        names.push(ident());
      }
      operators.push({ op, names });
    } else {
      throw new SyntaxError(`KQL operator '${op}' is not supported by the test receiver`);
    }
  }

  return (input) => {
    let row: KqlRow = { ...input };
    for (const operator of operators) {
      if (operator.op === "project-away") {
        for (const name of operator.names) delete row[name];
      } else {
        const out: KqlRow = operator.op === "extend" ? { ...row } : {};
        for (const { name, expr: e } of operator.items) {
          const value = evaluate(e, row);
          if (value === undefined) delete out[name];
          else out[name] = value;
        }
        row = out;
      }
    }
    return row;
  };
}

function evaluate(expr: Expr, row: KqlRow): unknown {
  if (expr.kind === "column") return row[expr.name] ?? undefined;
  const value = evaluate(expr.arg, row);
  if (value === undefined || value === null) return undefined;
  switch (expr.fn) {
    case "toreal":
    case "todouble": {
      const n = Number(value);
      return Number.isFinite(n) ? n : undefined;
    }
    case "toint":
    case "tolong": {
      const n = Number(value);
      return Number.isFinite(n) ? Math.trunc(n) : undefined;
    }
    case "tostring":
      return typeof value === "string" ? value : JSON.stringify(value);
    case "tobool":
    case "toboolean":
      if (typeof value === "boolean") return value;
      return /^(true|1)$/i.test(String(value))
        ? true
        : /^(false|0)$/i.test(String(value))
          ? false
          : undefined;
    case "todatetime": {
      const at = Date.parse(String(value));
      return Number.isNaN(at) ? undefined : new Date(at).toISOString();
    }
    default:
      throw new SyntaxError(`KQL function '${expr.fn}' is not supported`);
  }
}

function tokenize(kql: string): string[] {
  const tokens: string[] = [];
  const re = /\s*([A-Za-z_][A-Za-z0-9_-]*|[|,=()])/y;
  let index = 0;
  while (index < kql.length) {
    if (/^\s*$/.test(kql.slice(index))) break;
    re.lastIndex = index;
    const match = re.exec(kql);
    if (!match) throw new SyntaxError(`unsupported KQL near '${kql.slice(index, index + 20)}'`);
    tokens.push(match[1]!);
    index = re.lastIndex;
  }
  return tokens;
}
