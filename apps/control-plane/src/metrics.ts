/**
 * The control plane's own Prometheus metrics, rendered in the text
 * exposition format at `/metrics`: agents by state, OpAMP messages, config
 * statuses and how long agents take to answer a pushed config.
 */

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Gauge values computed at scrape time from the inventory. */
export interface FleetGauges {
  readonly agentsByState: Readonly<Record<string, number>>;
  readonly configStatuses: Readonly<Record<string, number>>;
}

/** Counters and the push-latency histogram; cheap to update on every message. */
export class Metrics {
  private readonly received = new Map<string, number>();
  private readonly sent = new Map<string, number>();
  private readonly buckets = LATENCY_BUCKETS.map(() => 0);
  private latencyCount = 0;
  private latencySum = 0;

  /** Counts one `AgentToServer` on `transport`. */
  messageReceived(transport: string): void {
    this.received.set(transport, (this.received.get(transport) ?? 0) + 1);
  }

  /** Counts one `ServerToAgent`, by the kind of content it carried. */
  messageSent(kind: string): void {
    this.sent.set(kind, (this.sent.get(kind) ?? 0) + 1);
  }

  /** Seconds from offering a config to the agent reporting APPLIED or FAILED for it. */
  observePushLatency(seconds: number): void {
    this.latencyCount++;
    this.latencySum += seconds;
    LATENCY_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.buckets[i] = (this.buckets[i] ?? 0) + 1;
    });
  }

  /** The text exposition format (version 0.0.4). */
  render(gauges: FleetGauges): string {
    const lines: string[] = [];
    lines.push("# HELP opamp_agents Agents in the inventory by connection state.");
    lines.push("# TYPE opamp_agents gauge");
    for (const [state, n] of Object.entries(gauges.agentsByState))
      lines.push(`opamp_agents{state="${state}"} ${n}`);
    lines.push("# HELP opamp_agent_config_status Agents by last reported remote config status.");
    lines.push("# TYPE opamp_agent_config_status gauge");
    for (const [status, n] of Object.entries(gauges.configStatuses)) {
      lines.push(`opamp_agent_config_status{status="${status}"} ${n}`);
    }
    lines.push("# HELP opamp_messages_received_total AgentToServer messages received.");
    lines.push("# TYPE opamp_messages_received_total counter");
    for (const [t, n] of this.received)
      lines.push(`opamp_messages_received_total{transport="${t}"} ${n}`);
    lines.push("# HELP opamp_messages_sent_total ServerToAgent messages sent, by content.");
    lines.push("# TYPE opamp_messages_sent_total counter");
    for (const [k, n] of this.sent) lines.push(`opamp_messages_sent_total{kind="${k}"} ${n}`);
    lines.push(
      "# HELP opamp_config_push_latency_seconds Time from offering a config to the agent's APPLIED or FAILED.",
    );
    lines.push("# TYPE opamp_config_push_latency_seconds histogram");
    LATENCY_BUCKETS.forEach((bound, i) => {
      lines.push(`opamp_config_push_latency_seconds_bucket{le="${bound}"} ${this.buckets[i] ?? 0}`);
    });
    lines.push(`opamp_config_push_latency_seconds_bucket{le="+Inf"} ${this.latencyCount}`);
    lines.push(`opamp_config_push_latency_seconds_sum ${this.latencySum}`);
    lines.push(`opamp_config_push_latency_seconds_count ${this.latencyCount}`);
    return `${lines.join("\n")}\n`;
  }
}
