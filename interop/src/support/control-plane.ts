import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServerHandle, start } from "@opamp-ts/control-plane";
import { SseStream } from "./sse.js";

/** A REST answer: status and parsed JSON body. */
export interface ApiAnswer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: REST bodies are checked field by field in tests
  readonly body: any;
}

export interface ControlPlaneOptions {
  /** Reuse a data directory (a restart); default a new temporary one. */
  readonly dataDir?: string;
  /** Fixed ports (a restart on the same address); default 0. */
  readonly opampPort?: number;
  readonly httpPort?: number;
  /** HTTP agents silent for twice this are shown disconnected (S-20). Default 30. */
  readonly heartbeatIntervalSeconds?: number;
}

/**
 * Our control plane (`opamp-server`) started in-process through its
 * `start(config)` on loopback port 0 over a throw-away SQLite directory.
 */
export class ControlPlane {
  private constructor(
    readonly handle: ServerHandle,
    private readonly dataDir: string,
  ) {}

  /**
   * Starts on fresh ports and a fresh data directory, or on the given ones to
   * restart a control plane over the state its predecessor left.
   */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "opamp-interop-cp-"));
    try {
      const handle = await start({
        opampAddress: `127.0.0.1:${options.opampPort ?? 0}`,
        httpAddress: `127.0.0.1:${options.httpPort ?? 0}`,
        dataDir,
        databaseUrl: undefined,
        adminToken: "interop-admin-token",
        tlsCert: undefined,
        tlsKey: undefined,
        clientCa: undefined,
        enrollmentTokens: [],
        heartbeatIntervalSeconds: options.heartbeatIntervalSeconds ?? 30,
        maxBodyBytes: 1024 * 1024,
        maxMessageBytes: 4 * 1024 * 1024,
        uiDir: undefined,
        logLevel: "silent",
      });
      return new ControlPlane(handle, dataDir);
    } catch (error) {
      if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
      throw error;
    }
  }

  /** What {@link start} needs to bring up a successor on the same ports and data. */
  get reuse(): { dataDir: string; opampPort: number; httpPort: number } {
    return {
      dataDir: this.dataDir,
      opampPort: Number(new URL(this.handle.opampUrl).port),
      httpPort: Number(new URL(this.handle.apiUrl).port),
    };
  }

  /** Stops the server but keeps its data directory (for a restart). */
  async stop(): Promise<void> {
    await this.handle.close();
  }

  /** Calls the REST API (`/api/v1` + path) as the admin. */
  async api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const res = await fetch(`${this.handle.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.handle.adminToken}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
  }

  /** Opens a server-sent event stream of the REST API (`/api/v1` + path). */
  stream(path: string): Promise<SseStream> {
    return SseStream.open(`${this.handle.apiUrl}${path}`, {
      authorization: `Bearer ${this.handle.adminToken}`,
    });
  }

  /** Stops the server and removes its data directory. */
  async close(): Promise<void> {
    await this.handle.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
