/**
 * Read-only YAML with line numbers and highlighting (effective config,
 * configuration versions).
 */
import { highlightLine } from "../lib/yaml-highlight.js";

/** Highlighted text; `label` names the region for screen readers. */
export function YamlView({ text, label }: { text: string; label: string }) {
  const lines = text.replace(/\n$/, "").split(/\r?\n/);
  return (
    <section
      className="code"
      aria-label={label}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: long configs scroll; the keyboard must reach them
      tabIndex={0}
    >
      <pre>
        {lines.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
          <span className="code-line" key={i}>
            <span className="ln" aria-hidden="true">
              {i + 1}
            </span>
            {highlightLine(line).map((t, j) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: tokens are positional
              <span key={j} className={`tok-${t.kind}`}>
                {t.text}
              </span>
            ))}
            {"\n"}
          </span>
        ))}
      </pre>
    </section>
  );
}
