/**
 * An in-memory Kubernetes API server for unit tests, on FakeTransport. Test support: only *.test.ts
 * files and test helpers import it (index.ts does not export it). Generic: it knows Kubernetes'
 * built-in kinds where the real server treats them specially, never a kind of ours.
 *
 * What it imitates, because "write only on change" depends on it:
 * - objects by path; get, list and watch with label selectors (full syntax; field selectors are
 *   refused); lists sorted by namespace/name, their items without apiVersion/kind for built-in API
 *   groups (CRs keep both), as the real server sends them;
 * - create (generateName too), update (resourceVersion conflicts), merge patch (RFC 7386), JSON
 *   patch (RFC 6902 with `test`: a failed op fails all, 422) and server-side apply per field manager:
 *   top-level fields and status fields are atomic, labels and annotations merge per key,
 *   ownerReferences (by uid) and finalizers per entry; what a manager applied before and drops now
 *   goes, what others set stays. There are no conflicts (our client always forces);
 * - the status subresource: writes to it change only status, writes to the object never change status;
 * - server bookkeeping: uid, creationTimestamp, resourceVersion on every write, generation moving
 *   only with the spec; fields the server adds (namespace name label, `kubernetes` finalizer and
 *   phase; LimitRange defaults; node ports of NodePort Services, kept across applies);
 * - delete with uid/resourceVersion preconditions; finalizers keep an object (deletionTimestamp set)
 *   until the last one is removed; a namespace stays Terminating until `finishNamespaceDeletion`,
 *   what the namespace controller would do;
 * - watch events for every write to each open watch that selects the object (ADDED/DELETED when a
 *   change moves it into or out of a watch's selector).
 * Not imitated: watch replay from a resourceVersion, paging, garbage collection, admission.
 */
import { randomUUID } from 'node:crypto';
import { deepEqual } from './compare.ts';
import { FakeTransport, json, statusBody } from './fake-transport.ts';
import { groupOf, type KubeObject, type OwnerReference, type ResourceRef } from './resource.ts';
import type { HttpRequest, HttpResponse, QueryParams } from './transport.ts';

/** A stored object: any JSON fields beside metadata. */
export type FakeObject = KubeObject & Record<string, unknown>;

/** Where an object lives: `gv` is `v1` for the core group, else `<group>/<version>`. */
interface Loc {
  gv: string;
  plural: string;
  namespace: string | undefined;
  name: string;
}

interface Target extends Omit<Loc, 'name'> {
  name: string | undefined;
  subresource: string | undefined;
}

/** API groups kube-apiserver serves itself: their list items carry no apiVersion/kind. */
const BUILT_IN_GROUPS = new Set([
  '', 'apps', 'batch', 'autoscaling', 'policy', 'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'apiregistration.k8s.io',
  'authentication.k8s.io', 'authorization.k8s.io', 'certificates.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io',
  'flowcontrol.apiserver.k8s.io', 'networking.k8s.io', 'node.k8s.io', 'rbac.authorization.k8s.io', 'resource.k8s.io', 'scheduling.k8s.io',
  'storage.k8s.io', 'storagemigration.k8s.io',
]);

const APPLY = 'application/apply-patch+yaml';
const MERGE_PATCH = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

/** A failed request, answered with a Status. */
class Fail extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isNamespace = (l: { gv: string; plural: string }) => l.gv === 'v1' && l.plural === 'namespaces';

/** `/api/v1/...` or `/apis/<group>/<version>/...`; undefined for any other path. */
function parsePath(path: string): Target | undefined {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let gv: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) [gv, rest] = [parts[1]!, parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 4) [gv, rest] = [`${parts[1]}/${parts[2]}`, parts.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  // `namespaces/<ns>/<plural>/...`, but not a namespace's own subresource (`namespaces/<ns>/status`).
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource] = rest;
  return plural ? { gv, plural, namespace, name, subresource } : undefined;
}

