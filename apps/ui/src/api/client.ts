/**
 * Typed access to the control plane's REST API (`/api/v1`) with the admin
 * bearer token. Every method names what it does so a failure reads as
 * "Saving labels failed: … (400)".
 */
import { ApiError } from "./errors.js";
import type {
  Agent,
  AgentListParams,
  AgentOverride,
  AgentPage,
  Assignment,
  AuditEntry,
  ConfigFiles,
  ConfigStatusEntry,
  Configuration,
  ConfigurationVersion,
} from "./types.js";

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** The REST client; `baseUrl` is the origin serving `/api/v1` ("" = same origin). */
export class ApiClient {
  readonly token: string;
  private readonly baseUrl: string;
  private readonly fetchImpl: Fetch;

  constructor(token: string, options: { baseUrl?: string; fetch?: Fetch } = {}) {
    this.token = token;
    this.baseUrl = options.baseUrl ?? "";
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Sends one request; resolves the parsed JSON (undefined for 204) or throws `ApiError`. */
  async request<T>(action: string, method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: "application/json",
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (cause) {
      throw new ApiError(action, "NETWORK", 0, "the server could not be reached", { cause });
    }
    const text = await res.text().catch(() => "");
    let parsed: unknown;
    if (text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch (cause) {
        if (res.ok) {
          throw new ApiError(action, "BAD_RESPONSE", res.status, "the answer was not JSON", {
            cause,
          });
        }
      }
    }
    if (!res.ok) throw ApiError.fromResponse(action, res.status, parsed);
    return parsed as T;
  }

  /** Checks the token by listing configurations (cheap, needs auth). */
  async verify(): Promise<void> {
    await this.request("Signing in", "GET", "/configurations");
  }

  async listAgents(selector?: string): Promise<Agent[]> {
    const query =
      selector !== undefined && selector.trim() !== ""
        ? `?selector=${encodeURIComponent(selector)}`
        : "";
    const res = await this.request<{ agents: Agent[] }>(
      selector ? "Filtering agents by selector" : "Loading agents",
      "GET",
      `/agents${query}`,
    );
    return res.agents;
  }

  /**
   * Agents filtered, sorted and paged by the server (search, status, selector),
   * so the browser never filters the whole fleet itself.
   */
  async queryAgents(params: AgentListParams): Promise<AgentPage> {
    const parts: string[] = [];
    const add = (name: string, value: string) => parts.push(`${name}=${encodeURIComponent(value)}`);
    const selector = params.selector?.trim() ?? "";
    const q = params.q?.trim() ?? "";
    if (selector !== "") add("selector", selector);
    if (q !== "") add("q", q);
    if (params.statuses !== undefined && params.statuses.length > 0) {
      add("status", params.statuses.join(","));
    }
    if (params.sort !== undefined) {
      add("sort", `${params.sort.descending ? "-" : ""}${params.sort.key}`);
    }
    if (params.limit !== undefined) add("limit", String(params.limit));
    if (params.offset !== undefined) add("offset", String(params.offset));
    const filtered = selector !== "" || q !== "" || (params.statuses?.length ?? 0) > 0;
    return this.request<AgentPage>(
      filtered ? "Filtering agents" : "Loading agents",
      "GET",
      `/agents${parts.length > 0 ? `?${parts.join("&")}` : ""}`,
    );
  }

  /** The agent's config override, or undefined when it has none (404). */
  async getAgentOverride(id: string): Promise<AgentOverride | undefined> {
    try {
      return await this.request<AgentOverride>(
        "Loading the agent's config override",
        "GET",
        `/agents/${encodeURIComponent(id)}/config`,
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  getAgent(id: string): Promise<Agent> {
    return this.request("Loading the agent", "GET", `/agents/${encodeURIComponent(id)}`);
  }

  async configHistory(id: string): Promise<ConfigStatusEntry[]> {
    const res = await this.request<{ history: ConfigStatusEntry[] }>(
      "Loading the config status history",
      "GET",
      `/agents/${encodeURIComponent(id)}/config-history`,
    );
    return res.history;
  }

  async setAgentConfig(id: string, files: ConfigFiles): Promise<string> {
    const res = await this.request<{ configHash: string }>(
      "Setting the agent's config",
      "PUT",
      `/agents/${encodeURIComponent(id)}/config`,
      { files },
    );
    return res.configHash;
  }

  async clearAgentConfig(id: string): Promise<void> {
    await this.request(
      "Removing the agent's config override",
      "DELETE",
      `/agents/${encodeURIComponent(id)}/config`,
    );
  }

  async retryAgentConfig(id: string): Promise<string> {
    const res = await this.request<{ configHash: string }>(
      "Retrying the failed config",
      "POST",
      `/agents/${encodeURIComponent(id)}/config/retry`,
    );
    return res.configHash;
  }

  setLabels(id: string, labels: Record<string, string>): Promise<Agent> {
    return this.request("Saving labels", "PUT", `/agents/${encodeURIComponent(id)}/labels`, {
      labels,
    });
  }

  async restart(id: string): Promise<void> {
    await this.request(
      "Sending the restart command",
      "POST",
      `/agents/${encodeURIComponent(id)}/restart`,
    );
  }

  async sendMessage(
    id: string,
    message: { capability: string; type: string; data: string },
  ): Promise<void> {
    await this.request(
      "Sending the custom message",
      "POST",
      `/agents/${encodeURIComponent(id)}/messages`,
      message,
    );
  }

  async listConfigurations(): Promise<Configuration[]> {
    const res = await this.request<{ configurations: Configuration[] }>(
      "Loading configurations",
      "GET",
      "/configurations",
    );
    return res.configurations;
  }

  getConfiguration(id: string): Promise<Configuration> {
    return this.request(
      "Loading the configuration",
      "GET",
      `/configurations/${encodeURIComponent(id)}`,
    );
  }

  createConfiguration(input: {
    name: string;
    description?: string;
    files?: ConfigFiles;
  }): Promise<Configuration> {
    return this.request("Creating the configuration", "POST", "/configurations", input);
  }

  async listVersions(id: string): Promise<ConfigurationVersion[]> {
    const res = await this.request<{ versions: ConfigurationVersion[] }>(
      "Loading versions",
      "GET",
      `/configurations/${encodeURIComponent(id)}/versions`,
    );
    return res.versions;
  }

  getVersion(id: string, version: number): Promise<ConfigurationVersion> {
    return this.request(
      `Loading version ${version}`,
      "GET",
      `/configurations/${encodeURIComponent(id)}/versions/${version}`,
    );
  }

  addVersion(id: string, files: ConfigFiles): Promise<ConfigurationVersion> {
    return this.request(
      "Saving the new version",
      "POST",
      `/configurations/${encodeURIComponent(id)}/versions`,
      { files },
    );
  }

  async listAssignments(): Promise<Assignment[]> {
    const res = await this.request<{ assignments: Assignment[] }>(
      "Loading assignments",
      "GET",
      "/assignments",
    );
    return res.assignments;
  }

  createAssignment(input: {
    configurationId: string;
    version: number | null;
    selector: string;
    priority: number;
  }): Promise<Assignment> {
    return this.request("Assigning the configuration", "POST", "/assignments", input);
  }

  async deleteAssignment(id: string): Promise<void> {
    await this.request(
      "Removing the assignment",
      "DELETE",
      `/assignments/${encodeURIComponent(id)}`,
    );
  }

  async listAudit(options: { limit?: number; before?: number } = {}): Promise<AuditEntry[]> {
    const params = new URLSearchParams();
    params.set("limit", String(options.limit ?? 100));
    if (options.before !== undefined) params.set("before", String(options.before));
    const res = await this.request<{ entries: AuditEntry[] }>(
      "Loading the audit log",
      "GET",
      `/audit?${params.toString()}`,
    );
    return res.entries;
  }

  /** URL of an event stream with the token in the query (EventSource cannot send headers). */
  streamUrl(path: string): string {
    return `${this.baseUrl}/api/v1${path}?access_token=${encodeURIComponent(this.token)}`;
  }
}
