/**
 * An in-memory API server for the controllers' unit tests, on the runtime's FakeTransport: objects
 * by path; list, get, create, server-side apply, merge and JSON patches, delete with finalizers;
 * watch events to every open watch that selects the object. It imitates what matters for
 * "write only on change": built-in list items carry no apiVersion/kind, the API server adds fields
 * of its own (namespace label and finalizer, LimitRange defaults), generation moves only with the
 * spec, resourceVersion with every write. Namespaces terminate until `finishNamespaceDeletion`.
 * Not shipped code: only tests import it.
 */
import { randomUUID } from 'node:crypto';
import { deepEqual, type HttpRequest, type HttpResponse, type KubeObject, type ResourceRef } from '../../runtime/index.ts';
import { FakeTransport, json, statusBody } from '../../runtime/fake-transport.ts';

type Obj = KubeObject & Record<string, unknown>;

interface ParsedPath {
  /** `api/v1` or `apis/<group>/<version>`. */
  root: string;
  plural: string;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
}

function parsePath(path: string): ParsedPath {
  const m = /^\/(api\/v1|apis\/[^/]+\/[^/]+)\/(.*)$/.exec(path);
  if (!m) throw new Error(`fake cluster: unexpected path ${path}`);
  let rest = m[2]!.split('/').map(decodeURIComponent);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  return { root: m[1]!, plural: rest[0]!, namespace, name: rest[1], subresource: rest[2] };
}

