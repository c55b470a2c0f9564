/**
 * The config part of the agent page: reported status with the agent's error
 * message, the desired config and where it comes from, the status history,
 * the effective config (read-only), a diff of the desired config (assigned
 * version or override) vs the effective one, and an editor to set a
 * per-agent config (override) that is pushed at once (S-12).
 */
import { useEffect, useMemo, useState } from "react";
import { ApiError, describeError } from "../api/errors.js";
import type { Agent, ConfigFiles } from "../api/types.js";
import { useApp } from "../app/context.js";
import { useAsync, useNow } from "../app/hooks.js";
import { ConfigStatusBadge, Empty, ErrorMessage, RelativeTime } from "../components/common.js";
import { DiffView } from "../components/DiffView.js";
import { YamlEditor } from "../components/YamlEditor.js";
import { YamlView } from "../components/YamlView.js";
import { filesToText } from "../lib/diff.js";
import { formatDateTime, shortHash } from "../lib/format.js";
import {
  checkYaml,
  isYamlFile,
  mergeProblems,
  problemFromApiError,
  type YamlProblem,
} from "../lib/yaml-check.js";

function DesiredVsEffective({ agent }: { agent: Agent }) {
  const { api } = useApp();
  const desired = agent.desiredConfig;
  const version = useAsync(async (): Promise<ConfigFiles | null | undefined> => {
    if (desired === null) return undefined;
    if (desired.source === "override") {
      // Null: the override was removed after this agent view was sent.
      return (await api.getAgentOverride(agent.id))?.files ?? null;
    }
    if (desired.configurationId === null) return undefined;
    const number =
      desired.version ?? (await api.getConfiguration(desired.configurationId)).latestVersion;
    return (await api.getVersion(desired.configurationId, number)).files;
  }, [api, agent.id, desired?.source, desired?.configurationId, desired?.version, desired?.hash]);
  if (desired === null) return <p className="muted">No configuration targets this agent.</p>;
  if (version.error !== undefined)
    return <ErrorMessage message={version.error} onRetry={version.reload} />;
  if (version.data === null) return <p className="muted">This agent no longer has an override.</p>;
  if (version.data === undefined) return <p className="muted">Loading the desired config…</p>;
  return (
    <DiffView
      before={filesToText(version.data)}
      after={filesToText(agent.effectiveConfig?.files ?? {})}
      beforeLabel={
        desired.source === "override"
          ? `desired (override ${shortHash(desired.hash)})`
          : `desired (version ${desired.version ?? "latest"})`
      }
      afterLabel="effective"
    />
  );
}

