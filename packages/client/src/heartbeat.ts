import { AgentCapabilities, hasBit } from "@opamp-ts/protocol";

/** Which transport a timing rule applies to. */
export type TransportKind = "websocket" | "http";

/**
 * The interval between two messages when nothing else is sent (C-20, P-7).
 *
 * WebSocket: heartbeats only with `ReportsHeartbeat`; the server's
 * `heartbeat_interval_seconds` wins over the local value and 0 disables them.
 * Plain HTTP: the client must poll whatever the capability says; a non-zero
 * server value becomes the polling interval, 0 falls back to the local one
 * (0 is not a polling interval).
 */
export function heartbeatIntervalMs(
  kind: TransportKind,
  capabilities: bigint,
  settingsSeconds: number,
  localSeconds: number,
): number {
  if (kind === "http") {
    const seconds = settingsSeconds > 0 ? settingsSeconds : localSeconds;
    return Math.max(seconds, 0.001) * 1_000;
  }
  if (!hasBit(capabilities, AgentCapabilities.AgentCapabilities_ReportsHeartbeat)) return 0;
  return Math.max(settingsSeconds, 0) * 1_000;
}

/**
 * A one-shot timer restarted after every message sent, so that any message
 * counts as a heartbeat and none is sent right after another (C-20). Stopped
 * while reconnecting or backing off (C-37).
 */
export class HeartbeatTimer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: () => number,
    private readonly onDue: () => void,
  ) {}

  /** (Re)start the countdown; does nothing when heartbeats are disabled. */
  restart(): void {
    this.stop();
    const ms = this.intervalMs();
    if (ms <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onDue();
    }, ms);
  }

  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
