/**
 * Checks of user input the schemas cannot express: selector syntax and the
 * content of config files (YAML and JSON must parse; errors carry the line
 * and column so users can find the mistake).
 */
import { parseDocument } from "yaml";
import { ControlPlaneError } from "../errors.js";
import { parseSelector, type Selector } from "../selector/selector.js";
import type { ConfigFiles } from "../storage/types.js";

/** Parses a selector or throws `INVALID_SELECTOR` with the character position. */
export function requireSelector(text: string): Selector {
  const parsed = parseSelector(text);
  if (!parsed.ok) {
    throw new ControlPlaneError(
      "INVALID_SELECTOR",
      `invalid selector at position ${parsed.error.position}: ${parsed.error.message}`,
      { location: { position: parsed.error.position } },
    );
  }
  return parsed.selector;
}

function firstLine(message: string): string {
  return (message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
}

function isYaml(name: string, contentType: string): boolean {
  return /ya?ml/i.test(contentType) || /\.ya?ml$/i.test(name);
}

/** Throws `INVALID_CONFIG` (with file, line, column) when a YAML or JSON file does not parse. */
export function requireValidConfig(files: ConfigFiles): ConfigFiles {
  for (const [name, file] of Object.entries(files)) {
    if (isYaml(name, file.contentType)) {
      const doc = parseDocument(file.body, { prettyErrors: true });
      const error = doc.errors[0];
      if (error !== undefined) {
        const pos = error.linePos?.[0];
        throw new ControlPlaneError(
          "INVALID_CONFIG",
          `${name}: invalid YAML${pos !== undefined ? ` at line ${pos.line}, column ${pos.col}` : ""}: ${firstLine(error.message)}`,
          {
            location: {
              file: name,
              ...(pos !== undefined ? { line: pos.line, column: pos.col } : {}),
            },
          },
        );
      }
    } else if (/json/i.test(file.contentType)) {
      try {
        JSON.parse(file.body);
      } catch (error) {
        throw new ControlPlaneError(
          "INVALID_CONFIG",
          `${name}: invalid JSON: ${(error as Error).message}`,
          {
            cause: error,
            location: { file: name },
          },
        );
      }
    }
  }
  return files;
}
