/**
 * Label editing and selectors: parses the "key=value per line" text of the
 * labels editor with the same character rules the control plane enforces,
 * and builds a selector from labels for "agents like this one".
 */

const KEY = /^[A-Za-z0-9._\-/]{1,253}$/;
const VALUE = /^[A-Za-z0-9._\-/:@+~]{0,253}$/;

/** Parsed labels, or the first bad line. */
export type LabelsParseResult =
  | { readonly ok: true; readonly labels: Record<string, string> }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** Parses "key=value" lines; blank lines and `#` comments are skipped. */
export function parseLabels(text: string): LabelsParseResult {
  const labels: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return { ok: false, line: i + 1, message: `expected key=value, got "${line}"` };
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (!KEY.test(key)) {
      return {
        ok: false,
        line: i + 1,
        message: `"${key}" is not a valid label key (letters, digits, . _ - /)`,
      };
    }
    if (!VALUE.test(value)) {
      return {
        ok: false,
        line: i + 1,
        message: `"${value}" is not a valid label value (letters, digits, . _ - / : @ + ~)`,
      };
    }
    if (key in labels) return { ok: false, line: i + 1, message: `label "${key}" appears twice` };
    labels[key] = value;
  }
  return { ok: true, labels };
}

/** The editor text of `labels`, sorted by key. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join("\n");
}

/** An equality selector matching every label given, e.g. `env=prod,region=eu`. */
export function selectorFromLabels(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}

/** The selector error position the server reported, as a caret line under the input. */
export function caretLine(position: number): string {
  return `${" ".repeat(Math.max(0, position))}^`;
}