/** `deployments.apps`, `namespaces`: how the real server names a resource in its messages. */
function resourceName(gv: string, plural: string): string {
  const group = groupOf(gv);
  return group ? `${plural}.${group}` : plural;
}

function storeKey(l: Loc): string {
  return `${l.gv}|${l.plural}|${l.namespace ?? ''}|${l.name}`;
}

// ---- selectors ----

/** Splits at commas outside parentheses (`a in (x,y),b`). */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

/** One label selector requirement: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`. */
function labelRequirement(term: string): (labels: Record<string, string>) => boolean {
  const set = /^([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (set) {
    const [, key, op, list] = set as unknown as [string, string, string, string];
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in' ? (l) => Object.hasOwn(l, key) && values.has(l[key]!) : (l) => !Object.hasOwn(l, key) || !values.has(l[key]!);
  }
  const eq = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(term);
  if (eq) {
    const [, key, op, value] = eq as unknown as [string, string, string, string];
    return op === '!=' ? (l) => l[key] !== value : (l) => Object.hasOwn(l, key) && l[key] === value;
  }
  const exists = /^(!?)\s*([^\s!=(),]+)$/.exec(term);
  if (exists) {
    const [, not, key] = exists as unknown as [string, string, string];
    return not ? (l) => !Object.hasOwn(l, key) : (l) => Object.hasOwn(l, key);
  }
  throw new Fail(400, 'BadRequest', `unable to parse requirement: ${term}`);
}

/** Whether `obj` passes the labelSelector of a list or watch; a bad selector (or any fieldSelector) throws 400. */
function selects(query: QueryParams | undefined, obj: FakeObject): boolean {
  if (query?.fieldSelector) throw new Fail(400, 'BadRequest', 'fake api: field selectors are not supported');
  const selector = query?.labelSelector;
  const labels = obj.metadata.labels ?? {};
  return typeof selector !== 'string' || splitTerms(selector).every((t) => labelRequirement(t)(labels));
}

// ---- patches ----

/** RFC 7386: objects merge, anything else replaces, `null` deletes. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

type Container = Record<string, unknown> | unknown[];

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Fail(422, 'Invalid', `JSON pointer must start with /: ${path}`);
  return path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function child(c: unknown, key: string): unknown {
  if (Array.isArray(c)) return /^\d+$/.test(key) ? c[Number(key)] : undefined;
  return isObject(c) ? c[key] : undefined;
}

/** The container holding the pointer's last token (which must exist) and that token. */
function parentOf(doc: unknown, path: string): [Container, string] {
  const parts = pointer(path);
  const last = parts.pop();
  let parent = doc;
  for (const p of parts) parent = child(parent, p);
  if (last === undefined || (!Array.isArray(parent) && !isObject(parent))) throw new Fail(422, 'Invalid', `doc is missing path: ${path}`);
  return [parent, last];
}

function read(doc: unknown, path: string): unknown {
  let v = doc;
  for (const p of pointer(path)) v = child(v, p);
  return v;
}

function add(doc: unknown, path: string, value: unknown): unknown {
  if (path === '') return value;
  const [parent, key] = parentOf(doc, path);
  if (!Array.isArray(parent)) parent[key] = value;
  else if (key === '-') parent.push(value);
  else if (/^\d+$/.test(key) && Number(key) <= parent.length) parent.splice(Number(key), 0, value);
  else throw new Fail(422, 'Invalid', `index out of range: ${path}`);
  return doc;
}

function remove(doc: unknown, path: string): unknown {
  const [parent, key] = parentOf(doc, path);
  if (child(parent, key) === undefined) throw new Fail(422, 'Invalid', `doc is missing key: ${path}`);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return doc;
}

interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
}

/** RFC 6902 but `move` and `copy`; any failing operation (a `test` included) fails the whole patch. */
function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new Fail(400, 'BadRequest', 'a JSON patch must be an array of operations');
  let out = structuredClone(doc);
  for (const op of ops as PatchOp[]) {
    switch (op.op) {
      case 'test':
        // A missing value tests equal to null, as the API server's json-patch has it.
        if (!deepEqual(read(out, op.path) ?? null, op.value ?? null)) throw new Fail(422, 'Invalid', `testing value ${op.path} failed`);
        break;
      case 'add':
        out = add(out, op.path, structuredClone(op.value));
        break;
      case 'remove':
        out = remove(out, op.path);
        break;
      case 'replace':
        out = add(remove(out, op.path), op.path, structuredClone(op.value));
        break;
      default:
        throw new Fail(400, 'BadRequest', `unexpected JSON patch operation ${op.op}`);
    }
  }
  return out;
}

