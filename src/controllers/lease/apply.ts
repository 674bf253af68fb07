/**
 * Writes of phases 5–6, each only when it changes something: a desired object is applied (SSA,
 * the client's field manager) only when the live one from the cache does not already contain it,
 * and a stale child is deleted only when this Lease controls it. A restart with nothing changed
 * therefore writes nothing.
 */
import type { KubeClient, KubeObject, ResourceRef } from '../../runtime/index.ts';
import { needsApply } from '../apply.ts';
import type { DesiredChild } from './children.ts';
import { ownedByLease } from './informers.ts';

/** Applies `child` unless `live` already has every field of it; true when a write was sent. */
export async function applyIfChanged(client: KubeClient, child: DesiredChild, live: KubeObject | undefined): Promise<boolean> {
  if (!needsApply(live, child.object)) return false;
  await client.apply(child.ref, child.object);
  return true;
}

/**
 * Deletes the objects in `live` that this Lease controls and whose name is not in `keep`; returns
 * their names. The uid precondition makes sure the object deleted is the one looked at.
 */
export async function deleteStale(client: KubeClient, ref: ResourceRef, live: KubeObject[], keep: ReadonlySet<string>, leaseUid: string | undefined): Promise<string[]> {
  const deleted: string[] = [];
  for (const obj of live) {
    const { name, namespace, uid, deletionTimestamp } = obj.metadata;
    if (!name || keep.has(name) || deletionTimestamp || !ownedByLease(obj, leaseUid)) continue;
    if (await client.delete(ref, { name, namespace }, { preconditions: uid ? { uid } : undefined })) deleted.push(name);
  }
  return deleted;
}
