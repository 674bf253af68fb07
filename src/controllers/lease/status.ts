/**
 * Phase 7: the Lease status, computed once from what the reconcile found (a `LeaseView`) and
 * written once, only when it differs from the live status. An Event marks each transition.
 */
import { leaseNamespace } from '../../akash/namespace.ts';
import { API_VERSION } from '../../api/common.ts';
import { LEASE_KIND, type Lease, type LeasePhase, type LeaseStatus } from '../../api/lease.ts';
import { deepEqual, findCondition, isNotFound, setCondition, type ConditionStatus } from '../../runtime/index.ts';
import type { OperatorContext } from '../context.ts';
import { LeaseRef } from '../refs.ts';
import type { LeaseServiceStatus } from './readiness.ts';

export const CONDITION_TYPES = ['ManifestReceived', 'Degraded', 'Ready'] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

/** The conditions a phase decides; types left out keep their live value. */
export type ConditionSet = Partial<Record<ConditionType, { status: ConditionStatus; reason: string; message: string }>>;

export interface LeaseView {
  phase: LeasePhase;
  conditions: ConditionSet;
  /** Hash of the manifest whose objects run (the live value while nothing new is applied). */
  manifestHash: string | undefined;
  services: LeaseServiceStatus[];
  /** How many of `services` are ready. */
  servicesReady: number;
  /** The reconcile judged this generation to the end (observedGeneration moves only then). */
  succeeded: boolean;
  /** Reconcile again sooner than the resync (teardown or a terminating namespace under way). */
  requeueAfterMs?: number;
}

export function nextLeaseStatus(lease: Lease, view: LeaseView, now = new Date()): LeaseStatus {
  const generation = lease.metadata.generation;
  const live = lease.status;
  let conditions = live?.conditions ?? [];
  for (const type of CONDITION_TYPES) {
    const c = view.conditions[type];
    if (c) conditions = setCondition(conditions, { type, ...c, observedGeneration: generation }, now);
  }
  const observedGeneration = view.succeeded ? generation : live?.observedGeneration;
  return {
    phase: view.phase,
    namespace: leaseNamespace(lease.spec.id),
    ...(view.manifestHash ? { manifestHash: view.manifestHash } : {}),
    ...(view.services.length > 0 ? { services: view.services, servicesReady: `${view.servicesReady}/${view.services.length}` } : {}),
    conditions,
    ...(observedGeneration !== undefined ? { observedGeneration } : {}),
  };
}

/** Writes the status when it changed; true when written. A Lease already gone is fine. */
export async function publishStatus(ctx: OperatorContext, lease: Lease, view: LeaseView): Promise<boolean> {
  const next = nextLeaseStatus(lease, view);
  if (deepEqual(lease.status, next)) return false;
  try {
    await ctx.client.applyStatus(LeaseRef, { apiVersion: API_VERSION, kind: LEASE_KIND, metadata: { name: lease.metadata.name }, status: next });
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  recordTransition(ctx, lease, next);
  return true;
}

/** One Event per change of phase (or of the reason a lease is Degraded), never per reconcile. */
function recordTransition(ctx: OperatorContext, lease: Lease, next: LeaseStatus): void {
  const before = lease.status;
  const degradedReason = (s: LeaseStatus | undefined) => (s?.phase === 'Degraded' ? findCondition(s.conditions, 'Degraded')?.reason : undefined);
  if (before?.phase === next.phase && degradedReason(before) === degradedReason(next)) return;
  // Deploying a new manifest: the ManifestApplied Event of the same reconcile tells it already.
  if (next.phase === 'Deploying' && next.manifestHash !== undefined && before?.manifestHash !== next.manifestHash) return;
  const regarding = { apiVersion: API_VERSION, kind: LEASE_KIND, metadata: lease.metadata };
  if (next.phase === 'Degraded') {
    const degraded = findCondition(next.conditions, 'Degraded');
    ctx.recorder.record(regarding, { type: 'Warning', reason: degraded?.reason ?? 'Degraded', action: 'Reconcile', note: degraded?.message ?? '' });
    return;
  }
  const ready = findCondition(next.conditions, 'Ready');
  const note = next.phase === 'Ready' ? `${ready?.message ?? ''} in namespace ${next.namespace ?? ''}` : (ready?.message ?? '');
  if (next.phase) ctx.recorder.record(regarding, { type: 'Normal', reason: next.phase, action: 'Reconcile', note });
}