/**
 * Server-side apply by one manager on a map of atomic values: what it applied before and no longer
 * applies goes, what it applies now is set, everything else stays. Empty → undefined.
 */
function applyMap<T>(live: Record<string, T> | undefined, prev: Record<string, T> | undefined, next: Record<string, T> | undefined): Record<string, T> | undefined {
  const out: Record<string, T> = { ...live };
  for (const k of Object.keys(prev ?? {})) if (!next || !Object.hasOwn(next, k)) delete out[k];
  Object.assign(out, next);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The same for a list whose entries are identified by `id` (a list-map or a set). */
function applyList<T>(live: T[] | undefined, prev: T[] | undefined, next: T[] | undefined, id: (v: T) => string): T[] | undefined {
  const nextIds = new Set((next ?? []).map(id));
  const dropped = new Set((prev ?? []).map(id).filter((k) => !nextIds.has(k)));
  const out = (live ?? []).filter((v) => !dropped.has(id(v))).map((v) => (next ?? []).find((n) => id(n) === id(v)) ?? v);
  for (const n of next ?? []) if (!out.some((v) => id(v) === id(n))) out.push(n);
  return out.length > 0 ? out : undefined;
}

/** The object's own fields: everything but type meta, metadata and status. */
function fieldsOf(obj: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!obj) return undefined;
  const { apiVersion: _v, kind: _k, metadata: _m, status: _s, ...fields } = obj;
  return fields;
}

// ---- defaults the real API server adds ----

function defaults(l: Loc, o: FakeObject): void {
  if (isNamespace(l)) {
    o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': l.name };
    o.spec = { finalizers: ['kubernetes'] };
    o.status = { phase: o.metadata.deletionTimestamp ? 'Terminating' : 'Active' };
  }
  if (l.gv === 'v1' && l.plural === 'limitranges') {
    type Item = { type?: string; max?: Record<string, unknown>; min?: Record<string, unknown>; default?: Record<string, unknown>; defaultRequest?: Record<string, unknown> };
    for (const item of ((o.spec as { limits?: Item[] } | undefined)?.limits ?? [])) {
      if (item.type !== 'Container') continue;
      // SetDefaults_LimitRangeItem: default ← max, defaultRequest ← default, then ← min; per resource.
      const byDefault = { ...item.max, ...item.default };
      const byRequest = { ...item.min, ...byDefault, ...item.defaultRequest };
      if (Object.keys(byDefault).length > 0) item.default = byDefault;
      if (Object.keys(byRequest).length > 0) item.defaultRequest = byRequest;
    }
  }
}

const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Entry {
  loc: Loc;
  obj: FakeObject;
}

export class FakeApi {
  readonly transport = new FakeTransport();
  private readonly objects = new Map<string, Entry>();
  /** What each field manager last applied, by store key (+ `/status`). */
  private readonly applied = new Map<string, Map<string, FakeObject>>();
  private rv = 100;

  constructor() {
    this.transport.on((req) => this.handle(req));
  }

  // ---- for tests: the cluster as other actors (kubectl, other controllers) change it ----

