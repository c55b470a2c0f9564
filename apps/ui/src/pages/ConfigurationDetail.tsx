/**
 * One configuration: its versions with per-version rollout status
 * (applied / applying / failed / pending, live), the content of a version,
 * an editor for a new version, diffs, and its assignments.
 */
import { useMemo, useState } from "react";
import type { ConfigurationVersion } from "../api/types.js";
import { useApp } from "../app/context.js";
import { useAsync, useFleet, useNow } from "../app/hooks.js";
import { useYamlForm } from "../app/yaml-form.js";
import { Empty, ErrorMessage, RelativeTime } from "../components/common.js";
import { YamlEditor } from "../components/YamlEditor.js";
import { YamlView } from "../components/YamlView.js";
import { agentName } from "../lib/agent-fields.js";
import { formatCount, shortHash } from "../lib/format.js";
import { rolloutState, rolloutTotals, targetedAgents } from "../lib/rollout.js";
import { ConfigAssignments } from "./ConfigAssignments.js";
import { ConfigDiff } from "./ConfigDiff.js";

function NewVersion({
  configurationId,
  latest,
  onSaved,
}: {
  configurationId: string;
  latest: ConfigurationVersion | undefined;
  onSaved: (v: ConfigurationVersion) => void;
}) {
  const { api } = useApp();
  const names = Object.keys(latest?.files ?? {}).sort();
  const [fileName, setFileName] = useState(names[0] ?? "collector.yaml");
  const form = useYamlForm(latest?.files[names[0] ?? ""]?.body ?? "");
  const save = () =>
    form.submit(async () => {
      const files = {
        ...(latest?.files ?? {}),
        [fileName]: { body: form.body, contentType: "text/yaml" },
      };
      onSaved(await api.addVersion(configurationId, files));
    });
  return (
    <form
      aria-label="New version"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label>
        File
        <input
          list="version-files"
          value={fileName}
          onChange={(e) => {
            const next = e.target.value;
            setFileName(next);
            const existing = latest?.files[next];
            if (existing !== undefined) form.setBody(existing.body);
          }}
          required
        />
        <datalist id="version-files">
          {names.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      </label>
      <YamlEditor label="New version (YAML)" {...form.editor} />
      <ErrorMessage message={form.error} />
      <p className="hint">
        {names.length > 1 ? "Other files are kept from the latest version. " : ""}Versions are
        immutable; saving pushes the new version to every agent assigned the latest version.
      </p>
      <button type="submit" disabled={form.busy || fileName.trim() === ""}>
        Save new version
      </button>
    </form>
  );
}

function Rollout({ version }: { version: ConfigurationVersion }) {
  const { agents, revision } = useFleet();
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision changes with every agent change
  const rows = useMemo(
    () =>
      targetedAgents(agents.values(), version)
        .map((a) => ({ agent: a, state: rolloutState(a, version.hash) }))
        .sort(
          (x, y) =>
            x.state.localeCompare(y.state) || agentName(x.agent).localeCompare(agentName(y.agent)),
        ),
    [revision, version],
  );
  if (rows.length === 0)
    return <p className="muted">No agent has this version as its desired config.</p>;
  return (
    <table className="list" aria-label={`Agents on version ${version.version}`}>
      <thead>
        <tr>
          <th scope="col">Agent</th>
          <th scope="col">State</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, 200).map(({ agent, state }) => (
          <tr key={agent.id} className={state === "failed" ? "row-bad" : undefined}>
            <td>
              <a href={`#/agents/${encodeURIComponent(agent.id)}`}>{agentName(agent)}</a>
            </td>
            <td>
              <span className={`badge state-${state}`}>{state}</span>
            </td>
            <td>{state === "failed" ? agent.remoteConfigStatus.errorMessage : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The configuration detail screen. */
export function ConfigurationDetail({ id }: { id: string }) {
  const { api } = useApp();
  const { agents, revision } = useFleet();
  const now = useNow();
  const config = useAsync(() => api.getConfiguration(id), [api, id]);
  const versions = useAsync(() => api.listVersions(id), [api, id]);
  const [selected, setSelected] = useState<number | undefined>(undefined);
  const [editing, setEditing] = useState(false);
  const list = useMemo(
    () => [...(versions.data ?? [])].sort((a, b) => b.version - a.version),
    [versions.data],
  );
  const latest = list[0];
  const shown = list.find((v) => v.version === selected) ?? latest;
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision changes with every agent change
  const totals = useMemo(
    () => new Map(list.map((v) => [v.version, rolloutTotals(agents.values(), v)])),
    [list, revision],
  );
  if (config.error !== undefined) {
    return (
      <div className="page">
        <p>
          <a href="#/configurations">← Configurations</a>
        </p>
        <ErrorMessage message={config.error} onRetry={config.reload} />
      </div>
    );
  }
  return (
    <div className="page">
      <p>
        <a href="#/configurations">← Configurations</a>
      </p>
      <h1>{config.data?.name ?? "Configuration"}</h1>
      {config.data?.description ? <p>{config.data.description}</p> : null}
      <ErrorMessage message={versions.error} onRetry={versions.reload} />
      <section className="card" aria-labelledby="versions-h">
        <h2 id="versions-h">Versions and rollout</h2>
        {versions.data !== undefined && list.length === 0 ? (
          <Empty title="No versions yet">Save a first version below.</Empty>
        ) : (
          <table className="list" aria-label="Versions">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Hash</th>
                <th scope="col">Created</th>
                <th scope="col">Applied</th>
                <th scope="col">Applying</th>
                <th scope="col">Failed</th>
                <th scope="col">Pending</th>
                <th scope="col">
                  <span className="sr-only">Show</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((v) => {
                const t = totals.get(v.version);
                return (
                  <tr
                    key={v.version}
                    aria-selected={shown?.version === v.version}
                    data-version={v.version}
                  >
                    <td>v{v.version}</td>
                    <td className="mono">{shortHash(v.hash)}</td>
                    <td>
                      <RelativeTime at={v.createdAt} now={now} /> by {v.createdBy}
                    </td>
                    <td className="num good-text" data-col="applied">
                      {formatCount(t?.applied ?? 0)}
                    </td>
                    <td className="num" data-col="applying">
                      {formatCount(t?.applying ?? 0)}
                    </td>
                    <td className={`num ${t?.failed ? "bad-text" : ""}`} data-col="failed">
                      {formatCount(t?.failed ?? 0)}
                    </td>
                    <td className="num" data-col="pending">
                      {formatCount(t?.pending ?? 0)}
                    </td>
                    <td>
                      <button type="button" className="link" onClick={() => setSelected(v.version)}>
                        Show v{v.version}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        <p>
          <button type="button" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
            {editing ? "Close editor" : "New version"}
          </button>
        </p>
        {editing ? (
          <NewVersion
            key={latest?.version ?? 0}
            configurationId={id}
            latest={latest}
            onSaved={(v) => {
              setEditing(false);
              setSelected(v.version);
              versions.reload();
              config.reload();
            }}
          />
        ) : null}
      </section>
      {shown !== undefined ? (
        <section className="card" aria-labelledby="shown-h">
          <h2 id="shown-h">
            Version {shown.version} <span className="mono muted">{shortHash(shown.hash)}</span>
          </h2>
          {Object.keys(shown.files)
            .sort()
            .map((name) => (
              <div key={name}>
                <h3 className="mono">{name}</h3>
                <YamlView
                  text={shown.files[name]!.body}
                  label={`Version ${shown.version} ${name}`}
                />
              </div>
            ))}
          <h3>Agents on this version</h3>
          <Rollout version={shown} />
        </section>
      ) : null}
      {list.length > 0 ? <ConfigDiff versions={list} /> : null}
      <ConfigAssignments configurationId={id} versions={list} />
    </div>
  );
}
