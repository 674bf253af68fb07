/**
 * The informer's cache: the latest object per key. Objects are shared with every reader: never mutate
 * one; `structuredClone` it first.
 */
import { objectKey, type KubeObject } from './resource.ts';

export interface ListFilter {
  namespace?: string | undefined;
  /** Every label given must be present with this value. */
  labels?: Record<string, string> | undefined;
}

export class Store<T extends KubeObject> {
  private objects = new Map<string, T>();
  /**
   * Keys by namespace: controllers list one lease namespace per reconcile, and scanning every
   * cached object for it made each reconcile cost O(all leases).
   */
  private byNamespace = new Map<string, Set<string>>();

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(filter: ListFilter = {}): T[] {
    const out: T[] = [];
    const keep = (obj: T | undefined) => {
      if (obj && (!filter.labels || matchesLabels(obj, filter.labels))) out.push(obj);
    };
    if (filter.namespace === undefined) for (const obj of this.objects.values()) keep(obj);
    else for (const key of this.byNamespace.get(filter.namespace) ?? []) keep(this.objects.get(key));
    return out;
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  get size(): number {
    return this.objects.size;
  }

  /** @internal Informer use only. */
  set(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    this.objects.set(key, obj);
    if (!old) this.index(key, obj);
    return old;
  }

  /** @internal Informer use only. */
  delete(key: string): T | undefined {
    const old = this.objects.get(key);
    this.objects.delete(key);
    if (old) this.unindex(key, old);
    return old;
  }

  /** @internal Swaps in a fresh list at once (a relist) and returns the previous contents. */
  replace(objects: Map<string, T>): Map<string, T> {
    const old = this.objects;
    this.objects = objects;
    this.byNamespace = new Map();
    for (const [key, obj] of objects) this.index(key, obj);
    return old;
  }

  // The key holds the namespace, so an object keeps its index entry across updates.
  private index(key: string, obj: T): void {
    const ns = obj.metadata.namespace;
    if (ns === undefined) return;
    let keys = this.byNamespace.get(ns);
    if (!keys) this.byNamespace.set(ns, (keys = new Set()));
    keys.add(key);
  }

  private unindex(key: string, obj: T): void {
    const ns = obj.metadata.namespace;
    if (ns === undefined) return;
    const keys = this.byNamespace.get(ns);
    keys?.delete(key);
    if (keys?.size === 0) this.byNamespace.delete(ns);
  }
}

function matchesLabels(obj: KubeObject, want: Record<string, string>): boolean {
  const have = obj.metadata.labels ?? {};
  for (const [k, v] of Object.entries(want)) if (have[k] !== v) return false;
  return true;
}
