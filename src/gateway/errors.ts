/**
 * Every 4xx/5xx the gateway sends is `{"error": "<what is wrong, naming the field>", "code": "<stable>"}`.
 * Codes are stable identifiers clients and tests match on; messages are for people. A message never
 * contains a credential, a token or a request body.
 */

export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly code: string;
  /** Extra response headers (Allow, Retry-After). */
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const badRequest = (code: string, message: string) => new HttpError(400, code, message);
export const unauthorized = (code: string, message: string) => new HttpError(401, code, message, { 'www-authenticate': 'Bearer' });
export const forbidden = (code: string, message: string) => new HttpError(403, code, message);
export const notFound = (code: string, message: string) => new HttpError(404, code, message);
export const unprocessable = (code: string, message: string) => new HttpError(422, code, message);

/** The JSON body of an error response. */
export function errorBody(err: HttpError): string {
  return JSON.stringify({ error: err.message, code: err.code });
}
