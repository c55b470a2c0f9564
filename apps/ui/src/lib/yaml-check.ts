/**
 * YAML checks for the config editor: the same parser the control plane uses
 * (`yaml`), so the editor marks the line the server would refuse before the
 * user saves, and maps the server's 400 (file, line, column) to the same form.
 */
import { parseDocument } from "yaml";
import type { ApiError } from "../api/errors.js";

/** One problem at a 1-based line and column. */
export interface YamlProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly severity: "error" | "warning";
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
}

/** Parse errors and warnings of `text`, in document order. */
export function checkYaml(text: string): YamlProblem[] {
  const doc = parseDocument(text, { prettyErrors: true });
  const problems: YamlProblem[] = [];
  const add = (
    list: readonly { message: string; linePos?: readonly { line: number; col: number }[] }[],
    severity: YamlProblem["severity"],
  ) => {
    for (const e of list) {
      const pos = e.linePos?.[0];
      problems.push({
        line: pos?.line ?? 1,
        column: pos?.col ?? 1,
        message: firstLine(e.message),
        severity,
      });
    }
  };
  add(doc.errors, "error");
  add(doc.warnings, "warning");
  return problems.sort((x, y) => x.line - y.line || x.column - y.column);
}

/** True when a file of this name/content type is YAML (as the server decides). */
export function isYamlFile(name: string, contentType: string): boolean {
  return /ya?ml/i.test(contentType) || /\.ya?ml$/i.test(name);
}

/** The problem a server refusal points at, when it names a line (400 INVALID_CONFIG). */
export function problemFromApiError(error: ApiError): YamlProblem | undefined {
  const { line, column } = error.location;
  if (line === undefined) return undefined;
  const detail = error.detail
    .replace(/\s*\(\d{3}\)$/, "")
    .replace(/^.*?invalid YAML at line \d+, column \d+: /, "");
  return {
    line,
    column: column ?? 1,
    message: `refused by the server: ${detail}`,
    severity: "error",
  };
}

/**
 * The problems to show: the local ones, plus the server's refusal when no
 * local error already points at the same line (both come from the same parser).
 */
export function mergeProblems(
  server: YamlProblem | undefined,
  local: readonly YamlProblem[],
): YamlProblem[] {
  if (server === undefined) return [...local];
  if (local.some((p) => p.severity === "error" && p.line === server.line)) return [...local];
  return [server, ...local];
}

/** "line 3, column 5: message". */
export function formatProblem(problem: YamlProblem): string {
  return `line ${problem.line}, column ${problem.column}: ${problem.message}`;
}
