/**
 * One agent: identity, connection, capabilities, labels, health tree,
 * config (status, history, effective config, override) and actions. Kept
 * current by the event stream.
 */
import { type MouseEvent, useEffect } from "react";
import type { JsonValue, PackageStatus } from "../api/types.js";
import { useApp } from "../app/context.js";
import { navigate, useFleet, useNow } from "../app/hooks.js";
import {
  ConfigStatusBadge,
  ConnectionBadge,
  Empty,
  ErrorMessage,
  HealthBadge,
  KeyValueTable,
  RelativeTime,
} from "../components/common.js";
import { HealthTree } from "../components/HealthTree.js";
import { agentName, healthState } from "../lib/agent-fields.js";
import { AgentActions } from "./AgentActions.js";
import { AgentConfig } from "./AgentConfig.js";

function packageRows(statuses: JsonValue): [string, PackageStatus][] {
  if (typeof statuses !== "object" || statuses === null || Array.isArray(statuses)) return [];
  const packages = (statuses as { packages?: Record<string, PackageStatus> }).packages;
  return packages === undefined
    ? []
    : Object.entries(packages).sort(([a], [b]) => a.localeCompare(b));
}

/** Scrolls to and focuses a section heading (hash links are taken by the router). */
function jumpTo(id: string) {
  return (e: MouseEvent) => {
    e.preventDefault();
    const target = document.getElementById(id);
    if (target === null) return;
    target.tabIndex = -1;
    target.scrollIntoView();
    target.focus();
  };
}

/** The agent detail screen. */
export function AgentDetail({ id }: { id: string }) {
  const { agents, loaded, loadError } = useFleet();
  const { store } = useApp();
  const now = useNow();
  // A new instance uid (S-17) re-keys the agent: follow it.
  useEffect(
    () =>
      store.onEvent((e) => {
        if (e.type === "agent.renamed" && e.agentId === id) {
          navigate(`/agents/${encodeURIComponent(e.newAgentId)}`);
        }
      }),
    [store, id],
  );
  const agent = agents.get(id);
  if (agent === undefined) {
    return (
      <div className="page">
        <p>
          <a href="#/agents">← Agents</a>
        </p>
        <ErrorMessage message={loadError} />
        {loaded ? (
          <Empty title="No such agent">
            No agent has the instance uid <code>{id}</code>. It may have been given a new one.
          </Empty>
        ) : (
          <p className="muted">Loading…</p>
        )}
      </div>
    );
  }
  const packages = packageRows(agent.packageStatuses);
  return (
    <div className="page">
      <p>
        <a href="#/agents">← Agents</a>
      </p>
      <h1>
        {agentName(agent)} <ConnectionBadge connected={agent.connected} />{" "}
        <HealthBadge state={healthState(agent)} />{" "}
        <ConfigStatusBadge status={agent.remoteConfigStatus.status} />
      </h1>
      <p className="muted mono">{agent.id}</p>
      <nav className="jump" aria-label="Sections of this agent">
        <a href={`#/agents/${encodeURIComponent(agent.id)}`} onClick={jumpTo("health-h")}>
          Health
        </a>
        <a href={`#/agents/${encodeURIComponent(agent.id)}`} onClick={jumpTo("config-h")}>
          Configuration
        </a>
        <a href={`#/agents/${encodeURIComponent(agent.id)}`} onClick={jumpTo("pkg-h")}>
          Packages
        </a>
        <a href={`#/agents/${encodeURIComponent(agent.id)}`} onClick={jumpTo("actions-h")}>
          Actions
        </a>
      </nav>
      <div className="grid2">
        <section className="card" aria-labelledby="conn-h">
          <h2 id="conn-h">Connection</h2>
          <table className="kv">
            <tbody>
              <tr>
                <th scope="row">State</th>
                <td>{agent.connected ? "connected" : "disconnected"}</td>
              </tr>
              <tr>
                <th scope="row">Transport</th>
                <td>{agent.transport ?? "—"}</td>
              </tr>
              <tr>
                <th scope="row">Remote address</th>
                <td>{agent.remoteAddress ?? "—"}</td>
              </tr>
              <tr>
                <th scope="row">Connected since</th>
                <td>
                  <RelativeTime at={agent.connectedSince} now={now} />
                </td>
              </tr>
              <tr>
                <th scope="row">Last seen</th>
                <td>
                  <RelativeTime at={agent.lastSeenAt} now={now} />
                </td>
              </tr>
              <tr>
                <th scope="row">First seen</th>
                <td>
                  <RelativeTime at={agent.firstSeenAt} now={now} />
                </td>
              </tr>
            </tbody>
          </table>
        </section>
        <section className="card" aria-labelledby="caps-h">
          <h2 id="caps-h">Capabilities</h2>
          {agent.capabilities.length === 0 ? (
            <p className="muted">None reported.</p>
          ) : (
            <ul className="chips">
              {agent.capabilities.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          )}
          <h3>Custom capabilities</h3>
          {agent.customCapabilities.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul className="chips">
              {agent.customCapabilities.map((c) => (
                <li key={c}>{c}</li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <div className="grid2">
        <section className="card">
          <KeyValueTable
            caption="Identifying attributes"
            values={agent.description.identifyingAttributes}
            empty="None reported."
          />
          <KeyValueTable
            caption="Non-identifying attributes"
            values={agent.description.nonIdentifyingAttributes}
            empty="None reported."
          />
        </section>
        <section className="card">
          <KeyValueTable
            caption="Labels (user labels and attributes)"
            values={agent.labels}
            empty="No labels."
          />
        </section>
      </div>
      <section className="card" aria-labelledby="health-h">
        <h2 id="health-h">Health</h2>
        <HealthTree health={agent.health} now={now} />
      </section>
      <AgentConfig agent={agent} />
      <section className="card" aria-labelledby="pkg-h">
        <h2 id="pkg-h">Packages</h2>
        {packages.length === 0 ? (
          <p className="muted">No package statuses reported.</p>
        ) : (
          <table className="list">
            <thead>
              <tr>
                <th scope="col">Package</th>
                <th scope="col">Has</th>
                <th scope="col">Offered</th>
                <th scope="col">Status</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {packages.map(([name, p]) => (
                <tr key={name} className={p.errorMessage !== "" ? "row-bad" : undefined}>
                  <td>{name}</td>
                  <td>{p.agentHasVersion || "—"}</td>
                  <td>{p.serverOfferedVersion || "—"}</td>
                  <td>{p.status}</td>
                  <td>{p.errorMessage}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <AgentActions agent={agent} />
    </div>
  );
}
