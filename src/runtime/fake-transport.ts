/**
 * An in-memory Transport for unit tests (ours and the controllers'): it records every request, answers
 * from handlers, and hands out watches the test drives by hand. No cluster, no sockets.
 */
import type { HttpRequest, HttpResponse, QueryParams, Transport, WatchEventHandler } from './transport.ts';

export type FakeHandler = (req: HttpRequest) => HttpResponse | undefined;

export class FakeWatch {
  readonly path: string;
  readonly query: QueryParams;
  readonly controller = new AbortController();
  private readonly onEvent: WatchEventHandler;
  private readonly onDone: (err: unknown) => void;
  private ended = false;

  constructor(path: string, query: QueryParams, onEvent: WatchEventHandler, onDone: (err: unknown) => void) {
    this.path = path;
    this.query = query;
    this.onEvent = onEvent;
    this.onDone = onDone;
    // Like client-node: aborting the request ends the stream with an AbortError.
    this.controller.signal.addEventListener('abort', () => this.end(new DOMException('aborted', 'AbortError')));
  }

  get aborted(): boolean {
    return this.controller.signal.aborted;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  emit(type: string, object: unknown): void {
    if (!this.ended) this.onEvent(type, object);
  }

  /** Ends the stream: `null` is a normal close (server timeout), anything else an error. */
  end(err: unknown = null): void {
    if (this.ended) return;
    this.ended = true;
    this.onDone(err);
  }
}

export class FakeTransport implements Transport {
  readonly host = 'fake-apiserver';
  readonly requests: HttpRequest[] = [];
  readonly watches: FakeWatch[] = [];
  private readonly handlers: FakeHandler[] = [];
  /** Set to make the next watch() calls reject (e.g. auth failure before the request). */
  watchError: Error | undefined;

  /** Adds a handler; the most recently added one that answers wins. */
  on(handler: FakeHandler): this {
    this.handlers.unshift(handler);
    return this;
  }

  /** Answers `method` requests whose path equals `path` with `status` and JSON `body`. */
  reply(method: string, path: string, status: number, body: unknown): this {
    return this.on((req) => (req.method === method && req.path === path ? json(status, body) : undefined));
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    this.requests.push(req);
    for (const h of this.handlers) {
      const res = h(req);
      if (res) return res;
    }
    return json(404, { kind: 'Status', code: 404, reason: 'NotFound', message: `fake: no handler for ${req.method} ${req.path}` });
  }

  async watch(path: string, query: QueryParams, onEvent: WatchEventHandler, onDone: (err: unknown) => void): Promise<AbortController> {
    if (this.watchError) throw this.watchError;
    const w = new FakeWatch(path, query, onEvent, onDone);
    this.watches.push(w);
    return w.controller;
  }

  /** The newest watch; throws when none was started. */
  get lastWatch(): FakeWatch {
    const w = this.watches.at(-1);
    if (!w) throw new Error('fake: no watch started yet');
    return w;
  }

  /** Write requests (anything but GET) seen so far. */
  get writes(): HttpRequest[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }
}

export function json(status: number, body: unknown): HttpResponse {
  return { status, body: JSON.stringify(body) };
}

/** A Status body as the API server sends with an error code. */
export function statusBody(code: number, reason: string, message = reason): unknown {
  return { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message };
}
