/**
 * Request bodies with a hard size limit, and JSON responses. A declared Content-Length over the
 * limit is refused before a byte is read; a chunked body is counted as it arrives and refused the
 * moment it passes the limit, so memory per request never exceeds the limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, errorBody } from './errors.ts';

/** `application/json`, with or without parameters (`; charset=UTF-8`, as the Go client sends). */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const type = header.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json';
}

const tooLarge = (limit: number) => new HttpError(413, 'body_too_large', `the request body exceeds the limit of ${limit} bytes`);

/** The whole body of a JSON request, at most `limit` bytes; throws HttpError 413/415/400. */
export function readJsonBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (!isJsonContentType(req.headers['content-type'])) {
    return Promise.reject(
      new HttpError(415, 'unsupported_media_type', `content-type must be application/json, got ${JSON.stringify((req.headers['content-type'] ?? '').slice(0, 100))}`),
    );
  }
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err) {
        req.pause(); // read no further; the response closes the connection
        reject(err);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return done(tooLarge(limit));
      chunks.push(chunk);
    };
    const onEnd = () => done();
    const onError = (err: Error) => done(new HttpError(400, 'body_unreadable', `the request body could not be read: ${err.message}`));
    const onAborted = () => done(new HttpError(400, 'body_unreadable', 'the client aborted the request body'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/** Sends a JSON text (or an empty body when `json` is ''). */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, json: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const h: Record<string, string | number> = { ...COMMON_HEADERS, ...headers, 'content-length': Buffer.byteLength(json) };
  if (json !== '') h['content-type'] = 'application/json; charset=utf-8';
  // A body we did not read (refused early, or too large) must not be drained to keep the connection.
  if (!req.complete) h.connection = 'close';
  res.writeHead(status, h);
  res.end(json);
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: HttpError): void {
  sendJson(req, res, err.status, errorBody(err), err.headers);
}
