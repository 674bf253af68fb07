/**
 * Server-side apply that writes only when it would change something, judged from the informer
 * cache: a restart with every lease converged issues zero writes.
 *
 * `containsDesired(live, desired)` alone cannot see a field we stopped setting (a dropped
 * `command`, an `imagePullSecrets` entry after credentials were removed): the live object still
 * has it and every desired field matches. SSA would remove it, but only if we apply. So each child
 * carries a hash of its desired form in an annotation; a different hash means "apply", and
 * `containsDesired` catches drift (someone edited or removed what we own).
 */
import { createHash } from 'node:crypto';
import { ApiError, containsDesired, errorMessage, type KubeClient, type KubeObject, type ResourceRef } from '../runtime/index.ts';
import { SecretRef } from './refs.ts';
/** One object to apply, with the resource it is applied as. */
export interface DesiredChild {
  ref: ResourceRef;
  object: KubeObject;
}

/** Hash of the desired form of a child, as last applied by this operator. */
export const DESIRED_HASH_ANNOTATION = 'provider.akash.network/desired-hash';

/** JSON with object keys sorted, so equal objects hash equal whatever order the builders used. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function desiredHash(obj: KubeObject): string {
  return createHash('sha256').update(canonicalJson(obj), 'utf8').digest('hex').slice(0, 32);
}

/** `obj` with the hash of itself in DESIRED_HASH_ANNOTATION. */
export function stampDesiredHash<T extends KubeObject>(obj: T): T {
  const hash = desiredHash(obj);
  return { ...obj, metadata: { ...obj.metadata, annotations: { ...obj.metadata.annotations, [DESIRED_HASH_ANNOTATION]: hash } } };
}

/**
 * True when applying `stamped` (the output of stampDesiredHash) would change `live`. List responses
 * carry no apiVersion/kind on built-in kinds' items, so those two never count as a difference.
 */
export function needsApply(live: KubeObject | undefined, stamped: KubeObject): boolean {
  if (!live) return true;
  const { apiVersion: _v, kind: _k, ...desired } = stamped;
  return !containsDesired(live, desired);
}

export interface ApplyOutcome {
  child: DesiredChild;
  /** What the API server returned, when we applied. */
  applied: KubeObject | undefined;
  /** Whether a live copy existed before (an applied child that existed was updated or repaired, not created). */
  existed: boolean;
}

/** A failed write of one child; the message is safe for logs, events and conditions. */
export class ChildWriteError extends Error {
  override name = 'ChildWriteError';
  readonly code: number | undefined;
  constructor(verb: 'apply' | 'delete', ref: { kind: string }, obj: { name?: string | undefined; namespace?: string | undefined }, cause: unknown) {
    // An API server's message about a Secret may quote its data: keep only the status for Secrets.
    const detail =
      ref.kind === SecretRef.kind && cause instanceof ApiError ? `${cause.code}${cause.reason ? ` ${cause.reason}` : ''}` : ref.kind === SecretRef.kind ? 'request failed' : errorMessage(cause);
    // No `cause` on Secrets either: a logger that walks causes would print the server's message.
    super(`${verb} ${ref.kind} ${obj.namespace ?? ''}/${obj.name ?? ''}: ${detail}`, ref.kind === SecretRef.kind ? {} : { cause });
    this.code = cause instanceof ApiError ? cause.code : undefined;
  }
}

/**
 * Awaits every write, then throws the first failure: a sibling already sent is not abandoned half
 * way, and the caller sees one error as it would from writes in sequence.
 */
export async function settleAll<T>(writes: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(writes);
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

async function applyOne(client: KubeClient, child: DesiredChild, live: KubeObject | undefined): Promise<ApplyOutcome> {
  const stamped = stampDesiredHash(child.object);
  const existed = live !== undefined;
  if (!needsApply(live, stamped)) return { child, applied: undefined, existed };
  try {
    return { child, applied: await client.apply(child.ref, stamped), existed };
  } catch (err) {
    throw new ChildWriteError('apply', child.ref, child.object.metadata, err);
  }
}

/**
 * Applies each child whose live copy (`live(child)`) differs: Secrets first (pods of a workload in
 * the same batch reference them: a pull Secret created after its pod means an image pull backoff),
 * then everything else in parallel, one round trip instead of one per object. Outcomes come in the
 * order of `children`; a failure is thrown once every write of its wave has settled, and the next
 * wave is not started.
 */
export async function applyChanged(client: KubeClient, children: DesiredChild[], live: (child: DesiredChild) => KubeObject | undefined): Promise<ApplyOutcome[]> {
  const first = (c: DesiredChild) => c.ref.kind === SecretRef.kind;
  const out = new Map<DesiredChild, ApplyOutcome>();
  for (const wave of [children.filter(first), children.filter((c) => !first(c))]) {
    for (const o of await settleAll(wave.map((c) => applyOne(client, c, live(c))))) out.set(o.child, o);
  }
  return children.map((c) => out.get(c)!);
}

/**
 * Deletes exactly the object a cache saw: the uid precondition never deletes a namesake created
 * since. `absent`: gone already (404); `conflict`: the name is someone else's object now (409, the
 * next reconcile re-reads). Other failures throw.
 */
export async function deleteObserved(client: KubeClient, ref: ResourceRef, obj: KubeObject): Promise<'deleted' | 'absent' | 'conflict'> {
  const { name, namespace, uid } = obj.metadata;
  try {
    return (await client.delete(ref, { name: name ?? '', namespace }, uid ? { preconditions: { uid } } : {})) ? 'deleted' : 'absent';
  } catch (err) {
    if (err instanceof ApiError && err.code === 409) return 'conflict';
    throw err;
  }
}
