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

  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  list(filter: ListFilter = {}): T[] {
    const out: T[] = [];
    for (const obj of this.objects.values()) {
      if (filter.namespace !== undefined && obj.metadata.namespace !== filter.namespace) continue;
      if (filter.labels && !matchesLabels(obj, filter.labels)) continue;
      out.push(obj);
    }
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
    return old;
  }

  /** @internal Informer use only. */
  delete(key: string): T | undefined {
    const old = this.objects.get(key);
    this.objects.delete(key);
    return old;
  }

  /** @internal Swaps in a fresh list at once (a relist) and returns the previous contents. */
  replace(objects: Map<string, T>): Map<string, T> {
    const old = this.objects;
    this.objects = objects;
    return old;
  }
}

function matchesLabels(obj: KubeObject, want: Record<string, string>): boolean {
  const have = obj.metadata.labels ?? {};
  for (const [k, v] of Object.entries(want)) if (have[k] !== v) return false;
  return true;
}
