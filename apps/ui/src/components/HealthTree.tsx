/**
 * The agent's component health tree (spec §4.6) as an indented list;
 * unhealthy components and ones with an error message are highlighted.
 */
import type { Health } from "../api/types.js";
import { countProblems, flattenHealth } from "../lib/health-tree.js";
import { RelativeTime } from "./common.js";

/** The tree, or a note that the agent does not report health. */
export function HealthTree({ health, now }: { health: Health | null; now: number }) {
  if (health === null) {
    return (
      <p className="muted">
        This agent has not reported health (it needs the ReportsHealth capability).
      </p>
    );
  }
  const rows = flattenHealth(health);
  const problems = countProblems(rows);
  return (
    <div>
      <p className={problems > 0 ? "bad-text" : "good-text"}>
        {problems > 0
          ? `${problems} component${problems === 1 ? "" : "s"} with problems`
          : "All components healthy"}
      </p>
      <ul className="health-tree" aria-label="Component health">
        {rows.map((r) => (
          <li
            key={r.path}
            className={r.problem ? "health-problem" : "health-ok"}
            style={{ paddingLeft: `${r.depth * 1.25}rem` }}
            data-problem={r.problem ? "true" : "false"}
          >
            <span className="health-icon" aria-hidden="true">
              {r.problem ? "✖" : "✔"}
            </span>
            <strong>{r.name}</strong>{" "}
            <span className="sr-only">{r.healthy ? "healthy" : "unhealthy"}</span>
            {r.status !== "" ? <span className="muted"> {r.status}</span> : null}
            {r.statusTime !== undefined ? (
              <span className="muted">
                {" "}
                · <RelativeTime at={r.statusTime} now={now} />
              </span>
            ) : null}
            {r.lastError !== "" ? <div className="health-error">Error: {r.lastError}</div> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}