  /** Creates or replaces an object (status too, as given); the server's fields are filled in. */
  put(ref: ResourceRef, obj: object): FakeObject {
    const o = obj as FakeObject;
    const loc = this.locOf(ref, o.metadata.name ?? '', o.metadata.namespace);
    return this.commit(loc, { ...o, apiVersion: ref.apiVersion, kind: ref.kind }, this.objects.get(storeKey(loc))?.obj);
  }

  get<T extends KubeObject = FakeObject>(ref: ResourceRef, name: string, namespace?: string): T | undefined {
    const e = this.objects.get(storeKey(this.locOf(ref, name, namespace)));
    return e ? (structuredClone(e.obj) as unknown as T) : undefined;
  }

  /** The objects of one kind (in one namespace, or all), sorted by namespace and name. */
  list(ref: ResourceRef, namespace?: string): FakeObject[] {
    return this.select(ref.apiVersion, ref.plural, namespace).map((o) => structuredClone(o));
  }

  /** Their names. */
  names(ref: ResourceRef, namespace?: string): string[] {
    return this.select(ref.apiVersion, ref.plural, namespace).map((o) => o.metadata.name ?? '');
  }

  /** Changes an object as another client would (`kubectl scale`, a controller's status). */
  update(ref: ResourceRef, name: string, namespace: string | undefined, mutate: (o: FakeObject) => void): FakeObject {
    const loc = this.locOf(ref, name, namespace);
    const existing = this.objects.get(storeKey(loc))?.obj;
    if (!existing) throw new Error(`fake api: no ${ref.kind} ${namespace ? `${namespace}/` : ''}${name}`);
    const next = structuredClone(existing);
    mutate(next);
    return this.commit(loc, next, existing);
  }

  /** What the namespace controller does: removes everything in the namespace, then the namespace. */
  finishNamespaceDeletion(name: string): void {
    for (const e of [...this.objects.values()]) if (e.loc.namespace === name) this.remove(e.loc, e.obj);
    const ns = this.objects.get(storeKey({ gv: 'v1', plural: 'namespaces', namespace: undefined, name }));
    if (ns) this.remove(ns.loc, ns.obj);
  }

  /** Write requests (anything but GET) from request index `from` on. */
  writes(from = 0): HttpRequest[] {
    return this.transport.requests.slice(from).filter((r) => r.method !== 'GET');
  }

  /** The index the next request will get: pass it to `writes` later. */
  get mark(): number {
    return this.transport.requests.length;
  }

  private locOf(ref: ResourceRef, name: string, namespace: string | undefined): Loc {
    if (!name) throw new Error(`fake api: ${ref.kind} needs a name`);
    if (ref.namespaced && !namespace) throw new Error(`fake api: ${ref.kind} ${name} needs a namespace`);
    return { gv: ref.apiVersion, plural: ref.plural, namespace: ref.namespaced ? namespace : undefined, name };
  }

