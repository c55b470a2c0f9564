/**
 * Assignments of a configuration: the current ones (selector, version,
 * priority) with removal, and a form to assign by label selector with a live
 * preview of the agents the selector matches, answered by the server.
 */
import { useEffect, useState } from "react";
import { describeError } from "../api/errors.js";
import type { Agent, ConfigurationVersion } from "../api/types.js";
import { useApp } from "../app/context.js";
import { useAsync, useNow } from "../app/hooks.js";
import { Empty, ErrorMessage, RelativeTime } from "../components/common.js";
import { plural } from "../lib/format.js";
import {
  type PreviewSummary,
  previewSummary,
  selectorInputProblem,
} from "../lib/selector-preview.js";

function usePreview(selector: string) {
  const { api } = useApp();
  const [state, setState] = useState<{
    summary?: PreviewSummary;
    error?: string;
    loading: boolean;
  }>({
    loading: false,
  });
  useEffect(() => {
    let cancelled = false;
    setState({ loading: true });
    const timer = setTimeout(() => {
      api.listAgents(selector.trim() === "" ? undefined : selector).then(
        (list: Agent[]) => {
          if (!cancelled) setState({ summary: previewSummary(list), loading: false });
        },
        (e: unknown) => {
          if (!cancelled) setState({ error: describeError(e), loading: false });
        },
      );
    }, 250);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, selector]);
  return state;
}

function AssignForm({
  configurationId,
  versions,
  onAssigned,
}: {
  configurationId: string;
  versions: readonly ConfigurationVersion[];
  onAssigned: () => void;
}) {
  const { api } = useApp();
  const [selector, setSelector] = useState("");
  const [version, setVersion] = useState("latest");
  const [priority, setPriority] = useState("0");
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const preview = usePreview(selector);
  const hint = selectorInputProblem(selector);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api.createAssignment({
        configurationId,
        version: version === "latest" ? null : Number(version),
        selector: selector.trim(),
        priority: Number.parseInt(priority, 10) || 0,
      });
      setSelector("");
      onAssigned();
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      aria-label="Assign by selector"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <div className="row-fields">
        <label>
          Label selector
          <input
            value={selector}
            onChange={(e) => setSelector(e.target.value)}
            placeholder="env=prod,region in (eu,us),!canary"
            aria-invalid={preview.error !== undefined}
            aria-describedby="assign-preview"
          />
        </label>
        <label>
          Version
          <select value={version} onChange={(e) => setVersion(e.target.value)}>
            <option value="latest">Always the latest</option>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
              </option>
            ))}
          </select>
        </label>
        <label>
          Priority
          <input type="number" value={priority} onChange={(e) => setPriority(e.target.value)} />
        </label>
      </div>
      <div id="assign-preview" className="preview" aria-live="polite">
        {preview.error !== undefined ? (
          <span className="bad-text">{preview.error}</span>
        ) : preview.summary === undefined ? (
          <span className="muted">Checking…</span>
        ) : (
          <>
            <strong data-testid="preview-count">
              Matches {plural(preview.summary.count, "agent")}
            </strong>{" "}
            ({preview.summary.connected} connected){hint !== undefined ? ` — ${hint}` : ""}
            {preview.summary.names.length > 0 ? (
              <ul className="chips">
                {preview.summary.names.map((n) => (
                  <li key={n.id}>
                    <a href={`#/agents/${encodeURIComponent(n.id)}`}>{n.name}</a>
                  </li>
                ))}
                {preview.summary.more > 0 ? <li>and {preview.summary.more} more</li> : null}
              </ul>
            ) : null}
          </>
        )}
      </div>
      <ErrorMessage message={error} />
      <button type="submit" disabled={busy || versions.length === 0}>
        Assign
      </button>
      {versions.length === 0 ? <p className="muted">Save a version before assigning.</p> : null}
    </form>
  );
}

/** The assignments section. */
export function ConfigAssignments({
  configurationId,
  versions,
}: {
  configurationId: string;
  versions: readonly ConfigurationVersion[];
}) {
  const { api } = useApp();
  const now = useNow();
  const all = useAsync(() => api.listAssignments(), [api]);
  const [error, setError] = useState<string | undefined>(undefined);
  const mine = (all.data ?? [])
    .filter((a) => a.configurationId === configurationId)
    .sort((a, b) => b.priority - a.priority);
  return (
    <section className="card" aria-labelledby="assign-h">
      <h2 id="assign-h">Assignments</h2>
      <ErrorMessage message={all.error} onRetry={all.reload} />
      <ErrorMessage message={error} />
      {all.data !== undefined && mine.length === 0 ? (
        <Empty title="Not assigned">Assign it below; matching agents get it at once.</Empty>
      ) : mine.length > 0 ? (
        <table className="list" aria-label="Assignments">
          <thead>
            <tr>
              <th scope="col">Selector</th>
              <th scope="col">Version</th>
              <th scope="col">Priority</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {mine.map((a) => (
              <tr key={a.id}>
                <td className="mono">{a.selector === "" ? "(every agent)" : a.selector}</td>
                <td>{a.version === null ? "latest" : `v${a.version}`}</td>
                <td>{a.priority}</td>
                <td>
                  <RelativeTime at={a.createdAt} now={now} />
                </td>
                <td>
                  <button
                    type="button"
                    className="secondary"
                    aria-label={`Remove assignment ${a.selector}`}
                    onClick={() => {
                      setError(undefined);
                      api
                        .deleteAssignment(a.id)
                        .then(all.reload, (e: unknown) => setError(describeError(e)));
                    }}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h3>Assign by selector</h3>
      <AssignForm configurationId={configurationId} versions={versions} onAssigned={all.reload} />
    </section>
  );
}