function matchesSelector(obj: KubeObject, selector: unknown): boolean {
  if (typeof selector !== 'string' || selector === '') return true;
  const labels = obj.metadata.labels ?? {};
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return k !== undefined && labels[k] === v;
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902 for what controllers send: test, add (incl. `-`), remove, replace. Throws 422-worthy errors. */
function jsonPatch(doc: Obj, ops: { op: string; path: string; value?: unknown }[]): Obj {
  const out = structuredClone(doc);
  for (const op of ops) {
    const parts = op.path.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = parts.pop()!;
    let parent: unknown = out;
    for (const p of parts) parent = (parent as Record<string, unknown> | undefined)?.[p];
    const container = parent as Record<string, unknown> | unknown[] | undefined;
    const current = Array.isArray(container) ? container[Number(last)] : container?.[last];
    if (op.op === 'test') {
      if (!deepEqual(current ?? null, op.value ?? null)) throw new Error(`test failed at ${op.path}`);
    } else if (op.op === 'add' || op.op === 'replace') {
      if (container === undefined) throw new Error(`no parent for ${op.path}`);
      if (Array.isArray(container)) {
        if (last === '-') container.push(op.value);
        else if (op.op === 'add') container.splice(Number(last), 0, op.value);
        else container[Number(last)] = op.value;
      } else container[last] = op.value;
    } else if (op.op === 'remove') {
      if (current === undefined) throw new Error(`nothing to remove at ${op.path}`);
      if (Array.isArray(container)) container.splice(Number(last), 1);
      else delete (container as Record<string, unknown>)[last];
    }
  }
  return out;
}

export class FakeCluster {
  readonly transport = new FakeTransport();
  private readonly objects = new Map<string, Obj>();
  private rv = 100;

  constructor() {
    this.transport.on((req) => this.handle(req));
  }

  /** Creates or replaces an object as a client would (server fields are filled in). */
  put(ref: ResourceRef, obj: object): Obj {
    const o = structuredClone(obj) as Obj;
    const path = this.objectPath(ref, o.metadata.name!, o.metadata.namespace);
    const existing = this.objects.get(path);
    return this.store(path, { ...o, apiVersion: ref.apiVersion, kind: ref.kind }, existing);
  }

  get(ref: ResourceRef, name: string, namespace?: string): Obj | undefined {
    const o = this.objects.get(this.objectPath(ref, name, namespace));
    return o ? structuredClone(o) : undefined;
  }

  list(ref: ResourceRef, namespace?: string): Obj[] {
    const { root, plural } = parsePath(this.objectPath(ref, 'x', ref.namespaced ? 'x' : undefined));
    return this.select(root, plural, namespace).map((o) => structuredClone(o));
  }

  /** Changes an object as another client would (e.g. `kubectl scale`, the service controller's status). */
  update(ref: ResourceRef, name: string, namespace: string | undefined, mutate: (o: Obj) => void): Obj {
    const path = this.objectPath(ref, name, namespace);
    const existing = this.objects.get(path);
    if (!existing) throw new Error(`fake cluster: no ${ref.kind} ${namespace ?? ''}/${name}`);
    const next = structuredClone(existing);
    mutate(next);
    return this.store(path, next, existing);
  }

  /** What the namespace controller does: removes the namespace and everything in it. */
  finishNamespaceDeletion(name: string): void {
    for (const [path, o] of [...this.objects]) if (o.metadata.namespace === name) this.remove(path, o);
    const path = `/api/v1/namespaces/${name}`;
    const ns = this.objects.get(path);
    if (ns) this.remove(path, ns);
  }

  private objectPath(ref: ResourceRef, name: string, namespace: string | undefined): string {
    const root = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    return ref.namespaced ? `${root}/namespaces/${namespace}/${ref.plural}/${name}` : `${root}/${ref.plural}/${name}`;
  }

  private select(root: string, plural: string, namespace: string | undefined): Obj[] {
    const out: Obj[] = [];
    for (const [path, o] of this.objects) {
      const p = parsePath(path);
      if (p.root === root && p.plural === plural && (namespace === undefined || p.namespace === namespace)) out.push(o);
    }
    return out;
  }

  private handle(req: HttpRequest): HttpResponse | undefined {
    const p = parsePath(req.path);
    const collection = p.name === undefined;
    const objectPath = collection ? undefined : `/${p.root}/${p.namespace !== undefined ? `namespaces/${p.namespace}/` : ''}${p.plural}/${p.name}`;
    const existing = objectPath ? this.objects.get(objectPath) : undefined;
    const notFound = () => json(404, statusBody(404, 'NotFound', `${p.plural} "${p.name}" not found`));
    try {
      switch (req.method) {
        case 'GET': {
          if (!collection) return existing ? json(200, existing) : notFound();
          const core = p.root === 'api/v1';
          const items = this.select(p.root, p.plural, p.namespace)
            .filter((o) => matchesSelector(o, req.query?.labelSelector))
            // Built-in lists, like the real API server's, leave apiVersion and kind out of each item.
            .map((o) => (core ? { ...o, apiVersion: undefined, kind: undefined } : o));
          return json(200, { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.rv) }, items });
        }
        case 'POST': {
          const body = JSON.parse(req.body ?? '{}') as Obj;
          const path = `/${p.root}/${p.namespace !== undefined ? `namespaces/${p.namespace}/` : ''}${p.plural}/${body.metadata.name}`;
          if (this.objects.has(path)) return json(409, statusBody(409, 'AlreadyExists'));
          return json(201, this.store(path, body, undefined));
        }
        case 'PATCH':
          return this.patch(req, p, objectPath!, existing);
        case 'DELETE': {
          if (!existing) return notFound();
          const pre = (JSON.parse(req.body ?? '{}') as { preconditions?: { uid?: string } }).preconditions;
          if (pre?.uid && pre.uid !== existing.metadata.uid) return json(409, statusBody(409, 'Conflict', 'uid precondition failed'));
          if (p.plural === 'namespaces' || (existing.metadata.finalizers ?? []).length > 0) {
            if (existing.metadata.deletionTimestamp) return json(200, existing);
            const next = structuredClone(existing);
            next.metadata.deletionTimestamp = new Date().toISOString();
            return json(200, this.store(objectPath!, next, existing));
          }
          this.remove(objectPath!, existing);
          return json(200, statusBody(200, 'Success'));
        }
        default:
          return undefined;
      }
    } catch (err) {
      return json(422, statusBody(422, 'Invalid', String(err)));
    }
  }

  private patch(req: HttpRequest, p: ParsedPath, path: string, existing: Obj | undefined): HttpResponse {
    const body = JSON.parse(req.body ?? 'null') as unknown;
    const status = p.subresource === 'status';
    if (req.contentType === 'application/apply-patch+yaml') {
      const applied = body as Obj;
      if (status) {
        if (!existing) return json(404, statusBody(404, 'NotFound'));
        return json(200, this.store(path, { ...structuredClone(existing), status: applied.status }, existing));
      }
      // Enough of server-side apply for one manager: the fields sent replace ours, maps merge.
      const { metadata, status: _ignored, ...rest } = structuredClone(applied);
      const base = existing ? structuredClone(existing) : ({ metadata: {} } as Obj);
      const next: Obj = {
        ...base,
        ...rest,
        metadata: {
          ...base.metadata,
          name: metadata.name,
          ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
          labels: { ...base.metadata.labels, ...metadata.labels },
          annotations: { ...base.metadata.annotations, ...metadata.annotations },
          ...(metadata.ownerReferences ? { ownerReferences: metadata.ownerReferences } : {}),
        },
      };
      if (Object.keys(next.metadata.annotations ?? {}).length === 0) delete next.metadata.annotations;
      return json(existing ? 200 : 201, this.store(path, next, existing));
    }
    if (!existing) return json(404, statusBody(404, 'NotFound'));
    if (req.contentType === 'application/json-patch+json') {
      const next = jsonPatch(existing, body as { op: string; path: string; value?: unknown }[]);
      return json(200, this.store(path, next, existing));
    }
    const next = mergePatch(existing, body) as Obj;
    return json(200, this.store(path, next, existing));
  }

  /** Stores with server bookkeeping and defaults, emits the watch event, returns a copy. */
  private store(path: string, obj: Obj, existing: Obj | undefined): Obj {
    const next = structuredClone(obj);
    const p = parsePath(path);
    next.metadata.uid = existing?.metadata.uid ?? randomUUID();
    next.metadata.creationTimestamp = existing?.metadata.creationTimestamp ?? new Date().toISOString();
    next.metadata.resourceVersion = String(++this.rv);
    const specChanged = !existing || !deepEqual(existing.spec, next.spec);
    next.metadata.generation = (existing?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
    this.defaults(p.plural, next);
    // Deleted once the last finalizer is gone.
    if (existing && next.metadata.deletionTimestamp && (next.metadata.finalizers ?? []).length === 0 && p.plural !== 'namespaces') {
      this.remove(path, next);
      return structuredClone(next);
    }
    this.objects.set(path, next);
    this.emit(existing ? 'MODIFIED' : 'ADDED', path, next);
    return structuredClone(next);
  }

  /** Fields the real API server adds. */
  private defaults(plural: string, o: Obj): void {
    if (plural === 'namespaces') {
      o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name! };
      o.spec = { finalizers: ['kubernetes'] };
      o.status = { phase: o.metadata.deletionTimestamp ? 'Terminating' : 'Active' };
    }
    if (plural === 'limitranges') {
      for (const item of ((o.spec as { limits?: Record<string, unknown>[] } | undefined)?.limits ?? [])) {
        if (item.type === 'Container' && item.max) {
          item.default ??= structuredClone(item.max);
          item.defaultRequest ??= structuredClone(item.max);
        }
      }
    }
  }

  private remove(path: string, obj: Obj): void {
    this.objects.delete(path);
    this.emit('DELETED', path, obj);
  }

  private emit(type: string, path: string, obj: Obj): void {
    const p = parsePath(path);
    for (const w of this.transport.watches) {
      if (w.isEnded) continue;
      const wp = parsePath(w.path);
      if (wp.root !== p.root || wp.plural !== p.plural) continue;
      if (wp.namespace !== undefined && wp.namespace !== p.namespace) continue;
      if (!matchesSelector(obj, w.query.labelSelector)) continue;
      w.emit(type, structuredClone(obj));
    }
  }
}
