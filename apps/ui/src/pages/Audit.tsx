/**
 * The audit log: who changed what and when, newest first, paged by id.
 */
import { useState } from "react";
import { describeError } from "../api/errors.js";
import type { AuditEntry } from "../api/types.js";
import { useApp } from "../app/context.js";
import { useAsync, useNow } from "../app/hooks.js";
import { Empty, ErrorMessage, RelativeTime } from "../components/common.js";
import { formatDateTime } from "../lib/format.js";

const PAGE = 100;

/** The audit screen. */
export function Audit() {
  const { api } = useApp();
  const now = useNow();
  const first = useAsync(() => api.listAudit({ limit: PAGE }), [api]);
  const [older, setOlder] = useState<AuditEntry[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  const [done, setDone] = useState(false);
  const entries = [...(first.data ?? []), ...older];
  const loadMore = async () => {
    const last = entries[entries.length - 1];
    if (last === undefined) return;
    setError(undefined);
    try {
      const more = await api.listAudit({ limit: PAGE, before: last.id });
      setOlder((o) => [...o, ...more]);
      if (more.length < PAGE) setDone(true);
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <div className="page">
      <h1>Audit log</h1>
      <p>
        <button
          type="button"
          onClick={() => {
            setOlder([]);
            setDone(false);
            first.reload();
          }}
        >
          Refresh
        </button>
      </p>
      <ErrorMessage message={first.error} onRetry={first.reload} />
      {first.data !== undefined && entries.length === 0 ? (
        <Empty title="Nothing changed yet">
          Every change made through the API is recorded here.
        </Empty>
      ) : null}
      {entries.length > 0 ? (
        <table className="list" aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td title={formatDateTime(e.at)}>
                  <RelativeTime at={e.at} now={now} />
                </td>
                <td>{e.actor}</td>
                <td className="mono">{e.action}</td>
                <td className="mono">{e.target}</td>
                <td className="mono details">
                  {e.details === null ? "" : JSON.stringify(e.details)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <ErrorMessage message={error} />
      {entries.length >= PAGE && !done ? (
        <button type="button" onClick={() => void loadMore()}>
          Older entries
        </button>
      ) : null}
    </div>
  );
}
