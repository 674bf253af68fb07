/**
 * A small in-memory API server on FakeTransport for this controller's tests (only *.test.ts
 * import it): objects by path, list with label selectors (items without apiVersion/kind for
 * built-in kinds, as the real server sends them), server-side apply approximated as "the applied
 * fields replace ours" with generation bumps on spec changes, the status subresource, deletes with
 * uid preconditions, and watch events pushed to the informers' open watches.
 */
import { deepEqual, type HttpRequest, type HttpResponse, type KubeObject, type ResourceRef } from '../../runtime/index.ts';
import { FakeTransport, json, statusBody } from '../../runtime/fake-transport.ts';

interface Target {
  gv: string;
  plural: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

type Stored = KubeObject & Record<string, unknown>;

function parsePath(path: string): Target | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let rest: string[];
  let gv: string;
  if (parts[0] === 'api') {
    gv = parts[1] ?? '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    gv = `${parts[1] ?? ''}/${parts[2] ?? ''}`;
    rest = parts.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource] = rest;
  if (!plural) return undefined;
  return { gv, plural, namespace, name, subresource };
}

function matchesSelector(obj: KubeObject, selector: unknown): boolean {
  if (typeof selector !== 'string' || selector === '') return true;
  const labels = obj.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return k !== undefined && labels[k] === v;
  });
}

const BUILT_IN = new Set(['v1', 'apps/v1', 'networking.k8s.io/v1']);

export class FakeApi {
  readonly transport = new FakeTransport();
  private readonly objects = new Map<string, Stored>();
  private rv = 100;
  private uids = 0;

  constructor() {
    this.transport.on((req) => this.handle(req));
  }

  /** Stores `obj` as if created or replaced (uid, resourceVersion, generation) and tells the watches. */
  put<T extends KubeObject>(ref: ResourceRef, obj: T): T {
    const key = this.key(ref.apiVersion, ref.plural, obj.metadata.namespace, obj.metadata.name ?? '');
    const old = this.objects.get(key);
    const stored = structuredClone({
      ...obj,
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      // An update keeps the uid, as the API server does.
      metadata: { uid: old?.metadata.uid ?? `uid-${++this.uids}`, generation: 1, ...obj.metadata, resourceVersion: String(++this.rv) },
    }) as unknown as Stored;
    this.objects.set(key, stored);
    this.notify(ref.apiVersion, ref.plural, old ? 'MODIFIED' : 'ADDED', stored);
    return structuredClone(stored) as unknown as T;
  }

  get<T extends KubeObject = Stored>(ref: ResourceRef, namespace: string | undefined, name: string): T | undefined {
    const obj = this.objects.get(this.key(ref.apiVersion, ref.plural, namespace, name));
    return obj ? (structuredClone(obj) as unknown as T) : undefined;
  }

  /** Names of the stored objects of one kind in a namespace, sorted. */
  names(ref: ResourceRef, namespace: string): string[] {
    return this.all(ref.apiVersion, ref.plural, namespace).map((o) => o.metadata.name ?? '').sort();
  }

  /** Sets an object's status as its own controller would (e.g. a Deployment's replicas). */
  setStatus(ref: ResourceRef, namespace: string, name: string, status: unknown): void {
    const obj = this.objects.get(this.key(ref.apiVersion, ref.plural, namespace, name));
    if (!obj) throw new Error(`fake-api: no ${ref.plural} ${namespace}/${name}`);
    obj.status = structuredClone(status);
    obj.metadata.resourceVersion = String(++this.rv);
    this.notify(ref.apiVersion, ref.plural, 'MODIFIED', obj);
  }

  /** Write requests from index `from` on. */
  writes(from = 0): HttpRequest[] {
    return this.transport.requests.slice(from).filter((r) => r.method !== 'GET');
  }

  get mark(): number {
    return this.transport.requests.length;
  }

  private key(gv: string, plural: string, namespace: string | undefined, name: string): string {
    return `${gv}|${plural}|${namespace ?? ''}|${name}`;
  }

  private all(gv: string, plural: string, namespace: string | undefined): Stored[] {
    const prefix = `${gv}|${plural}|`;
    return [...this.objects.entries()].filter(([k, o]) => k.startsWith(prefix) && (namespace === undefined || o.metadata.namespace === namespace)).map(([, o]) => o);
  }

  private handle(req: HttpRequest): HttpResponse {
    const t = parsePath(req.path);
    if (!t) return json(404, statusBody(404, 'NotFound'));
    if (t.plural === 'events') return json(201, JSON.parse(req.body ?? '{}'));
    const key = t.name ? this.key(t.gv, t.plural, t.namespace, t.name) : '';
    const existing = t.name ? this.objects.get(key) : undefined;
    switch (req.method) {
      case 'GET': {
        if (t.name) return existing ? json(200, existing) : json(404, statusBody(404, 'NotFound'));
        const items = this.all(t.gv, t.plural, t.namespace)
          .filter((o) => matchesSelector(o, req.query?.labelSelector))
          .map(({ apiVersion: _v, kind: _k, ...rest }) => (BUILT_IN.has(t.gv) ? rest : { apiVersion: _v, kind: _k, ...rest }));
        return json(200, { metadata: { resourceVersion: String(this.rv) }, items });
      }
      case 'PATCH': {
        if (req.contentType !== 'application/apply-patch+yaml') return json(415, statusBody(415, 'UnsupportedMediaType'));
        const body = JSON.parse(req.body ?? '{}') as Stored;
        if (t.subresource === 'status') {
          if (!existing) return json(404, statusBody(404, 'NotFound'));
          existing.status = body.status;
          existing.metadata.resourceVersion = String(++this.rv);
          this.notify(t.gv, t.plural, 'MODIFIED', existing);
          return json(200, existing);
        }
        const { metadata, ...fields } = body;
        const next: Stored = existing
          ? {
              ...existing,
              ...fields,
              metadata: { ...existing.metadata, ...metadata, resourceVersion: String(++this.rv), generation: (existing.metadata.generation ?? 1) + (deepEqual(existing.spec, fields.spec) ? 0 : 1) },
            }
          : { ...fields, metadata: { ...metadata, uid: `uid-${++this.uids}`, resourceVersion: String(++this.rv), generation: 1 } };
        if (existing?.status !== undefined) next.status = existing.status;
        this.objects.set(key, next);
        this.notify(t.gv, t.plural, existing ? 'MODIFIED' : 'ADDED', next);
        return json(existing ? 200 : 201, next);
      }
      case 'DELETE': {
        if (!existing) return json(404, statusBody(404, 'NotFound'));
        const pre = (JSON.parse(req.body ?? '{}') as { preconditions?: { uid?: string } }).preconditions;
        if (pre?.uid && pre.uid !== existing.metadata.uid) return json(409, statusBody(409, 'Conflict', 'uid precondition failed'));
        this.objects.delete(key);
        this.notify(t.gv, t.plural, 'DELETED', existing);
        return json(200, { kind: 'Status', status: 'Success' });
      }
      default:
        return json(405, statusBody(405, 'MethodNotAllowed'));
    }
  }

  private notify(gv: string, plural: string, type: string, obj: Stored): void {
    for (const w of this.transport.watches) {
      if (w.isEnded) continue;
      const t = parsePath(w.path);
      if (!t || t.gv !== gv || t.plural !== plural) continue;
      if (t.namespace !== undefined && t.namespace !== obj.metadata.namespace) continue;
      if (!matchesSelector(obj, w.query.labelSelector)) continue;
      w.emit(type, structuredClone(obj));
    }
  }
}
