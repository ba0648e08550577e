/**
 * Error types shared by every command. A {@link CliError} becomes one line on stderr and an exit
 * code; anything else is a bug and is shown with its stack only when `DCOS_DEBUG` is set.
 * @module
 */

/** A failure the user should see as one clear line (exit 1 unless told otherwise). */
export class CliError extends Error {
  /** Process exit code: 1 for runtime failures, 2 for usage errors. */
  readonly exitCode: number;
  /** Builds an error with a user-facing message. */
  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "CliError";
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A usage error: bad or missing arguments detected before any network call (exit 2). */
export class UsageError extends CliError {
  /** Builds a usage error. */
  constructor(message: string) {
    super(message, { exitCode: 2 });
    this.name = "UsageError";
  }
}

/** Body of an IAM error response (`{title, description, code}`). */
export interface ApiErrorBody {
  /** HTTP status line or a short title. */
  title?: string;
  /** Human readable description. */
  description?: string;
  /** IAM error code such as `ERR_USER_EXISTS`. */
  code?: string;
}

/** An HTTP error answered by the cluster, carrying the server's title/description/code. */
export class ApiError extends CliError {
  /** HTTP status code. */
  readonly status: number;
  /** IAM-style error code when the server gave one. */
  readonly code?: string;
  /** Parsed error body, when there was one. */
  readonly body?: ApiErrorBody;
  /** Builds an API error from a status and the server's error body. */
  constructor(message: string, options: { status: number; body?: ApiErrorBody }) {
    super(message);
    this.name = "ApiError";
    this.status = options.status;
    this.body = options.body;
    this.code = options.body?.code;
  }
}
