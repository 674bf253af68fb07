/**
 * Errors of the controller runtime. A reconciler throws `TerminalError` for bad input that no retry
 * can fix; any other error is retried with per-key backoff. `ApiError` carries the API server's answer.
 */

/** Bad input: the controller records it and does not retry until the object changes. */
export class TerminalError extends Error {
  override name = 'TerminalError';
}

/** The API server's `Status` object, as far as we read it. */
export interface ApiStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: unknown;
}

/** A non-2xx answer from the API server, naming the request that got it. */
export class ApiError extends Error {
  override name = 'ApiError';
  /** HTTP status code (404, 409, 410, 422, …). */
  readonly code: number;
  /** The `reason` of the returned Status (`NotFound`, `Conflict`, `Expired`, …) when there was one. */
  readonly reason: string | undefined;
  readonly status: ApiStatus | undefined;
  readonly method: string;
  readonly path: string;

  constructor(method: string, path: string, code: number, body: string) {
    const status = parseStatus(body);
    const detail = status?.message ?? (body.length > 200 ? `${body.slice(0, 200)}…` : body);
    super(`${method} ${path}: ${code}${status?.reason ? ` ${status.reason}` : ''}: ${detail || 'no message'}`);
    this.code = code;
    this.reason = status?.reason;
    this.status = status;
    this.method = method;
    this.path = path;
  }
}

function parseStatus(body: string): ApiStatus | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' ? (parsed as ApiStatus) : undefined;
  } catch {
    return undefined;
  }
}

function codeOf(err: unknown): number | undefined {
  if (err instanceof ApiError) return err.code;
  // client-node's Watch reports a failed watch request as an Error with `statusCode`.
  if (err !== null && typeof err === 'object') {
    const e = err as { statusCode?: unknown; code?: unknown };
    if (typeof e.statusCode === 'number') return e.statusCode;
    if (typeof e.code === 'number') return e.code;
  }
  return undefined;
}

export const isNotFound = (err: unknown): boolean => codeOf(err) === 404;
export const isConflict = (err: unknown): boolean => codeOf(err) === 409;
export const isForbidden = (err: unknown): boolean => codeOf(err) === 403;
/** 410 Gone: the resourceVersion (or continue token) is too old; relist. */
export const isGone = (err: unknown): boolean => codeOf(err) === 410;

/** A short, log-safe description of any thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
