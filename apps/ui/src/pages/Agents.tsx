/**
 * The agents table: search, label selector, status filter and sortable
 * columns, all done by the server (`GET /api/v1/agents`), and virtualised
 * rows so 10,000+ agents stay fast. Rows update live from the event stream;
 * which agents match is asked again as the fleet changes.
 */
import { useEffect, useMemo, useState } from "react";
import { AgentQuery, type AgentQueryState, patchRows, STATUS_FILTERS } from "../api/agent-query.js";
import type { AgentListParams, AgentSortKey } from "../api/types.js";
import { useApp } from "../app/context.js";
import { useFleet, useNow } from "../app/hooks.js";
import {
  ConfigStatusBadge,
  ConnectionBadge,
  Empty,
  ErrorMessage,
  HealthBadge,
  RelativeTime,
} from "../components/common.js";
import { VirtualTable } from "../components/VirtualTable.js";
import { agentHost, agentName, agentType, agentVersion, healthState } from "../lib/agent-fields.js";
import { formatCount, plural } from "../lib/format.js";

const COLUMNS: readonly [AgentSortKey, string][] = [
  ["name", "Name"],
  ["type", "Type"],
  ["version", "Version"],
  ["host", "Host"],
  ["health", "Health"],
  ["configStatus", "Config"],
  ["lastSeen", "Last seen"],
];

const ROW_HEIGHT = 40;

/**
 * The server's answer for the table's filters and sort: asked again when the
 * filters change (debounced) and, throttled, when the live fleet changes.
 */
function useAgentQuery(params: AgentListParams, revision: number): AgentQueryState {
  const { api } = useApp();
  const [state, setState] = useState<AgentQueryState>({ page: undefined, error: undefined });
  const [query, setQuery] = useState<AgentQuery | undefined>(undefined);
  useEffect(() => {
    const q = new AgentQuery(api, setState);
    setQuery(q);
    return () => q.dispose();
  }, [api]);
  const key = JSON.stringify(params);
  // biome-ignore lint/correctness/useExhaustiveDependencies: key stands for params
  useEffect(() => query?.setParams(params), [query, key]);
  useEffect(() => {
    if (revision > 0) query?.fleetChanged();
  }, [query, revision]);
  return state;
}

function useViewportHeight(): number {
  const [h, setH] = useState(() => window.innerHeight);
  useEffect(() => {
    const on = () => setH(window.innerHeight);
    window.addEventListener("resize", on);
    return () => window.removeEventListener("resize", on);
  }, []);
  return h;
}

/** The agents screen. */
export function Agents() {
  const { agents, revision, loaded, loadError } = useFleet();
  const now = useNow();
  const [search, setSearch] = useState("");
  const [selector, setSelector] = useState("");
  const [status, setStatus] = useState("all");
  const [sort, setSort] = useState<{ key: AgentSortKey; descending: boolean }>({
    key: "name",
    descending: false,
  });
  const params = useMemo(
    () => ({
      q: search,
      selector,
      statuses: STATUS_FILTERS.find((f) => f.value === status)?.statuses ?? [],
      sort,
    }),
    [search, selector, status, sort],
  );
  const answer = useAgentQuery(params, revision);
  const viewport = useViewportHeight();
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision changes with every agent change
  const rows = useMemo(() => patchRows(answer.page?.agents ?? [], agents), [answer.page, revision]);
  const total = agents.size;
  const ready = loaded && (answer.page !== undefined || answer.error !== undefined);
  return (
    <div className="page">
      <h1>Agents</h1>
      <form className="filters" aria-label="Filter agents" onSubmit={(e) => e.preventDefault()}>
        <label>
          Search
          <input
            type="search"
            value={search}
            placeholder="name, host, id, label…"
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label>
          Label selector
          <input
            type="text"
            value={selector}
            placeholder="env=prod,region in (eu,us)"
            aria-invalid={answer.error?.includes("selector") === true}
            onChange={(e) => setSelector(e.target.value)}
          />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            {STATUS_FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
      </form>
      <ErrorMessage message={answer.error} />
      <ErrorMessage message={loadError} />
      <p className="muted" role="status">
        {ready
          ? `Showing ${formatCount(answer.page?.total ?? 0)} of ${plural(total, "agent")}`
          : "Loading agents…"}
      </p>
      {loaded && total === 0 ? (
        <Empty title="No agents yet">Agents appear here live as soon as they connect.</Empty>
      ) : ready && rows.length === 0 ? (
        <Empty title="No agent matches">
          Change the search, the selector or the status filter.
        </Empty>
      ) : (
        <VirtualTable
          label="Agents"
          className="agents-table"
          columns={COLUMNS.length}
          itemCount={rows.length}
          rowHeight={ROW_HEIGHT}
          height={Math.max(320, viewport - 250)}
          header={
            <tr aria-rowindex={1}>
              {COLUMNS.map(([key, label]) => (
                <th
                  scope="col"
                  key={key}
                  aria-sort={
                    sort.key === key ? (sort.descending ? "descending" : "ascending") : "none"
                  }
                >
                  <button
                    type="button"
                    className="sort"
                    onClick={() =>
                      setSort((s) => ({
                        key,
                        descending: s.key === key ? !s.descending : key === "lastSeen",
                      }))
                    }
                  >
                    {label}
                    {sort.key === key ? (sort.descending ? " ▼" : " ▲") : ""}
                  </button>
                </th>
              ))}
            </tr>
          }
          renderRow={(i) => {
            const a = rows[i]!;
            return (
              <tr key={a.id} aria-rowindex={i + 2} style={{ height: ROW_HEIGHT }}>
                <td className="name-cell">
                  <a href={`#/agents/${encodeURIComponent(a.id)}`} title={a.id}>
                    {agentName(a)}
                  </a>{" "}
                  <ConnectionBadge connected={a.connected} />
                </td>
                <td>{agentType(a)}</td>
                <td>{agentVersion(a)}</td>
                <td>{agentHost(a)}</td>
                <td>
                  <HealthBadge state={healthState(a)} />
                </td>
                <td>
                  <ConfigStatusBadge status={a.remoteConfigStatus.status} />
                </td>
                <td>
                  <RelativeTime at={a.lastSeenAt} now={now} />
                </td>
              </tr>
            );
          }}
        />
      )}
    </div>
  );
}
