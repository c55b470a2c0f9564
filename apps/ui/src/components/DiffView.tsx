/**
 * A unified line diff with old and new line numbers, added lines green and
 * removed ones red (also marked + / − for colour-blind users).
 */
import { useMemo } from "react";
import { diffLines, diffStats } from "../lib/diff.js";
import { Empty } from "./common.js";

/** Diff of `before` → `after`. */
export function DiffView({
  before,
  after,
  beforeLabel,
  afterLabel,
}: {
  before: string;
  after: string;
  beforeLabel: string;
  afterLabel: string;
}) {
  const lines = useMemo(() => diffLines(before, after), [before, after]);
  const stats = diffStats(lines);
  return (
    <figure className="diff">
      <figcaption>
        {beforeLabel} → {afterLabel}: <span className="added">+{stats.added}</span>{" "}
        <span className="removed">−{stats.removed}</span>
      </figcaption>
      {stats.added === 0 && stats.removed === 0 ? (
        <Empty title="No differences">Both sides have the same content.</Empty>
      ) : (
        <table className="diff-table">
          <thead>
            <tr>
              <th scope="col">old</th>
              <th scope="col">new</th>
              <th scope="col">
                <span className="sr-only">change</span>
              </th>
              <th scope="col">line</th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
              <tr key={i} className={`diff-${l.kind}`}>
                <td className="ln">{l.oldLine ?? ""}</td>
                <td className="ln">{l.newLine ?? ""}</td>
                <td className="sign">
                  {l.kind === "added" ? "+" : l.kind === "removed" ? "−" : " "}
                </td>
                <td className="text">{l.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}
