/**
 * A `FleetConnection` without a socket: records what the fleet sends, so
 * fleet logic is testable in-process.
 */
import type { MessageInitShape, ServerToAgentSchema } from "@opamp-ts/protocol";
import type { FleetConnection } from "../fleet/session.js";

/** A connection that keeps every message sent to it. */
export class FakeConnection implements FleetConnection {
  readonly sent: MessageInitShape<typeof ServerToAgentSchema>[] = [];
  closed = false;
  /** When set, `send` rejects as a connection closing under the server would. */
  failSends = false;
  constructor(
    readonly transport: "websocket" | "http" = "websocket",
    readonly remoteAddress = "127.0.0.1",
  ) {}
  async send(msg: MessageInitShape<typeof ServerToAgentSchema>): Promise<void> {
    if (this.failSends) throw new Error("connection closed");
    this.sent.push(msg);
  }
  close(): void {
    this.closed = true;
  }
}
