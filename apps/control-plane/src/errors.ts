/** Error codes the control plane raises for outcomes callers map to HTTP statuses. */
export type ControlPlaneErrorCode =
  | "NOT_FOUND"
  | "CONFLICT"
  | "INVALID_SELECTOR"
  | "INVALID_CONFIG"
  | "STORAGE"
  | "CONFIG"
  | "PUBSUB";

/** Where in the input a validation error is (YAML line/column, selector position). */
export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly position?: number;
}

/** The control plane's one error class, with a `code`, the underlying `cause` and where the input was wrong. */
export class ControlPlaneError extends Error {
  override readonly name = "ControlPlaneError";
  readonly code: ControlPlaneErrorCode;
  readonly location: ErrorLocation | undefined;
  constructor(
    code: ControlPlaneErrorCode,
    message: string,
    options?: { cause?: unknown; location?: ErrorLocation },
  ) {
    super(message, options);
    this.code = code;
    this.location = options?.location;
  }
}
