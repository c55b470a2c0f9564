import type { PeerEvent, WaitOptions } from "./json-lines.js";
import { type PeerExit, PeerProcess } from "./peer-process.js";

/** The custom capability goagent declares and echoes on unless told otherwise. */
export const GOAGENT_CUSTOM_CAPABILITY = "io.opamp-ts.interop.echo";
/** A remote config body containing this string is reported FAILED by goagent. */
export const GOAGENT_FAIL_MARKER = "FAIL_ME";

/** How to start `goagent`; each field maps to one of its flags. */
export interface GoAgentOptions {
  /** ws(s):// selects WebSocket, http(s):// plain HTTP. */
  readonly url: string;
  readonly identifying?: Record<string, string>;
  readonly nonIdentifying?: Record<string, string>;
  /** 32 hex digits or UUID form; default a new UUID v7. */
  readonly instanceUid?: string;
  /** Heartbeat (and HTTP polling) interval in seconds. */
  readonly heartbeatSeconds?: number;
  readonly customCapability?: string;
  /** gzip HTTP request bodies, or negotiate permessage-deflate on WebSocket. */
  readonly compression?: boolean;
  /** Declare ReportsOwnMetrics, ReportsOwnTraces and ReportsOwnLogs. */
  readonly ownTelemetry?: boolean;
  /** Set RequestInstanceUid so the server assigns the uid (C-2). */
  readonly requestInstanceUid?: boolean;
}

/**
 * A running `goagent` (opamp-go's client package); its JSON-line events say
 * what it received and how it answered.
 */
export class GoAgent {
  private constructor(
    readonly process: PeerProcess,
    /** instance_uid in 8-4-4-4-12 form. */
    readonly instanceUid: string,
  ) {}

  /** Starts the binary and waits for its "started" line. */
  static async start(binary: string, opts: GoAgentOptions): Promise<GoAgent> {
    const args = [
      "-url",
      opts.url,
      "-heartbeat",
      `${opts.heartbeatSeconds ?? 30}s`,
      "-exit-on-stdin-eof",
    ];
    for (const [k, v] of Object.entries(opts.identifying ?? {})) args.push("-attr", `${k}=${v}`);
    for (const [k, v] of Object.entries(opts.nonIdentifying ?? {}))
      args.push("-nattr", `${k}=${v}`);
    if (opts.instanceUid !== undefined) args.push("-instance-uid", opts.instanceUid);
    if (opts.customCapability !== undefined) args.push("-custom-capability", opts.customCapability);
    if (opts.compression) args.push("-compression");
    if (opts.ownTelemetry) args.push("-own-telemetry");
    if (opts.requestInstanceUid) args.push("-request-instance-uid");
    const proc = new PeerProcess("goagent", binary, args);
    try {
      const started = await proc.log.waitFor((e) => e.event === "started", {
        what: "the started line",
      });
      return new GoAgent(proc, String(started.instanceUid));
    } catch (err) {
      await proc.stop("SIGKILL");
      throw new Error(`goagent did not start; stderr: ${proc.stderrText()}`, { cause: err });
    }
  }

  /** The index to pass as `after` so that only later events count. */
  mark(): number {
    return this.process.log.mark();
  }

  /** Waits for a `goagent` event of kind `event` matching `predicate`. */
  waitFor(
    event: string,
    predicate: (e: PeerEvent) => boolean = () => true,
    opts: WaitOptions = {},
  ) {
    return this.process.log.waitFor((e) => e.event === event && predicate(e), {
      what: `a ${event} event`,
      ...opts,
    });
  }

  /** SIGTERM: opamp-go's client stops (agent_disconnect over WebSocket) and the program exits. */
  stop(): Promise<PeerExit> {
    return this.process.stop();
  }
}
