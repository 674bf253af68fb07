/**
 * An informer's objects grouped by one key of theirs (a Lease's dseq, a Service CR's namespace),
 * so a request finds its few objects without scanning every one in the cluster. Kept current by the
 * informer's events, which a relist emits too (as the difference to the old cache), so the index
 * never disagrees with the informer's store once the event handlers have run.
 */
import type { Informer } from './informer.ts';
import { objectKey, type KubeObject } from './resource.ts';

export class InformerIndex<T extends KubeObject> {
  private readonly buckets = new Map<string, Map<string, T>>();
  private readonly keyOf: (obj: T) => string | undefined;

  /** Subscribe before the informer starts, or the first list's objects are missed. */
  constructor(informer: Informer<T>, keyOf: (obj: T) => string | undefined) {
    this.keyOf = keyOf;
    informer.on((event) => {
      if (event.type === 'update') this.remove(event.old);
      if (event.type === 'delete') this.remove(event.object);
      else this.add(event.object);
    });
  }

  /** The objects filed under `key` (a fresh array; the objects are the cache's: do not mutate). */
  get(key: string): T[] {
    const bucket = this.buckets.get(key);
    return bucket ? [...bucket.values()] : [];
  }

  private add(obj: T): void {
    const key = this.keyOf(obj);
    if (key === undefined) return;
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new Map()));
    bucket.set(objectKey(obj), obj);
  }

  private remove(obj: T): void {
    const key = this.keyOf(obj);
    if (key === undefined) return;
    const bucket = this.buckets.get(key);
    if (!bucket) return;
    bucket.delete(objectKey(obj));
    if (bucket.size === 0) this.buckets.delete(key);
  }
}
