/**
 * Label selectors in Kubernetes syntax, the way users pick agents for
 * configurations, own-telemetry destinations and API listings:
 * `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists),
 * `!k` (absent); a comma means AND; the empty selector matches everything.
 * Semantics follow Kubernetes: `!=` and `notin` also match when the label is absent.
 */

/** One requirement of a selector. */
export type Requirement =
  | { readonly op: "exists" | "absent"; readonly key: string }
  | { readonly op: "eq" | "neq"; readonly key: string; readonly value: string }
  | { readonly op: "in" | "notin"; readonly key: string; readonly values: readonly string[] };

/** A parsed selector: all requirements must hold. */
export interface Selector {
  readonly requirements: readonly Requirement[];
}

/** Why a selector did not parse; `position` is the 0-based character offset. */
export interface SelectorError {
  readonly message: string;
  readonly position: number;
}

/** Outcome of `parseSelector`. */
export type SelectorParseResult =
  | { readonly ok: true; readonly selector: Selector }
  | { readonly ok: false; readonly error: SelectorError };

const KEY_CHAR = /[A-Za-z0-9._\-/]/;
const VALUE_CHAR = /[A-Za-z0-9._\-/:@+~]/;

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string, position = this.pos): never {
    throw Object.assign(new Error(message), { position });
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private word(pattern: RegExp, what: string): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.text.length && pattern.test(this.text[this.pos]!)) this.pos++;
    if (this.pos === start) {
      const found = this.peek();
      this.fail(
        found === undefined
          ? `expected ${what}, found end of selector`
          : `expected ${what}, found "${found}"`,
        start,
      );
    }
    return this.text.slice(start, this.pos);
  }

  private value(): string {
    this.skipSpace();
    const start = this.pos;
    while (this.pos < this.text.length && VALUE_CHAR.test(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private values(): string[] {
    this.skipSpace();
    if (this.peek() !== "(") this.fail(`expected "(" to start a value list`);
    this.pos++;
    const values: string[] = [];
    for (;;) {
      const v = this.value();
      if (v === "") this.fail("expected a value in the list");
      values.push(v);
      this.skipSpace();
      const c = this.peek();
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === ")") {
        this.pos++;
        return values;
      }
      this.fail(
        c === undefined
          ? `expected "," or ")", found end of selector`
          : `expected "," or ")", found "${c}"`,
      );
    }
  }

  private requirement(): Requirement {
    this.skipSpace();
    if (this.peek() === "!") {
      this.pos++;
      return { op: "absent", key: this.word(KEY_CHAR, "a label key") };
    }
    const key = this.word(KEY_CHAR, "a label key");
    this.skipSpace();
    const rest = this.text.slice(this.pos);
    if (rest.startsWith("==")) {
      this.pos += 2;
      return { op: "eq", key, value: this.value() };
    }
    if (rest.startsWith("!=")) {
      this.pos += 2;
      return { op: "neq", key, value: this.value() };
    }
    if (rest.startsWith("=")) {
      this.pos += 1;
      return { op: "eq", key, value: this.value() };
    }
    const keyword = /^(in|notin)(?=[\s(])/.exec(rest);
    if (keyword !== null) {
      this.pos += keyword[1]!.length;
      return { op: keyword[1] as "in" | "notin", key, values: this.values() };
    }
    return { op: "exists", key };
  }

  parse(): Selector {
    const requirements: Requirement[] = [];
    this.skipSpace();
    if (this.pos === this.text.length) return { requirements };
    for (;;) {
      requirements.push(this.requirement());
      this.skipSpace();
      const c = this.peek();
      if (c === undefined) return { requirements };
      if (c !== ",") this.fail(`expected "," or end of selector, found "${c}"`);
      this.pos++;
    }
  }
}

/** Parses a selector; errors say what was expected and at which character. */
export function parseSelector(text: string): SelectorParseResult {
  try {
    return { ok: true, selector: new Parser(text).parse() };
  } catch (error) {
    const e = error as Error & { position?: number };
    return { ok: false, error: { message: e.message, position: e.position ?? 0 } };
  }
}

function holds(r: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.op) {
    case "exists":
      return has;
    case "absent":
      return !has;
    case "eq":
      return has && value === r.value;
    case "neq":
      return !has || value !== r.value;
    case "in":
      return has && r.values.includes(value!);
    case "notin":
      return !has || !r.values.includes(value!);
  }
}

/** True when every requirement holds for `labels`. */
export function matchesSelector(
  selector: Selector,
  labels: Readonly<Record<string, string>>,
): boolean {
  return selector.requirements.every((r) => holds(r, labels));
}

function formatRequirement(r: Requirement): string {
  switch (r.op) {
    case "exists":
      return r.key;
    case "absent":
      return `!${r.key}`;
    case "eq":
      return `${r.key}=${r.value}`;
    case "neq":
      return `${r.key}!=${r.value}`;
    case "in":
    case "notin":
      return `${r.key} ${r.op} (${r.values.join(",")})`;
  }
}

/** The canonical text of a selector; `parseSelector(formatSelector(s))` gives `s` back. */
export function formatSelector(selector: Selector): string {
  return selector.requirements.map(formatRequirement).join(",");
}
