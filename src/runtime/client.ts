/**
 * A small untyped Kubernetes client over a Transport: every request names its resource by
 * `ResourceRef`, bodies are plain JSON, and every write is counted in `<prefix>_api_writes_total`
 * so "zero writes on restart" can be measured.
 */
import { ApiError, errorMessage } from './errors.ts';
import type { Metrics } from './metrics.ts';
import { groupOf, resourcePath, type KubeList, type KubeObject, type ResourceRef } from './resource.ts';
import type { HttpRequest, HttpVerb, QueryParams, Transport, WatchEventHandler } from './transport.ts';

/** Content-Types of the patch kinds the API server takes. */
const PatchStrategy = {
  JsonPatch: 'application/json-patch+json',
  MergePatch: 'application/merge-patch+json',
  ServerSideApply: 'application/apply-patch+yaml',
} as const;

/** Names one object. `namespace` is required for namespaced kinds and forbidden for cluster-scoped ones. */
export interface ObjectTarget {
  name: string;
  namespace?: string | undefined;
}

export interface ListOptions {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  limit?: number | undefined;
  continue?: string | undefined;
  resourceVersion?: string | undefined;
}

export interface WatchOptions {
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  resourceVersion?: string | undefined;
  allowWatchBookmarks?: boolean;
  /** The API server ends the watch after this long; the informer then re-watches from its resourceVersion. */
  timeoutSeconds?: number;
}

export interface ApplyOptions {
  /** Defaults to the client's field manager. */
  fieldManager?: string;
  /** Take over fields another manager owns. Default true: we apply only fields this operator owns. */
  force?: boolean;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

/** One RFC 6902 operation. */
export type JsonPatchOp =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

type WriteVerb = 'create' | 'update' | 'patch' | 'apply' | 'delete';

export interface KubeClientOptions {
  /** Field manager recorded in managedFields for every write (SSA requires one). */
  fieldManager: string;
  metrics?: Metrics;
}

export class KubeClient {
  readonly fieldManager: string;
  private readonly transport: Transport;
  private readonly metrics: Metrics | undefined;

  constructor(transport: Transport, opts: KubeClientOptions) {
    if (!opts.fieldManager) throw new Error('KubeClient: fieldManager must not be empty');
    this.transport = transport;
    this.fieldManager = opts.fieldManager;
    this.metrics = opts.metrics;
  }

  /** The object, or `undefined` when it does not exist. */
  async get<T extends KubeObject>(ref: ResourceRef, target: ObjectTarget, subresource?: string): Promise<T | undefined> {
    const res = await this.send<T>(null, ref, { method: 'GET', path: resourcePath(ref, target, subresource) }, [404]);
    return res;
  }

  async list<T extends KubeObject>(ref: ResourceRef, opts: ListOptions = {}): Promise<KubeList<T>> {
    const query: QueryParams = {
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
      limit: opts.limit,
      continue: opts.continue,
      resourceVersion: opts.resourceVersion,
    };
    const list = await this.send<KubeList<T>>(null, ref, { method: 'GET', path: resourcePath(ref, { namespace: opts.namespace }), query });
    return { ...list, items: list.items ?? [] };
  }

  watch(ref: ResourceRef, opts: WatchOptions, onEvent: WatchEventHandler, onDone: (err: unknown) => void): Promise<AbortController> {
    const query: QueryParams = {
      resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: opts.allowWatchBookmarks,
      timeoutSeconds: opts.timeoutSeconds,
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
    };
    return this.transport.watch(resourcePath(ref, { namespace: opts.namespace }), query, onEvent, onDone);
  }

  async create<T extends KubeObject>(ref: ResourceRef, obj: T): Promise<T> {
    const path = resourcePath(ref, { namespace: obj.metadata.namespace });
    return this.send<T>('create', ref, { method: 'POST', path, query: { fieldManager: this.fieldManager }, contentType: 'application/json', body: JSON.stringify(withTypeMeta(ref, obj)) });
  }

  /** PUT: replaces the object; the body's resourceVersion makes it conditional (409 when stale). */
  async update<T extends KubeObject>(ref: ResourceRef, obj: T, subresource?: string): Promise<T> {
    const path = resourcePath(ref, targetOf(ref, obj), subresource);
    return this.send<T>('update', ref, { method: 'PUT', path, query: { fieldManager: this.fieldManager }, contentType: 'application/json', body: JSON.stringify(withTypeMeta(ref, obj)) }, [], subresource);
  }

  /**
   * Server-side apply: PATCH with `Content-Type: application/apply-patch+yaml` (JSON is YAML), our
   * field manager and `force`. `obj` holds only the fields this operator owns.
   */
  async apply<T extends KubeObject>(ref: ResourceRef, obj: T, opts: ApplyOptions = {}): Promise<T> {
    return this.applyTo(ref, obj, opts, undefined);
  }

