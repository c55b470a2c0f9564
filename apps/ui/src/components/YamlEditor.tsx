/**
 * The config editor: a monospace textarea with a line-number gutter that
 * marks lines with YAML parse errors, and a list of the problems ("line 3,
 * column 5: …") whose entries move the cursor to the line. Problems come
 * from the local parser as the user types and from the server's refusal.
 */
import { useId, useMemo, useRef } from "react";
import { formatProblem, type YamlProblem } from "../lib/yaml-check.js";

/** Props of `YamlEditor`. */
export interface YamlEditorProps {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly problems: readonly YamlProblem[];
  readonly rows?: number;
}

function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let l = 1; l < line; l += 1) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset;
}

/** The editor. */
export function YamlEditor({ label, value, onChange, problems, rows = 18 }: YamlEditorProps) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lineCount = value.split("\n").length;
  const errorLines = useMemo(
    () => new Set(problems.filter((p) => p.severity === "error").map((p) => p.line)),
    [problems],
  );
  const goTo = (line: number) => {
    const el = area.current;
    if (el === null) return;
    const start = offsetOfLine(value, line);
    const end = value.indexOf("\n", start);
    el.focus();
    el.setSelectionRange(start, end < 0 ? value.length : end);
  };
  return (
    <div className="editor">
      <label htmlFor={id}>{label}</label>
      <div className="editor-body">
        <div className="gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lineCount }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: line numbers are positional
            <div key={i} className={errorLines.has(i + 1) ? "gutter-error" : undefined}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          id={id}
          ref={area}
          className="code-input"
          spellCheck={false}
          rows={rows}
          value={value}
          aria-invalid={errorLines.size > 0}
          aria-describedby={`${id}-problems`}
          onChange={(e) => onChange(e.target.value)}
          onScroll={(e) => {
            if (gutter.current !== null) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
          onKeyDown={(e) => {
            if (e.key === "Tab" && !e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey) {
              // Two spaces instead of leaving the field; Escape then Tab leaves it.
              if (e.currentTarget.dataset.escaped === "1") return;
              e.preventDefault();
              const el = e.currentTarget;
              const { selectionStart, selectionEnd } = el;
              const next = `${value.slice(0, selectionStart)}  ${value.slice(selectionEnd)}`;
              onChange(next);
              requestAnimationFrame(() =>
                el.setSelectionRange(selectionStart + 2, selectionStart + 2),
              );
            } else {
              e.currentTarget.dataset.escaped = e.key === "Escape" ? "1" : "0";
            }
          }}
        />
      </div>
      <div id={`${id}-problems`} className="problems" aria-live="polite">
        {problems.length === 0 ? (
          <span className="ok">YAML parses.</span>
        ) : (
          <ul>
            {problems.map((p) => (
              <li key={`${p.line}:${p.column}:${p.message}`} className={`problem-${p.severity}`}>
                <button type="button" className="link" onClick={() => goTo(p.line)}>
                  {p.severity === "error" ? "Error" : "Warning"} at {formatProblem(p)}
                </button>
              </li>
            ))}
          </ul>
        )}
        <span className="hint">Tab indents; press Escape then Tab to leave the editor.</span>
      </div>
    </div>
  );
}