  private select(gv: string, plural: string, namespace: string | undefined): FakeObject[] {
    const out: Entry[] = [];
    for (const e of this.objects.values()) if (e.loc.gv === gv && e.loc.plural === plural && (namespace === undefined || e.loc.namespace === namespace)) out.push(e);
    const order = (e: Entry) => `${e.loc.namespace ?? ''}/${e.loc.name}`;
    return out.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0)).map((e) => e.obj);
  }

  // ---- the HTTP side ----

  private handle(req: HttpRequest): HttpResponse | undefined {
    const t = parsePath(req.path);
    if (!t) return undefined;
    try {
      if (req.method === 'GET') return t.name === undefined ? this.listResponse(t, req.query) : this.getResponse(t);
      if (req.method === 'POST' && t.name === undefined) return this.create(t, req);
      if (t.name === undefined) throw new Fail(405, 'MethodNotAllowed', `${req.method} is not supported on a collection`);
      const loc: Loc = { gv: t.gv, plural: t.plural, namespace: t.namespace, name: t.name };
      const existing = this.objects.get(storeKey(loc))?.obj;
      switch (req.method) {
        case 'PUT':
          return this.replace(loc, t.subresource, existing, req);
        case 'PATCH':
          return this.patch(loc, t.subresource, existing, req);
        case 'DELETE':
          return this.delete(loc, existing, req);
        default:
          throw new Fail(405, 'MethodNotAllowed', `${req.method} is not supported`);
      }
    } catch (err) {
      if (err instanceof Fail) return json(err.code, statusBody(err.code, err.reason, err.message));
      return json(500, statusBody(500, 'InternalError', String(err)));
    }
  }

  private notFound(l: { gv: string; plural: string; name?: string | undefined }): Fail {
    return new Fail(404, 'NotFound', `${resourceName(l.gv, l.plural)} "${l.name ?? ''}" not found`);
  }

  private getResponse(t: Target): HttpResponse {
    const e = this.objects.get(storeKey({ ...t, name: t.name ?? '' }));
    if (!e) throw this.notFound(t);
    return json(200, e.obj);
  }

  private listResponse(t: Target, query: QueryParams | undefined): HttpResponse {
    const bare = BUILT_IN_GROUPS.has(groupOf(t.gv));
    const items = this.select(t.gv, t.plural, t.namespace)
      .filter((o) => selects(query, o))
      .map(({ apiVersion, kind, ...rest }) => (bare ? rest : { apiVersion, kind, ...rest }));
    return json(200, { apiVersion: t.gv, kind: 'List', metadata: { resourceVersion: String(this.rv) }, items });
  }

  private create(t: Target, req: HttpRequest): HttpResponse {
    const body = bodyOf(req);
    if (!isObject(body) || !isObject(body.metadata)) throw new Fail(400, 'BadRequest', 'the body must be an object with metadata');
    const obj = body as FakeObject;
    const { name: given, generateName, namespace } = obj.metadata;
    if (namespace && t.namespace && namespace !== t.namespace) throw new Fail(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    const name = given || (generateName ? `${generateName}${randomUUID().replace(/-/g, '').slice(0, 5)}` : '');
    if (!name) throw new Fail(422, 'Invalid', 'metadata.name: Required value: name or generateName is required');
    const loc: Loc = { gv: t.gv, plural: t.plural, namespace: t.namespace, name };
    if (this.objects.has(storeKey(loc))) throw new Fail(409, 'AlreadyExists', `${resourceName(loc.gv, loc.plural)} "${name}" already exists`);
    const { status: _status, ...rest } = obj;
    return json(201, this.commit(loc, rest as FakeObject, undefined));
  }

  private replace(loc: Loc, subresource: string | undefined, existing: FakeObject | undefined, req: HttpRequest): HttpResponse {
    if (!existing) throw this.notFound(loc);
    const body = bodyOf(req) as FakeObject;
    const rv = body?.metadata?.resourceVersion;
    if (rv && rv !== existing.metadata.resourceVersion) {
      throw new Fail(409, 'Conflict', `Operation cannot be fulfilled on ${resourceName(loc.gv, loc.plural)} "${loc.name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    return json(200, this.commit(loc, this.confine(subresource, existing, body), existing));
  }

  private patch(loc: Loc, subresource: string | undefined, existing: FakeObject | undefined, req: HttpRequest): HttpResponse {
    const body = bodyOf(req);
    if (req.contentType === APPLY) {
      if (!existing && subresource === 'status') throw this.notFound(loc);
      const manager = typeof req.query?.fieldManager === 'string' ? req.query.fieldManager : '';
      if (!manager) throw new Fail(400, 'BadRequest', 'PATCH, application/apply-patch+yaml: fieldManager is required');
      if (!isObject(body) || !isObject(body.metadata)) throw new Fail(400, 'BadRequest', 'the applied configuration must be an object with metadata');
      return json(existing ? 200 : 201, this.commit(loc, this.serverSideApply(loc, subresource, existing, body as FakeObject, manager), existing));
    }
    if (!existing) throw this.notFound(loc);
    let patched: unknown;
    if (req.contentType === MERGE_PATCH) patched = mergePatch(existing, body);
    else if (req.contentType === JSON_PATCH) patched = jsonPatch(existing, body);
    else throw new Fail(415, 'UnsupportedMediaType', `the media type ${req.contentType ?? ''} is not supported`);
    if (!isObject(patched) || !isObject(patched.metadata)) throw new Fail(422, 'Invalid', 'the patched object has no metadata');
    return json(200, this.commit(loc, this.confine(subresource, existing, patched as FakeObject), existing));
  }

  /** A write to the status subresource changes only status; one to the object never changes status. */
  private confine(subresource: string | undefined, existing: FakeObject, next: FakeObject): FakeObject {
    const { status: _status, ...rest } = next;
    if (subresource === 'status') return { ...existing, status: next.status };
    return existing.status === undefined ? (rest as FakeObject) : { ...rest, status: existing.status };
  }

  private serverSideApply(loc: Loc, subresource: string | undefined, existing: FakeObject | undefined, body: FakeObject, manager: string): FakeObject {
    const key = storeKey(loc) + (subresource === 'status' ? '/status' : '');
    const byManager = this.applied.get(key) ?? new Map<string, FakeObject>();
    const prev = byManager.get(manager);
    byManager.set(manager, structuredClone(body));
    this.applied.set(key, byManager);
    if (subresource === 'status') {
      const live = existing!;
      type Status = Record<string, unknown> | undefined;
      return { ...live, status: applyMap(live.status as Status, prev?.status as Status, body.status as Status) };
    }
    const base = existing ?? ({ metadata: {} } as FakeObject);
    const meta = body.metadata;
    const old = prev?.metadata;
    return {
      ...applyMap(fieldsOf(base), fieldsOf(prev), fieldsOf(body)),
      apiVersion: body.apiVersion ?? base.apiVersion,
      kind: body.kind ?? base.kind,
      metadata: {
        ...base.metadata,
        labels: applyMap(base.metadata.labels, old?.labels, meta.labels),
        annotations: applyMap(base.metadata.annotations, old?.annotations, meta.annotations),
        ownerReferences: applyList<OwnerReference>(base.metadata.ownerReferences, old?.ownerReferences, meta.ownerReferences, (r) => r.uid),
        finalizers: applyList(base.metadata.finalizers, old?.finalizers, meta.finalizers, (f) => f),
      },
      ...(base.status === undefined ? {} : { status: base.status }),
    };
  }

  private delete(loc: Loc, existing: FakeObject | undefined, req: HttpRequest): HttpResponse {
    if (!existing) throw this.notFound(loc);
    const opts = (req.body ? bodyOf(req) : {}) as { preconditions?: { uid?: string; resourceVersion?: string } } | null;
    const pre = opts?.preconditions;
    const { uid, resourceVersion } = existing.metadata;
    if (pre?.uid && pre.uid !== uid) throw new Fail(409, 'Conflict', `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${uid}`);
    if (pre?.resourceVersion && pre.resourceVersion !== resourceVersion) {
      throw new Fail(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${resourceVersion}`);
    }
    if (isNamespace(loc) || (existing.metadata.finalizers ?? []).length > 0) {
      if (existing.metadata.deletionTimestamp) return json(200, existing);
      const next = structuredClone(existing);
      next.metadata.deletionTimestamp = timestamp();
      return json(200, this.commit(loc, next, existing));
    }
    this.remove(loc, existing);
    const details = { name: loc.name, group: groupOf(loc.gv), kind: loc.plural, uid };
    return json(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details });
  }

  // ---- the store ----

  private nextNodePort = 30000;

  /**
   * A NodePort Service's ports get node ports as the API server allocates them: kept from the live
   * object for the same port and protocol (an apply that does not name one keeps it), new ones
   * counted up from 30000.
   */
  private allocateNodePorts(loc: Loc, o: FakeObject, existing: FakeObject | undefined): void {
    if (loc.gv !== 'v1' || loc.plural !== 'services') return;
    type Port = { port?: number; protocol?: string; nodePort?: number };
    const spec = o.spec as { type?: string; ports?: Port[] } | undefined;
    if (spec?.type !== 'NodePort') return;
    const key = (p: Port) => `${p.port}/${p.protocol ?? 'TCP'}`;
    const live = new Map(((existing?.spec as { ports?: Port[] } | undefined)?.ports ?? []).map((p) => [key(p), p.nodePort]));
    for (const p of spec.ports ?? []) p.nodePort ??= live.get(key(p)) ?? this.nextNodePort++;
  }

  /** Stores `obj` with the server's bookkeeping and defaults, tells the watches, returns a copy. */
  private commit(loc: Loc, obj: FakeObject, existing: FakeObject | undefined): FakeObject {
    // As stored: plain JSON (undefined fields gone).
    const next = JSON.parse(JSON.stringify(obj)) as FakeObject;
    next.apiVersion = loc.gv;
    next.kind = next.kind ?? existing?.kind;
    const meta = next.metadata;
    meta.name = loc.name;
    if (loc.namespace === undefined) delete meta.namespace;
    else meta.namespace = loc.namespace;
    meta.uid = existing?.metadata.uid ?? randomUUID();
    meta.creationTimestamp = existing?.metadata.creationTimestamp ?? timestamp();
    meta.resourceVersion = String(++this.rv);
    meta.generation = existing ? (existing.metadata.generation ?? 0) + (deepEqual(existing.spec, next.spec) ? 0 : 1) : 1;
    if (existing?.metadata.deletionTimestamp) meta.deletionTimestamp = existing.metadata.deletionTimestamp;
    defaults(loc, next);
    this.allocateNodePorts(loc, next, existing);
    // Gone once the last finalizer is (a namespace waits for finishNamespaceDeletion).
    if (existing && meta.deletionTimestamp && (meta.finalizers ?? []).length === 0 && !isNamespace(loc)) {
      this.remove(loc, next, false);
      return structuredClone(next);
    }
    this.objects.set(storeKey(loc), { loc, obj: next });
    this.emit(existing ? 'MODIFIED' : 'ADDED', loc, next, existing);
    return structuredClone(next);
  }

  private remove(loc: Loc, obj: FakeObject, bump = true): void {
    const last = structuredClone(obj);
    if (bump) last.metadata.resourceVersion = String(++this.rv);
    this.objects.delete(storeKey(loc));
    this.applied.delete(storeKey(loc));
    this.applied.delete(`${storeKey(loc)}/status`);
    this.emit('DELETED', loc, last, undefined);
  }

  /** Sends the event to every open watch on the resource (and namespace) that selects the object. */
  private emit(type: 'ADDED' | 'MODIFIED' | 'DELETED', loc: Loc, obj: FakeObject, old: FakeObject | undefined): void {
    for (const w of this.transport.watches) {
      if (w.isEnded) continue;
      const t = parsePath(w.path);
      if (!t || t.gv !== loc.gv || t.plural !== loc.plural || t.name !== undefined) continue;
      if (t.namespace !== undefined && t.namespace !== loc.namespace) continue;
      let sent: string | undefined;
      try {
        const now = selects(w.query, obj);
        if (type !== 'MODIFIED') sent = now ? type : undefined;
        else {
          // A change that moves the object into or out of the selection is an ADDED or DELETED for this watch.
          const before = old !== undefined && selects(w.query, old);
          sent = before && now ? 'MODIFIED' : now ? 'ADDED' : before ? 'DELETED' : undefined;
        }
      } catch (err) {
        w.end(err);
        continue;
      }
      if (sent) w.emit(sent, structuredClone(obj));
    }
  }
}

function bodyOf(req: HttpRequest): unknown {
  try {
    return JSON.parse(req.body ?? 'null');
  } catch (err) {
    throw new Fail(400, 'BadRequest', `the body is not JSON: ${String(err)}`);
  }
}
