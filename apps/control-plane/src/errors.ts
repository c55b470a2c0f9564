/** Error codes the control plane raises for outcomes callers map to HTTP statuses. */
export type ControlPlaneErrorCode =
  | "NOT_FOUND"
  | "CONFLICT"
  | "INVALID_SELECTOR"
  | "INVALID_CONFIG"
  | "STORAGE"
  | "CONFIG";

/** The control plane's one error class, with a `code` and the underlying `cause`. */
export class ControlPlaneError extends Error {
  override readonly name = "ControlPlaneError";
  readonly code: ControlPlaneErrorCode;
  constructor(code: ControlPlaneErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