  /** Server-side apply of the status subresource (`obj` carries apiVersion, kind, metadata.name and status). */
  async applyStatus<T extends KubeObject>(ref: ResourceRef, obj: T, opts: ApplyOptions = {}): Promise<T> {
    return this.applyTo(ref, obj, opts, 'status');
  }

  /** JSON merge patch (RFC 7386): objects merge, arrays are replaced, `null` deletes. */
  async mergePatch<T extends KubeObject>(ref: ResourceRef, target: ObjectTarget, patch: unknown, subresource?: string): Promise<T> {
    return this.patch<T>(ref, target, PatchStrategy.MergePatch, patch, subresource);
  }

  /** Merge-patches `{status}` into the status subresource. */
  async patchStatus<T extends KubeObject>(ref: ResourceRef, target: ObjectTarget, status: unknown): Promise<T> {
    return this.patch<T>(ref, target, PatchStrategy.MergePatch, { status }, 'status');
  }

  /** JSON patch (RFC 6902); a failing `test` op makes the whole patch fail (422). */
  async jsonPatch<T extends KubeObject>(ref: ResourceRef, target: ObjectTarget, ops: JsonPatchOp[], subresource?: string): Promise<T> {
    return this.patch<T>(ref, target, PatchStrategy.JsonPatch, ops, subresource);
  }

  /** Deletes the object; `false` when it was already gone. */
  async delete(ref: ResourceRef, target: ObjectTarget, opts: DeleteOptions = {}): Promise<boolean> {
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: opts.propagationPolicy ?? 'Background', preconditions: opts.preconditions };
    const res = await this.send<unknown>('delete', ref, { method: 'DELETE', path: resourcePath(ref, target), contentType: 'application/json', body: JSON.stringify(body) }, [404]);
    return res !== undefined;
  }

  private async applyTo<T extends KubeObject>(ref: ResourceRef, obj: T, opts: ApplyOptions, subresource: string | undefined): Promise<T> {
    const path = resourcePath(ref, targetOf(ref, obj), subresource);
    const query = { fieldManager: opts.fieldManager ?? this.fieldManager, force: opts.force ?? true };
    const body = JSON.stringify(withTypeMeta(ref, obj));
    return this.send<T>('apply', ref, { method: 'PATCH', path, query, contentType: PatchStrategy.ServerSideApply, body }, [], subresource);
  }

  private async patch<T>(ref: ResourceRef, target: ObjectTarget, contentType: string, patch: unknown, subresource?: string): Promise<T> {
    const path = resourcePath(ref, target, subresource);
    return this.send<T>('patch', ref, { method: 'PATCH', path, query: { fieldManager: this.fieldManager }, contentType, body: JSON.stringify(patch) }, [], subresource);
  }

  /** Sends one request; statuses in `absent` yield `undefined` instead of an ApiError. */
  private async send<T>(verb: WriteVerb | null, ref: ResourceRef, req: HttpRequest, absent: number[] = [], subresource?: string): Promise<T> {
    if (verb) this.metrics?.apiWrites.inc({ verb, resource: resourceLabel(ref, subresource) });
    let res;
    const started = performance.now();
    try {
      res = await this.transport.request(req);
    } catch (err) {
      this.countRequest(req.method, '<error>', started);
      throw new Error(`${req.method} ${req.path}: ${errorMessage(err)}`, { cause: err });
    }
    this.countRequest(req.method, String(res.status), started);
    if (absent.includes(res.status)) return undefined as T;
    if (res.status < 200 || res.status > 299) throw new ApiError(req.method, req.path, res.status, res.body);
    try {
      return JSON.parse(res.body) as T;
    } catch (err) {
      throw new Error(`${req.method} ${req.path}: response is not JSON: ${errorMessage(err)}`, { cause: err });
    }
  }

  private countRequest(method: HttpVerb, code: string, started: number): void {
    this.metrics?.restRequests.inc({ code, method, host: this.transport.host });
    this.metrics?.restLatency.observe({ verb: method, host: this.transport.host }, (performance.now() - started) / 1000);
  }
}

/** `deployments.apps`, `pods`, `leases.provider.akash.network/status`: unambiguous across groups. */
function resourceLabel(ref: ResourceRef, subresource?: string): string {
  const group = groupOf(ref.apiVersion);
  return (group ? `${ref.plural}.${group}` : ref.plural) + (subresource ? `/${subresource}` : '');
}

function targetOf(ref: ResourceRef, obj: KubeObject): ObjectTarget {
  const { name, namespace } = obj.metadata;
  if (!name) throw new Error(`${ref.kind}: metadata.name is required`);
  if (ref.namespaced && !namespace) throw new Error(`${ref.kind} ${name}: metadata.namespace is required`);
  return { name, namespace };
}

/** SSA and create need apiVersion and kind in the body; fill them from the ref when missing. */
function withTypeMeta<T extends KubeObject>(ref: ResourceRef, obj: T): T {
  if (obj.apiVersion && obj.kind) return obj;
  return { ...obj, apiVersion: obj.apiVersion ?? ref.apiVersion, kind: obj.kind ?? ref.kind };
}
