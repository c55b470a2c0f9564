/**
 * The configurations list with each one's latest version and rollout, and a
 * form to create a configuration with its first version. YAML that does not
 * parse is marked at its line; the server refuses it too (400 with line).
 */
import { useMemo, useState } from "react";
import { useApp } from "../app/context.js";
import { navigate, useAsync, useFleet, useNow } from "../app/hooks.js";
import { useYamlForm } from "../app/yaml-form.js";
import { Empty, ErrorMessage, RelativeTime } from "../components/common.js";
import { YamlEditor } from "../components/YamlEditor.js";
import { formatCount } from "../lib/format.js";

const STARTER = `receivers:
  otlp:
    protocols:
      grpc: {}
exporters:
  debug: {}
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [debug]
`;

function NewConfiguration({ onCreated }: { onCreated: (id: string) => void }) {
  const { api } = useApp();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [fileName, setFileName] = useState("collector.yaml");
  const form = useYamlForm(STARTER);
  const create = () =>
    form.submit(async () => {
      const created = await api.createConfiguration({
        name: name.trim(),
        description,
        files: { [fileName]: { body: form.body, contentType: "text/yaml" } },
      });
      onCreated(created.id);
    });
  return (
    <form
      className="card"
      aria-label="New configuration"
      onSubmit={(e) => {
        e.preventDefault();
        void create();
      }}
    >
      <h2>New configuration</h2>
      <div className="row-fields">
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </label>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label>
          File name
          <input value={fileName} onChange={(e) => setFileName(e.target.value)} required />
        </label>
      </div>
      <YamlEditor label="First version (YAML)" {...form.editor} />
      <ErrorMessage message={form.error} />
      <button type="submit" disabled={form.busy || name.trim() === ""}>
        Create configuration
      </button>
    </form>
  );
}

/** The configurations screen. */
export function Configurations() {
  const { api } = useApp();
  const { agents, revision } = useFleet();
  const now = useNow();
  const configs = useAsync(() => api.listConfigurations(), [api]);
  const assignments = useAsync(() => api.listAssignments(), [api]);
  const [creating, setCreating] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision changes with every agent change
  const targeted = useMemo(() => {
    const counts = new Map<string, number>();
    for (const a of agents.values()) {
      const id = a.desiredConfig?.configurationId;
      if (id !== undefined && id !== null) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }, [revision]);
  const list = configs.data ?? [];
  return (
    <div className="page">
      <h1>Configurations</h1>
      <ErrorMessage message={configs.error} onRetry={configs.reload} />
      <ErrorMessage message={assignments.error} onRetry={assignments.reload} />
      <p>
        <button type="button" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          {creating ? "Cancel" : "New configuration"}
        </button>
      </p>
      {creating ? (
        <NewConfiguration
          onCreated={(id) => navigate(`/configurations/${encodeURIComponent(id)}`)}
        />
      ) : null}
      {configs.loading && configs.data === undefined ? (
        <p className="muted">Loading configurations…</p>
      ) : null}
      {configs.data !== undefined && list.length === 0 ? (
        <Empty title="No configurations yet">
          Create one, give it a version, then assign it to agents with a label selector.
        </Empty>
      ) : null}
      {list.length > 0 ? (
        <table className="list" aria-label="Configurations">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">Latest version</th>
              <th scope="col">Assignments</th>
              <th scope="col">Agents targeted</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={`#/configurations/${encodeURIComponent(c.id)}`}>{c.name}</a>
                </td>
                <td>{c.description}</td>
                <td>
                  {c.latestVersion === 0 ? (
                    <span className="muted">none</span>
                  ) : (
                    `v${c.latestVersion}`
                  )}
                </td>
                <td>
                  {formatCount(
                    (assignments.data ?? []).filter((a) => a.configurationId === c.id).length,
                  )}
                </td>
                <td>{formatCount(targeted.get(c.id) ?? 0)}</td>
                <td>
                  <RelativeTime at={c.createdAt} now={now} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
