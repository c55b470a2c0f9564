/**
 * Small building blocks: badges for connection, health and config status,
 * error and empty-state boxes, relative times and key/value tables.
 */
import type { ReactNode } from "react";
import type { JsonValue, RemoteConfigStatusName } from "../api/types.js";
import type { HealthState } from "../lib/agent-fields.js";
import { formatDateTime, formatRelative } from "../lib/format.js";

/** Connected / disconnected. */
export function ConnectionBadge({ connected }: { connected: boolean }) {
  return (
    <span className={`badge ${connected ? "good" : "muted"}`}>
      {connected ? "connected" : "disconnected"}
    </span>
  );
}

/** Healthy / unhealthy / unknown. */
export function HealthBadge({ state }: { state: HealthState }) {
  const tone = state === "healthy" ? "good" : state === "unhealthy" ? "bad" : "muted";
  return <span className={`badge ${tone}`}>{state}</span>;
}

/** APPLIED / APPLYING / FAILED / UNSET. */
export function ConfigStatusBadge({ status }: { status: RemoteConfigStatusName }) {
  const tone =
    status === "APPLIED"
      ? "good"
      : status === "FAILED"
        ? "bad"
        : status === "APPLYING"
          ? "warn"
          : "muted";
  return (
    <span className={`badge ${tone}`} data-status={status}>
      {status}
    </span>
  );
}

/** A failed request or action, announced to screen readers. */
export function ErrorMessage({
  message,
  onRetry,
}: {
  message: string | undefined;
  onRetry?: () => void;
}) {
  if (message === undefined) return null;
  return (
    <div className="error" role="alert">
      <span>{message}</span>
      {onRetry !== undefined ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

/** An empty state that says why it is empty and what to do. */
export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children !== undefined ? <div>{children}</div> : null}
    </div>
  );
}

/** "3 min ago" with the exact time on hover. */
export function RelativeTime({ at, now }: { at: string | number | null | undefined; now: number }) {
  if (at === null || at === undefined || at === "") return <span className="muted">never</span>;
  return (
    <time dateTime={new Date(at).toISOString()} title={formatDateTime(at)}>
      {formatRelative(at, now)}
    </time>
  );
}

function valueText(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A two-column table of attributes or labels. */
export function KeyValueTable({
  caption,
  values,
  empty,
}: {
  caption: string;
  values: Readonly<Record<string, JsonValue>>;
  empty: string;
}) {
  const keys = Object.keys(values).sort();
  return (
    <table className="kv">
      <caption>{caption}</caption>
      <tbody>
        {keys.length === 0 ? (
          <tr>
            <td colSpan={2} className="muted">
              {empty}
            </td>
          </tr>
        ) : (
          keys.map((k) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{valueText(values[k]!)}</td>
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}
