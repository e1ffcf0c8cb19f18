/**
 * Errors of evalchemy. Every error carries a `Symbol.for('evalchemy.error.<Name>')` marker so that
 * `isInstance()` works across two installed copies of `@evalchemy/core` (a plugin may bring its own).
 * Only the CLI's top level turns errors into messages and exit codes.
 */
const baseMarker = 'evalchemy.error';

export class EvalchemyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EvalchemyError';
    this.mark(baseMarker);
  }

  /** Sets the cross-copy marker that `isInstance` checks. */
  protected mark(marker: string): void {
    Object.defineProperty(this, Symbol.for(marker), { value: true, enumerable: false });
  }

  static isInstance(error: unknown): error is EvalchemyError {
    return EvalchemyError.hasMarker(error, baseMarker);
  }

  protected static hasMarker(error: unknown, marker: string): boolean {
    return typeof error === 'object' && error !== null && Symbol.for(marker) in error;
  }
}

/** Bad user input: a flag, a config file, plugin options, a missing API key. Fix the input and run again. */
export class ConfigurationError extends EvalchemyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigurationError';
    this.mark('evalchemy.error.ConfigurationError');
  }
  static override isInstance(error: unknown): error is ConfigurationError {
    return EvalchemyError.hasMarker(error, 'evalchemy.error.ConfigurationError');
  }
}

/** A plugin package could not be found, loaded, or does not fulfil its manifest or contract version. */
export class PluginLoadError extends EvalchemyError {
  static override isInstance(error: unknown): error is PluginLoadError {
    return EvalchemyError.hasMarker(error, 'evalchemy.error.PluginLoadError');
  }
  /** npm package name of the plugin at fault, when known. */
  readonly packageName: string | undefined;
  constructor(message: string, options?: { cause?: unknown; packageName?: string }) {
    super(message, options);
    this.name = 'PluginLoadError';
    this.mark('evalchemy.error.PluginLoadError');
    this.packageName = options?.packageName;
  }
}

/** A data file could not be obtained or did not match its pinned sha256. */
export class DatasetError extends EvalchemyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatasetError';
    this.mark('evalchemy.error.DatasetError');
  }
  static override isInstance(error: unknown): error is DatasetError {
    return EvalchemyError.hasMarker(error, 'evalchemy.error.DatasetError');
  }
}

/**
 * A call to a model backend failed after the backend's own retries, or was refused for a rate limit (which a
 * backend does not retry: see `BackendV1.doGenerate`).
 */
export class BackendCallError extends EvalchemyError {
  static override isInstance(error: unknown): error is BackendCallError {
    return EvalchemyError.hasMarker(error, 'evalchemy.error.BackendCallError');
  }
  /** HTTP status code when the backend speaks HTTP, else undefined. */
  readonly statusCode: number | undefined;
  /** Whether sending the same request again may succeed (timeouts, 408/409/429/5xx, connection resets). */
  readonly isRetryable: boolean;
  /**
   * The server refused the request for its rate limit or load (HTTP 429, Anthropic's 529 `overloaded`), and
   * the backend did not retry it: the runner's scheduler lowers the backend's concurrency, waits
   * `retryAfterMs` and sends it again. Default: `statusCode === 429`.
   */
  readonly rateLimited: boolean;
  /** How long the server asked to wait before the next request (`retry-after`, `retry-after-ms`), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    options: {
      cause?: unknown;
      statusCode?: number | undefined;
      isRetryable?: boolean;
      rateLimited?: boolean;
      retryAfterMs?: number | undefined;
    } = {},
  ) {
    super(message, options);
    this.name = 'BackendCallError';
    this.mark('evalchemy.error.BackendCallError');
    this.statusCode = options.statusCode;
    this.isRetryable = options.isRetryable ?? isRetryableStatus(options.statusCode);
    this.rateLimited = options.rateLimited ?? options.statusCode === 429;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * The wait a server asks for in its `retry-after-ms` (milliseconds) or `retry-after` header (seconds, or an
 * HTTP date), in milliseconds; undefined when neither is there or readable. `now` is for tests.
 */
export function retryAfterMsOf(
  headers: { get(name: string): string | null } | undefined,
  now: number = Date.now(),
): number | undefined {
  const milliseconds = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers?.get('retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Running code in a sandbox failed for a reason of the sandbox itself (not of the code under test). */
export class SandboxError extends EvalchemyError {
  static override isInstance(error: unknown): error is SandboxError {
    return EvalchemyError.hasMarker(error, 'evalchemy.error.SandboxError');
  }
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  constructor(message: string, options: { cause?: unknown; exitCode?: number; timedOut?: boolean } = {}) {
    super(message, options);
    this.name = 'SandboxError';
    this.mark('evalchemy.error.SandboxError');
    this.exitCode = options.exitCode;
    this.timedOut = options.timedOut ?? false;
  }
}

/**
 * A server refused the credentials (HTTP 401 or 403). Every further request would be refused alike, so the
 * run stops at once instead of recording each sample as failed.
 */
export class AuthenticationError extends EvalchemyError {
  static override isInstance(error: unknown): error is AuthenticationError {
    return EvalchemyError.hasMarker(error, 'evalchemy.error.AuthenticationError');
  }
  /** The refusing server's HTTP status: 401 (key not accepted) or 403 (no permission). */
  readonly statusCode: number;
  constructor(message: string, options: { cause?: unknown; statusCode: number }) {
    super(message, options);
    this.name = 'AuthenticationError';
    this.mark('evalchemy.error.AuthenticationError');
    this.statusCode = options.statusCode;
  }
}

/** A file or directory of a run (results, samples, the response cache) could not be created or written. */
export class StorageError extends EvalchemyError {
  static override isInstance(error: unknown): error is StorageError {
    return EvalchemyError.hasMarker(error, 'evalchemy.error.StorageError');
  }
  /** The file or directory concerned. */
  readonly path: string;
  /** The operating system's error code (`ENOSPC`, `EROFS`, `EACCES`, …), when there is one. */
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; path: string; code?: string | undefined }) {
    super(message, options);
    this.name = 'StorageError';
    this.mark('evalchemy.error.StorageError');
    this.path = options.path;
    this.code = options.code;
  }
}

/** HTTP statuses after which the same request may succeed: 408, 409, 429 and every 5xx. */
export function isRetryableStatus(statusCode: number | undefined): boolean {
  if (statusCode === undefined) return false;
  return statusCode === 408 || statusCode === 409 || statusCode === 429 || statusCode >= 500;
}

/** A short, single-line description of any thrown value, for sample records and logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
