/**
 * Fleet overview: connected / disconnected / unhealthy counts, agents by
 * type, version and OS, config status totals and the latest live events.
 */
import { useMemo } from "react";
import { useFleet, useNow } from "../app/hooks.js";
import { Empty, ErrorMessage, RelativeTime } from "../components/common.js";
import { summarizeFleet } from "../lib/fleet-summary.js";
import { formatCount, percent } from "../lib/format.js";

function Breakdown({
  title,
  rows,
  total,
}: {
  title: string;
  rows: [string, number][];
  total: number;
}) {
  return (
    <section className="card" aria-label={title}>
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">No agents yet.</p>
      ) : (
        <table className="bars">
          <tbody>
            {rows.map(([name, n]) => (
              <tr key={name}>
                <th scope="row">{name}</th>
                <td className="num">{formatCount(n)}</td>
                <td className="bar-cell">
                  <span
                    className="bar"
                    style={{ width: `${total === 0 ? 0 : (n / total) * 100}%` }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Stat({
  label,
  value,
  tone,
  href,
}: {
  label: string;
  value: number;
  tone?: string;
  href?: string;
}) {
  const body = (
    <>
      <span className="stat-value">{formatCount(value)}</span>
      <span className="stat-label">{label}</span>
    </>
  );
  return (
    <div className={`stat ${tone ?? ""}`} data-stat={label}>
      {href !== undefined ? <a href={href}>{body}</a> : body}
    </div>
  );
}

/** The overview screen. */
export function Overview() {
  const { agents, revision, loaded, loadError, recent } = useFleet();
  const now = useNow();
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision changes with every agent change
  const summary = useMemo(() => summarizeFleet(agents.values()), [revision]);
  return (
    <div className="page">
      <h1>Fleet overview</h1>
      <ErrorMessage message={loadError} />
      {!loaded && loadError === undefined ? <p className="muted">Loading the fleet…</p> : null}
      {loaded && summary.total === 0 ? (
        <Empty title="No agents have connected yet">
          Point an OpAMP agent at this server's OpAMP endpoint (port 4320, path{" "}
          <code>/v1/opamp</code>); it appears here as soon as it connects.
        </Empty>
      ) : null}
      <section className="stats" aria-label="Agents">
        <Stat label="agents" value={summary.total} href="#/agents" />
        <Stat label="connected" value={summary.connected} tone="good" />
        <Stat label="disconnected" value={summary.total - summary.connected} tone="muted" />
        <Stat
          label="unhealthy"
          value={summary.unhealthy}
          tone={summary.unhealthy > 0 ? "bad" : ""}
        />
      </section>
      <section className="stats" aria-label="Config status">
        <Stat label="config applied" value={summary.applied} tone="good" />
        <Stat label="config applying" value={summary.applying} tone="warn" />
        <Stat label="config failed" value={summary.failed} tone={summary.failed > 0 ? "bad" : ""} />
        <Stat label="no config status" value={summary.unset} tone="muted" />
      </section>
      <p className="muted">
        {percent(summary.connected, summary.total)} connected,{" "}
        {percent(summary.applied, summary.total)} on their applied config.
      </p>
      <div className="grid3">
        <Breakdown title="By type" rows={summary.byType} total={summary.total} />
        <Breakdown title="By version" rows={summary.byVersion} total={summary.total} />
        <Breakdown title="By OS" rows={summary.byOs} total={summary.total} />
      </div>
      <section className="card" aria-label="Recent events">
        <h2>Recent events</h2>
        {recent.length === 0 ? (
          <p className="muted">
            Nothing has happened since this page opened. Events appear here live.
          </p>
        ) : (
          <ol className="events">
            {recent.map((e, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: newest first, never reordered
              <li key={`${e.at}-${i}`} className={`tone-${e.tone}`}>
                <RelativeTime at={e.at} now={now} />{" "}
                <a href={`#/agents/${encodeURIComponent(e.agentId)}`}>{e.text}</a>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
