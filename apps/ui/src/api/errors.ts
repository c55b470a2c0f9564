/**
 * The one error class of the UI: every failed request becomes an `ApiError`
 * saying what was attempted ("Loading agents"), what went wrong and, for
 * config files, where (file, line, column) so the editor can point at it.
 */
import type { ErrorBody } from "./types.js";

/** Why a request failed. */
export type ApiErrorCode =
  | "UNAUTHORIZED"
  | "BAD_REQUEST"
  | "NOT_FOUND"
  | "CONFLICT"
  | "TOO_LARGE"
  | "SERVER"
  | "NETWORK"
  | "BAD_RESPONSE";

/** Where in a config file the server found a problem. */
export interface ErrorLocation {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly position?: number;
}

/** Maps an HTTP status to an error code. */
export function codeForStatus(status: number): ApiErrorCode {
  if (status === 401 || status === 403) return "UNAUTHORIZED";
  if (status === 404) return "NOT_FOUND";
  if (status === 409) return "CONFLICT";
  if (status === 413) return "TOO_LARGE";
  if (status >= 400 && status < 500) return "BAD_REQUEST";
  return "SERVER";
}

/** A failed API request, with a sentence a person can act on. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly code: ApiErrorCode;
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  /** What the UI was doing, e.g. "Saving labels". */
  readonly action: string;
  /** The server's own message, without the action. */
  readonly detail: string;
  readonly location: ErrorLocation;

  constructor(
    action: string,
    code: ApiErrorCode,
    status: number,
    detail: string,
    options: { cause?: unknown; location?: ErrorLocation } = {},
  ) {
    super(`${action} failed: ${detail}`, { cause: options.cause });
    this.action = action;
    this.code = code;
    this.status = status;
    this.detail = detail;
    this.location = options.location ?? {};
  }

  /** Builds the error from a non-2xx response body (any shape). */
  static fromResponse(action: string, status: number, body: unknown): ApiError {
    const b = (typeof body === "object" && body !== null ? body : {}) as Partial<ErrorBody>;
    const message =
      typeof b.message === "string" && b.message !== ""
        ? b.message
        : `the server answered ${status}${typeof b.error === "string" ? ` ${b.error}` : ""}`;
    const location: ErrorLocation = {
      ...(typeof b.file === "string" ? { file: b.file } : {}),
      ...(typeof b.line === "number" ? { line: b.line } : {}),
      ...(typeof b.column === "number" ? { column: b.column } : {}),
      ...(typeof b.position === "number" ? { position: b.position } : {}),
    };
    const detail = status === 401 ? "the admin token was refused (401)" : `${message} (${status})`;
    return new ApiError(action, codeForStatus(status), status, detail, { location });
  }
}

/** A readable message for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
