/**
 * Finalizers with JSON patches guarded by a `test` op (kube-rs `runtime/finalizer.rs`): adding tests
 * the list we saw and appends; removing tests our entry's index and removes it. A concurrent change by
 * another controller makes the patch fail (422) and the reconcile retries on fresh data, so we never
 * drop someone else's finalizer or add ours twice.
 */
import type { JsonPatchOp, KubeClient } from './client.ts';
import type { ReconcileResult } from './controller.ts';
import { ApiError, isNotFound } from './errors.ts';
import type { KubeObject, ResourceRef } from './resource.ts';

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return obj.metadata.finalizers?.includes(finalizer) ?? false;
}

/** The patch that adds `finalizer`, or `undefined` when it is already there. */
export function addFinalizerPatch(obj: KubeObject, finalizer: string): JsonPatchOp[] | undefined {
  const list = obj.metadata.finalizers;
  if (list?.includes(finalizer)) return undefined;
  if (list === undefined) {
    // `test` against null passes only while the field is absent.
    return [
      { op: 'test', path: '/metadata/finalizers', value: null },
      { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
    ];
  }
  return [
    { op: 'test', path: '/metadata/finalizers', value: list },
    { op: 'add', path: '/metadata/finalizers/-', value: finalizer },
  ];
}

/** The patch that removes `finalizer`, or `undefined` when it is not there. */
export function removeFinalizerPatch(obj: KubeObject, finalizer: string): JsonPatchOp[] | undefined {
  const i = obj.metadata.finalizers?.indexOf(finalizer) ?? -1;
  if (i < 0) return undefined;
  return [
    { op: 'test', path: `/metadata/finalizers/${i}`, value: finalizer },
    { op: 'remove', path: `/metadata/finalizers/${i}` },
  ];
}

function target(obj: KubeObject) {
  const { name, namespace } = obj.metadata;
  if (!name) throw new Error('finalizer: object has no metadata.name');
  return { name, namespace };
}

/** 422 from a JSON patch: our `test` op saw a list other than the one we guarded against. */
const testFailed = (err: unknown) => err instanceof ApiError && err.code === 422;

/**
 * Sends the patch `build(obj)` makes; when its `test` op fails because `obj` (usually from an
 * informer cache) is stale, builds it once more from the live object. Without this, a cache that lags
 * after an API-server restart turns every retry into the same 422 while the per-key backoff grows to
 * minutes. Returns whether a patch was sent.
 */
async function patchFinalizers(client: KubeClient, ref: ResourceRef, obj: KubeObject, build: (o: KubeObject) => JsonPatchOp[] | undefined): Promise<boolean> {
  const patch = build(obj);
  if (!patch) return false;
  try {
    await client.jsonPatch(ref, target(obj), patch);
    return true;
  } catch (err) {
    if (!testFailed(err)) throw err;
  }
  const live = await client.get(ref, target(obj));
  const fresh = live && build(live);
  if (!fresh) return false;
  await client.jsonPatch(ref, target(obj), fresh);
  return true;
}

/** Adds `finalizer` if missing; true when a patch was sent. */
export async function ensureFinalizer(client: KubeClient, ref: ResourceRef, obj: KubeObject, finalizer: string): Promise<boolean> {
  return patchFinalizers(client, ref, obj, (o) => addFinalizerPatch(o, finalizer));
}

/** Removes `finalizer` if present; true when a patch was sent. An object already gone is fine. */
export async function removeFinalizer(client: KubeClient, ref: ResourceRef, obj: KubeObject, finalizer: string): Promise<boolean> {
  try {
    return await patchFinalizers(client, ref, obj, (o) => removeFinalizerPatch(o, finalizer));
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return true;
  }
}

export interface FinalizerSteps {
  /** Converge the live object. Runs only while our finalizer is on it. */
  apply(): Promise<ReconcileResult | void>;
  /**
   * Tear down what `apply` made; must be idempotent and cope with `apply` never having run. Return a
   * requeue (`requeueAfterMs` or `requeue`) while cleanup is still under way: the finalizer stays.
   */
  cleanup(): Promise<ReconcileResult | void>;
}

/**
 * Reconcile wrapped by a finalizer: while the object lives, make sure the finalizer is on it before
 * `apply` can cause side effects; once it is being deleted, run `cleanup` and then remove the finalizer.
 */
export async function withFinalizer(
  client: KubeClient,
  ref: ResourceRef,
  obj: KubeObject,
  finalizer: string,
  steps: FinalizerSteps,
): Promise<ReconcileResult | void> {
  if (obj.metadata.deletionTimestamp) {
    if (!hasFinalizer(obj, finalizer)) return;
    const res = await steps.cleanup();
    if (res && ((res.requeueAfterMs ?? 0) > 0 || res.requeue)) return res;
    await removeFinalizer(client, ref, obj, finalizer);
    return;
  }
  await ensureFinalizer(client, ref, obj, finalizer);
  return steps.apply();
}
