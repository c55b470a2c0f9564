/**
 * The agents table: search, label selector (filtered by the server), status
 * filter, sortable columns, and virtualised rows so 10,000+ agents stay
 * fast. Rows update live from the event stream.
 */
import { useEffect, useMemo, useState } from "react";
import { describeError } from "../api/errors.js";
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
import {
  agentHost,
  agentName,
  agentType,
  agentVersion,
  healthState,
  matchesSearch,
  matchesStatus,
  type SortKey,
  type StatusFilter,
  sortAgents,
} from "../lib/agent-fields.js";
import { formatCount, plural } from "../lib/format.js";

const COLUMNS: readonly [SortKey, string][] = [
  ["name", "Name"],
  ["type", "Type"],
  ["version", "Version"],
  ["host", "Host"],
  ["health", "Health"],
  ["config", "Config"],
  ["lastSeen", "Last seen"],
];

const ROW_HEIGHT = 40;

/** Server-side selector filtering: the ids matching `selector`, re-asked when the fleet changes. */
function useSelectorIds(selector: string, revision: number) {
  const { api } = useApp();
  const [state, setState] = useState<{ ids: Set<string> | undefined; error: string | undefined }>({
    ids: undefined,
    error: undefined,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision re-asks the server after fleet changes
  useEffect(() => {
    const text = selector.trim();
    if (text === "") {
      setState({ ids: undefined, error: undefined });
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      api.listAgents(text).then(
        (list) => {
          if (!cancelled) setState({ ids: new Set(list.map((a) => a.id)), error: undefined });
        },
        (error: unknown) => {
          if (!cancelled) setState({ ids: new Set(), error: describeError(error) });
        },
      );
    }, 300);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, selector, revision]);
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
  const [status, setStatus] = useState<StatusFilter>("all");
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: "name", desc: false });
  const selected = useSelectorIds(selector, revision);
  const viewport = useViewportHeight();
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision changes with every agent change
  const rows = useMemo(() => {
    const filtered = [...agents.values()].filter(
      (a) =>
        (selected.ids === undefined || selected.ids.has(a.id)) &&
        matchesStatus(a, status) &&
        matchesSearch(a, search),
    );
    return sortAgents(filtered, sort.key, sort.desc);
  }, [revision, selected.ids, status, search, sort]);
  const total = agents.size;
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
            aria-invalid={selected.error !== undefined}
            onChange={(e) => setSelector(e.target.value)}
          />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as StatusFilter)}>
            <option value="all">All</option>
            <option value="connected">Connected</option>
            <option value="disconnected">Disconnected</option>
            <option value="unhealthy">Unhealthy</option>
            <option value="config-failed">Config failed</option>
            <option value="config-applying">Config applying</option>
          </select>
        </label>
      </form>
      <ErrorMessage message={selected.error} />
      <ErrorMessage message={loadError} />
      <p className="muted" role="status">
        {loaded
          ? `Showing ${formatCount(rows.length)} of ${plural(total, "agent")}`
          : "Loading agents…"}
      </p>
      {loaded && total === 0 ? (
        <Empty title="No agents yet">Agents appear here live as soon as they connect.</Empty>
      ) : loaded && rows.length === 0 ? (
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
                  aria-sort={sort.key === key ? (sort.desc ? "descending" : "ascending") : "none"}
                >
                  <button
                    type="button"
                    className="sort"
                    onClick={() =>
                      setSort((s) => ({ key, desc: s.key === key ? !s.desc : key === "lastSeen" }))
                    }
                  >
                    {label}
                    {sort.key === key ? (sort.desc ? " ▼" : " ▲") : ""}
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
