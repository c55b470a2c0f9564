/**
 * Diffs for a configuration: between two of its versions, and between a
 * version and the effective config an agent reports (is the agent really
 * running what we sent?).
 */
import { useMemo, useState } from "react";
import type { ConfigurationVersion } from "../api/types.js";
import { useFleet } from "../app/hooks.js";
import { DiffView } from "../components/DiffView.js";
import { agentName } from "../lib/agent-fields.js";
import { filesToText } from "../lib/diff.js";

/** The diff section. `versions` is newest first and not empty. */
export function ConfigDiff({ versions }: { versions: readonly ConfigurationVersion[] }) {
  const { agents, revision } = useFleet();
  const newest = versions[0]!;
  const [from, setFrom] = useState((versions[1] ?? newest).version);
  const [to, setTo] = useState(newest.version);
  const [agentId, setAgentId] = useState("");
  const [desiredVersion, setDesiredVersion] = useState(newest.version);
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision changes with every agent change
  const candidates = useMemo(
    () =>
      [...agents.values()]
        .filter((a) => a.effectiveConfig !== null)
        .sort((a, b) => agentName(a).localeCompare(agentName(b)))
        .slice(0, 500),
    [revision],
  );
  const byNumber = (n: number) => versions.find((v) => v.version === n) ?? newest;
  const agent = agentId === "" ? undefined : agents.get(agentId);
  const versionOptions = versions.map((v) => (
    <option key={v.version} value={v.version}>
      v{v.version}
    </option>
  ));
  return (
    <section className="card" aria-labelledby="diff-h">
      <h2 id="diff-h">Compare</h2>
      <div className="row-fields">
        <label>
          From version
          <select value={from} onChange={(e) => setFrom(Number(e.target.value))}>
            {versionOptions}
          </select>
        </label>
        <label>
          To version
          <select value={to} onChange={(e) => setTo(Number(e.target.value))}>
            {versionOptions}
          </select>
        </label>
      </div>
      <DiffView
        before={filesToText(byNumber(from).files)}
        after={filesToText(byNumber(to).files)}
        beforeLabel={`v${from}`}
        afterLabel={`v${to}`}
      />
      <h3>Desired vs an agent's effective config</h3>
      <div className="row-fields">
        <label>
          Desired version
          <select
            value={desiredVersion}
            onChange={(e) => setDesiredVersion(Number(e.target.value))}
          >
            {versionOptions}
          </select>
        </label>
        <label>
          Agent
          <select value={agentId} onChange={(e) => setAgentId(e.target.value)}>
            <option value="">Choose an agent…</option>
            {candidates.map((a) => (
              <option key={a.id} value={a.id}>
                {agentName(a)} ({a.id.slice(0, 8)})
              </option>
            ))}
          </select>
        </label>
      </div>
      {candidates.length === 0 ? (
        <p className="muted">No agent reports an effective config yet.</p>
      ) : agent === undefined ? null : (
        <DiffView
          before={filesToText(byNumber(desiredVersion).files)}
          after={filesToText(agent.effectiveConfig?.files ?? {})}
          beforeLabel={`desired v${desiredVersion}`}
          afterLabel={`${agentName(agent)} effective`}
        />
      )}
    </section>
  );
}
