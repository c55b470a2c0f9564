/**
 * A small YAML highlighter for read-only views and the editor overlay: one
 * line at a time, it marks comments, keys, strings, numbers, booleans/null,
 * anchors and list dashes. It never throws and never drops characters, so
 * the tokens always join back to the line.
 */

/** A highlighted piece of a line. */
export interface Token {
  readonly kind: "key" | "string" | "number" | "literal" | "comment" | "punct" | "anchor" | "text";
  readonly text: string;
}

const LITERALS = /^(true|false|null|~|yes|no|on|off)$/i;
const NUMBER = /^[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan)$/;

function scalarKind(value: string): Token["kind"] {
  const v = value.trim();
  if (v === "") return "text";
  if (v.startsWith('"') || v.startsWith("'")) return "string";
  if (v.startsWith("&") || v.startsWith("*") || v.startsWith("!")) return "anchor";
  if (LITERALS.test(v)) return "literal";
  if (NUMBER.test(v)) return "number";
  return "string";
}

/** Index of a ` #` comment start outside quotes, or -1. */
function commentStart(line: string): number {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === "#" && (i === 0 || line[i - 1] === " " || line[i - 1] === "\t")) {
      return i;
    }
  }
  return -1;
}

function valueTokens(value: string): Token[] {
  if (value === "") return [];
  const lead = /^\s*/.exec(value)![0];
  const rest = value.slice(lead.length);
  const out: Token[] = [];
  if (lead !== "") out.push({ kind: "text", text: lead });
  if (rest !== "") out.push({ kind: scalarKind(rest), text: rest });
  return out;
}

/** Tokens of one line. */
export function highlightLine(line: string): Token[] {
  const hash = commentStart(line);
  const code = hash >= 0 ? line.slice(0, hash) : line;
  const comment = hash >= 0 ? line.slice(hash) : "";
  const out: Token[] = [];
  const indent = /^\s*/.exec(code)![0];
  if (indent !== "") out.push({ kind: "text", text: indent });
  let rest = code.slice(indent.length);
  while (rest.startsWith("- ") || rest === "-") {
    out.push({ kind: "punct", text: rest === "-" ? "-" : "- " });
    rest = rest === "-" ? "" : rest.slice(2);
  }
  if (rest === "---" || rest === "...") {
    out.push({ kind: "punct", text: rest });
    rest = "";
  }
  const key = /^((?:"[^"]*"|'[^']*'|[^\s#'"{[][^:#]*?))(\s*)(:)(?=\s|$)/.exec(rest);
  if (key !== null) {
    out.push({ kind: "key", text: key[1]! });
    if (key[2] !== "") out.push({ kind: "text", text: key[2]! });
    out.push({ kind: "punct", text: ":" });
    rest = rest.slice(key[0].length);
  }
  out.push(...valueTokens(rest));
  if (comment !== "") out.push({ kind: "comment", text: comment });
  return out;
}

/** Tokens of every line of `text`. */
export function highlightYaml(text: string): Token[][] {
  return text.split(/\r?\n/).map(highlightLine);
}