function History({ agent }: { agent: Agent }) {
  const { api, store } = useApp();
  const now = useNow();
  const history = useAsync(() => api.configHistory(agent.id), [api, agent.id]);
  const { reload } = history;
  useEffect(
    () =>
      store.onEvent((e) => {
        if (e.type === "agent.configStatus" && e.agentId === agent.id) reload();
      }),
    [store, agent.id, reload],
  );
  if (history.error !== undefined) return <ErrorMessage message={history.error} onRetry={reload} />;
  const entries = history.data ?? [];
  if (entries.length === 0) {
    return (
      <p className="muted">
        {history.loading ? "Loading…" : "The agent has not reported a config status yet."}
      </p>
    );
  }
  return (
    <table className="list" aria-label="Config status history">
      <thead>
        <tr>
          <th scope="col">When</th>
          <th scope="col">Config</th>
          <th scope="col">Status</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {entries.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: history entries have no id
          <tr key={i} className={e.status === "FAILED" ? "row-bad" : undefined}>
            <td title={formatDateTime(e.at)}>
              <RelativeTime at={e.at} now={now} />
            </td>
            <td className="mono">{shortHash(e.configHash)}</td>
            <td>
              <ConfigStatusBadge status={e.status} />
            </td>
            <td>{e.errorMessage}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OverrideEditor({ agent }: { agent: Agent }) {
  const { api } = useApp();
  const effective = agent.effectiveConfig?.files ?? {};
  const firstName = Object.keys(effective).sort()[0] ?? "config.yaml";
  const [fileName, setFileName] = useState(firstName);
  const [body, setBody] = useState(effective[firstName]?.body ?? "");
  const [serverProblem, setServerProblem] = useState<YamlProblem | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [result, setResult] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const yaml = isYamlFile(fileName, "text/yaml");
  const local = useMemo(() => (yaml ? checkYaml(body) : []), [body, yaml]);
  const problems = mergeProblems(serverProblem, local);
  const push = async () => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    setServerProblem(undefined);
    try {
      const hash = await api.setAgentConfig(agent.id, {
        [fileName]: { body, contentType: "text/yaml" },
      });
      setResult(`Pushed config ${shortHash(hash)}; the status above follows the agent's answer.`);
    } catch (err) {
      setError(describeError(err));
      if (err instanceof ApiError) setServerProblem(problemFromApiError(err));
    } finally {
      setBusy(false);
    }
  };
  const clear = async () => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      await api.clearAgentConfig(agent.id);
      setResult("Override removed; the agent gets its assigned configuration.");
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="override"
      aria-label="Set a per-agent config"
      onSubmit={(e) => {
        e.preventDefault();
        void push();
      }}
    >
      <label>
        File name
        <input value={fileName} onChange={(e) => setFileName(e.target.value)} required />
      </label>
      <YamlEditor
        label="Per-agent config (YAML)"
        value={body}
        onChange={(v) => {
          setBody(v);
          setServerProblem(undefined);
        }}
        problems={problems}
        rows={10}
      />
      <ErrorMessage message={error} />
      {result !== undefined ? (
        <p className="success" role="status">
          {result}
        </p>
      ) : null}
      <div className="buttons">
        <button type="submit" disabled={busy || fileName.trim() === ""}>
          Push to this agent
        </button>
        <button
          type="button"
          className="secondary"
          disabled={busy || agent.desiredConfig?.source !== "override"}
          onClick={() => void clear()}
        >
          Remove override
        </button>
      </div>
      {!agent.capabilities.includes("AcceptsRemoteConfig") ? (
        <p className="warn-text">
          This agent does not accept remote config (no AcceptsRemoteConfig capability).
        </p>
      ) : null}
    </form>
  );
}

/** A link to a configuration, named once its name is loaded. */
function ConfigurationLink({ id }: { id: string | null }) {
  const { api } = useApp();
  const config = useAsync(
    async () => (id === null ? undefined : api.getConfiguration(id)),
    [api, id],
  );
  if (id === null) return <span>configuration</span>;
  return (
    <a href={`#/configurations/${encodeURIComponent(id)}`}>
      configuration {config.data?.name ?? id.slice(0, 8)}
    </a>
  );
}

/** The config section of the agent page. */
export function AgentConfig({ agent }: { agent: Agent }) {
  const { api } = useApp();
  const [retry, setRetry] = useState<{ error?: string; done?: string }>({});
  const s = agent.remoteConfigStatus;
  const desired = agent.desiredConfig;
  const failedDesired = desired !== null && agent.failedConfigHashes.includes(desired.hash);
  const files = agent.effectiveConfig?.files ?? {};
  const names = Object.keys(files).sort();
  return (
    <section className="card" aria-labelledby="config-h">
      <h2 id="config-h">Configuration</h2>
      <p data-testid="config-status">
        Remote config status: <ConfigStatusBadge status={s.status} />{" "}
        <span className="mono">{shortHash(s.configHash)}</span>
      </p>
      {s.status === "FAILED" && s.errorMessage !== "" ? (
        <p className="error-inline" data-testid="config-error">
          The agent reported: {s.errorMessage}
        </p>
      ) : null}
      <p>
        Desired:{" "}
        {desired === null ? (
          <span className="muted">nothing assigned</span>
        ) : desired.source === "override" ? (
          <>per-agent override {shortHash(desired.hash)}</>
        ) : (
          <>
            <ConfigurationLink id={desired.configurationId} /> version {desired.version ?? "latest"}{" "}
            ({shortHash(desired.hash)})
          </>
        )}
      </p>
      {failedDesired ? (
        <p className="warn-text">
          The agent reported this config FAILED, so it is not pushed again until you retry. An agent
          that remembers this hash may ignore the same config; a new version gets a new hash.{" "}
          <button
            type="button"
            onClick={() => {
              setRetry({});
              api.retryAgentConfig(agent.id).then(
                (hash) => setRetry({ done: `Config ${shortHash(hash)} pushed again.` }),
                (e: unknown) => setRetry({ error: describeError(e) }),
              );
            }}
          >
            Retry
          </button>
        </p>
      ) : null}
      <ErrorMessage message={retry.error} />
      {retry.done !== undefined ? (
        <p className="success" role="status">
          {retry.done}
        </p>
      ) : null}
      <h3>Status history</h3>
      <History agent={agent} />
      <h3>Effective config</h3>
      {names.length === 0 ? (
        <Empty title="No effective config reported">
          The agent reports its effective config only with the ReportsEffectiveConfig capability.
        </Empty>
      ) : (
        names.map((name) => (
          <div key={name}>
            <h4 className="mono">{name}</h4>
            <YamlView text={files[name]!.body} label={`Effective config ${name}`} />
          </div>
        ))
      )}
      <h3>Desired vs effective</h3>
      <DesiredVsEffective agent={agent} />
      <h3>Set a per-agent config</h3>
      <OverrideEditor agent={agent} />
    </section>
  );
}
