/**
 * Agent actions: restart (S-19, needs AcceptsRestartCommand), edit user
 * labels, send a custom message (S-22) and watch the agent's replies arrive
 * on the event stream.
 */
import { useEffect, useState } from "react";
import { describeError } from "../api/errors.js";
import type { Agent } from "../api/types.js";
import { useApp } from "../app/context.js";
import { useNow } from "../app/hooks.js";
import { ErrorMessage, RelativeTime } from "../components/common.js";
import { decodeBase64Text, encodeBase64Text } from "../lib/base64.js";
import { formatLabels, parseLabels } from "../lib/labels.js";

/** How the last action of a panel ended: failed with a message, or done with one. */
interface Outcome {
  readonly error?: string;
  readonly done?: string;
}

/** A panel's last outcome, and `run`, which clears it, runs an action and records how it ended. */
function useOutcome() {
  const [outcome, setOutcome] = useState<Outcome>({});
  const run = async (action: () => Promise<string>) => {
    setOutcome({});
    try {
      setOutcome({ done: await action() });
    } catch (e) {
      setOutcome({ error: describeError(e) });
    }
  };
  return { outcome, setOutcome, run };
}

function OutcomeMessage({ outcome }: { outcome: Outcome }) {
  return (
    <>
      <ErrorMessage message={outcome.error} />
      {outcome.done !== undefined ? (
        <p role="status" className="success">
          {outcome.done}
        </p>
      ) : null}
    </>
  );
}

function Restart({ agent }: { agent: Agent }) {
  const { api } = useApp();
  const { outcome, run } = useOutcome();
  const supported = agent.capabilities.includes("AcceptsRestartCommand");
  return (
    <div>
      <h3>Restart</h3>
      <button
        type="button"
        disabled={!supported}
        onClick={() =>
          void run(async () => {
            await api.restart(agent.id);
            return agent.connected
              ? "Restart command sent."
              : "Restart queued until the agent connects.";
          })
        }
      >
        Restart agent
      </button>
      {!supported ? <p className="muted">The agent does not accept restart commands.</p> : null}
      <OutcomeMessage outcome={outcome} />
    </div>
  );
}

function Labels({ agent }: { agent: Agent }) {
  const { api, store } = useApp();
  const [text, setText] = useState(() => formatLabels(agent.userLabels));
  const { outcome, setOutcome, run } = useOutcome();
  const save = async () => {
    const parsed = parseLabels(text);
    if (!parsed.ok) {
      setOutcome({ error: `Line ${parsed.line}: ${parsed.message}` });
      return;
    }
    await run(async () => {
      store.put(await api.setLabels(agent.id, parsed.labels));
      return "Labels saved.";
    });
  };
  return (
    <form
      aria-label="Edit labels"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3>User labels</h3>
      <label htmlFor="labels-text">
        One key=value per line (selectors match them with the attributes)
      </label>
      <textarea
        id="labels-text"
        className="code-input"
        rows={4}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
      <OutcomeMessage outcome={outcome} />
      <button type="submit">Save labels</button>
    </form>
  );
}

interface Reply {
  readonly at: number;
  readonly capability: string;
  readonly type: string;
  readonly text: string;
}

function Messages({ agent }: { agent: Agent }) {
  const { api, store } = useApp();
  const now = useNow();
  const [capability, setCapability] = useState(agent.customCapabilities[0] ?? "");
  const [type, setType] = useState("");
  const [data, setData] = useState("");
  const { outcome, run } = useOutcome();
  const [replies, setReplies] = useState<Reply[]>([]);
  useEffect(
    () =>
      store.onEvent((e) => {
        if (e.type === "agent.customMessage" && e.agentId === agent.id) {
          setReplies((r) => [
            {
              at: Date.now(),
              capability: e.capability,
              type: e.messageType,
              text: decodeBase64Text(e.data),
            },
            ...r,
          ]);
        }
      }),
    [store, agent.id],
  );
  const send = () =>
    run(async () => {
      await api.sendMessage(agent.id, { capability, type, data: encodeBase64Text(data) });
      return "Message sent; replies appear below.";
    });
  return (
    <form
      aria-label="Send a custom message"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <h3>Custom message</h3>
      <div className="row-fields">
        <label>
          Capability
          <input
            list="custom-caps"
            value={capability}
            onChange={(e) => setCapability(e.target.value)}
            required
          />
          <datalist id="custom-caps">
            {agent.customCapabilities.map((c) => (
              <option key={c} value={c} />
            ))}
          </datalist>
        </label>
        <label>
          Type
          <input value={type} onChange={(e) => setType(e.target.value)} />
        </label>
      </div>
      <label htmlFor="msg-data">Payload (text)</label>
      <textarea
        id="msg-data"
        className="code-input"
        rows={3}
        value={data}
        onChange={(e) => setData(e.target.value)}
      />
      <OutcomeMessage outcome={outcome} />
      <button type="submit" disabled={capability.trim() === ""}>
        Send message
      </button>
      <h4>Replies</h4>
      {replies.length === 0 ? (
        <p className="muted">No replies since this page opened.</p>
      ) : (
        <ol className="events" aria-label="Replies">
          {replies.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: newest first, never reordered
            <li key={i}>
              <RelativeTime at={r.at} now={now} /> <strong>{r.capability}</strong> {r.type}:{" "}
              <code>{r.text}</code>
            </li>
          ))}
        </ol>
      )}
    </form>
  );
}

/** The actions section of the agent page. */
export function AgentActions({ agent }: { agent: Agent }) {
  return (
    <section className="card" aria-labelledby="actions-h">
      <h2 id="actions-h">Actions</h2>
      <div className="grid3">
        <Restart agent={agent} />
        <Labels agent={agent} />
        <Messages agent={agent} />
      </div>
    </section>
  );
}
