import type {
  CustomMessage,
  OtherConnectionSettings,
  PackagesAvailable,
  ServerErrorResponse,
  ServerToAgentCommand,
  TelemetryConnectionSettings,
} from "@opamp-ts/protocol";
import type { OpampClientError } from "./errors.js";
import type { Logger } from "./logger.js";
import type { OpampConnectionSettings } from "./options.js";

/** Outcome of an OpAMP connection-settings offer (C-31). */
export type OpampSettingsEvent =
  | { readonly status: "applied"; readonly settings: OpampConnectionSettings }
  | { readonly status: "failed"; readonly reason: string };

/**
 * Every event of {@link OpampClient} and its payload. Listeners run
 * synchronously; a listener that throws is logged, never propagated.
 */
export interface OpampClientEvents {
  /** First clean reply on a connection (P-33). */
  connected: [];
  /** A connection attempt or a connection failed; the client retries by itself. */
  connectFailed: [error: OpampClientError];
  /** The server answered with `error_response` (C-16). */
  serverError: [error: ServerErrorResponse];
  /** A problem in a background loop: never thrown, always reported here. */
  clientError: [error: OpampClientError];
  /** An OpAMP connection-settings offer was verified and committed, or reverted. */
  opampConnectionSettings: [event: OpampSettingsEvent];
  /** Own-telemetry destination offered (C-28), only for declared capabilities (C-26). */
  ownTelemetrySettings: [
    kind: "metrics" | "traces" | "logs",
    settings: TelemetryConnectionSettings,
  ];
  /** Named other connection offered (C-29), only with `AcceptsOtherConnectionSettings`. */
  otherConnectionSettings: [name: string, settings: OtherConnectionSettings];
  /** A package offer arrived (processed by the syncer when packages are configured). */
  packagesAvailable: [offer: PackagesAvailable];
  /** A command (restart) arrived and the agent declared `AcceptsRestartCommand` (C-19). */
  command: [command: ServerToAgentCommand];
  /** A custom message for a capability the agent declared (C-34). */
  customMessage: [message: CustomMessage];
  /** The server assigned a new instance uid (C-3, P-16); already persisted. */
  newInstanceUid: [uid: Uint8Array];
}

type Listener<Args extends unknown[]> = (...args: Args) => void;

/** A small typed event emitter; unlike node's, an `error`-like event never throws. */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners = new Map<keyof Events, Set<(...args: never[]) => void>>();

  constructor(private readonly emitterLogger: Logger) {}

  /** Add a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as unknown as (...args: never[]) => void);
    return () => this.off(event, listener);
  }

  /** Remove a listener added with {@link on}. */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.listeners.get(event)?.delete(listener as unknown as (...args: never[]) => void);
  }

  /** Wait for the next emission of `event`. */
  once<K extends keyof Events>(event: K): Promise<Events[K]> {
    return new Promise((resolve) => {
      const off = this.on(event, (...args) => {
        off();
        resolve(args);
      });
    });
  }

  protected emit<K extends keyof Events>(event: K, ...args: Events[K]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        (listener as unknown as Listener<Events[K]>)(...args);
      } catch (error) {
        this.emitterLogger.error("event listener threw", {
          event: String(event),
          error: String(error),
        });
      }
    }
  }
}
