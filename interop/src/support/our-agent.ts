import { OpampClient, type PackagesOptions } from "@opamp-ts/client";
import {
  AgentCapabilities,
  type AgentConfigMap,
  AgentConfigMapSchema,
  combineBits,
  create,
} from "@opamp-ts/protocol";

/** A remote config body containing this string is rejected by {@link OurAgent}. */
export const OUR_FAIL_MARKER = "FAIL_ME";
/** The custom capability our test agent declares. */
export const OUR_CUSTOM_CAPABILITY = "io.opamp-ts.interop.echo";

/** Everything cell 1 exercises; gating (C-26) is tested with these bits set. */
export const OUR_AGENT_CAPABILITIES = combineBits(
  AgentCapabilities.AgentCapabilities_ReportsStatus,
  AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsEffectiveConfig,
  AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
  AgentCapabilities.AgentCapabilities_ReportsHealth,
  AgentCapabilities.AgentCapabilities_ReportsHeartbeat,
  AgentCapabilities.AgentCapabilities_AcceptsRestartCommand,
  AgentCapabilities.AgentCapabilities_ReportsOwnMetrics,
  AgentCapabilities.AgentCapabilities_AcceptsOpAMPConnectionSettings,
  AgentCapabilities.AgentCapabilities_ReportsConnectionSettingsStatus,
);

/** Transport and timing of an {@link OurAgent}; the rest is fixed for the matrix. */
export interface OurAgentOptions {
  readonly endpoint: string;
  readonly heartbeatIntervalSeconds?: number;
  readonly compressRequests?: boolean;
  readonly connectionSettingsVerifyTimeoutMs?: number;
  /** Declares AcceptsPackages and ReportsPackageStatuses with this installer (§6). */
  readonly packages?: PackagesOptions;
  /** Ask the server to assign the instance uid (C-2). */
  readonly requestInstanceUid?: boolean;
}

/**
 * Our `OpampClient` wired like a small agent: its effective config is whatever
 * remote config it last applied, and it refuses configs carrying the marker.
 */
export class OurAgent {
  readonly client: OpampClient;
  effective: AgentConfigMap = create(AgentConfigMapSchema, {
    configMap: {
      "": { body: new TextEncoder().encode("receivers: {}\n"), contentType: "text/yaml" },
    },
  });

  constructor(opts: OurAgentOptions) {
    this.client = new OpampClient({
      endpoint: opts.endpoint,
      capabilities:
        opts.packages === undefined
          ? OUR_AGENT_CAPABILITIES
          : combineBits(
              OUR_AGENT_CAPABILITIES,
              AgentCapabilities.AgentCapabilities_AcceptsPackages,
              AgentCapabilities.AgentCapabilities_ReportsPackageStatuses,
            ),
      ...(opts.packages !== undefined ? { packages: opts.packages } : {}),
      requestInstanceUid: opts.requestInstanceUid ?? false,
      agentDescription: {
        identifyingAttributes: { "service.name": "interop-agent", "service.instance.id": "cell-1" },
        nonIdentifyingAttributes: { "os.type": "linux", "host.name": "interop-host" },
      },
      heartbeatIntervalSeconds: opts.heartbeatIntervalSeconds ?? 0.5,
      compressRequests: opts.compressRequests ?? false,
      customCapabilities: [OUR_CUSTOM_CAPABILITY],
      timing: {
        backoff: { initialMs: 50, maxMs: 500 },
        connectionSettingsVerifyTimeoutMs: opts.connectionSettingsVerifyTimeoutMs ?? 5_000,
      },
      effectiveConfig: () => this.effective,
      onRemoteConfig: (remote) => {
        const files = Object.entries(remote.config?.configMap ?? {});
        const marked = files.find(([, f]) =>
          new TextDecoder().decode(f.body).includes(OUR_FAIL_MARKER),
        );
        if (marked !== undefined) {
          return {
            status: "failed",
            errorMessage: `config file "${marked[0]}" carries ${OUR_FAIL_MARKER}`,
          };
        }
        this.effective = remote.config ?? create(AgentConfigMapSchema, {});
        return { status: "applied" };
      },
    });
  }

  /** Starts the client and reports a healthy component (C-24). */
  async start(): Promise<void> {
    await this.client.start();
    this.client.setHealth({
      healthy: true,
      status: "running",
      startTimeUnixNano: BigInt(Date.now()) * 1_000_000n,
    });
  }

  /** Stops the client: `agent_disconnect` goes out last (C-36). */
  stop(): Promise<void> {
    return this.client.stop();
  }
}
