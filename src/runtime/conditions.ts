/**
 * Status conditions in the shape of metav1.Condition, with apimachinery's `meta.SetStatusCondition`
 * rules: lastTransitionTime changes only when status flips; reason, message and observedGeneration
 * follow the latest update. Pure functions: they return new arrays and never touch cached objects.
 */

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  /** CamelCase, machine-readable. */
  reason: string;
  message: string;
  /** RFC 3339, seconds precision (what metav1.Time serialises). */
  lastTransitionTime: string;
  /** metadata.generation the condition was computed from. */
  observedGeneration?: number;
}

export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason: string;
  message?: string;
  observedGeneration?: number;
}

// metav1.Condition's validation: the API server rejects anything else (OpenAPI pattern on `reason`).
const REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;
const TYPE = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/;

/** Kubernetes' timestamp form: `2026-01-02T03:04:05Z`. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/**
 * Returns `conditions` with `update` applied. An unchanged condition comes back as the same object,
 * so `deepEqual(oldStatus, newStatus)` tells whether a status write is needed.
 */
export function setCondition(conditions: readonly Condition[] | undefined, update: ConditionUpdate, now: Date = new Date()): Condition[] {
  if (!TYPE.test(update.type)) throw new Error(`condition type '${update.type}': must be CamelCase or a qualified name`);
  if (!REASON.test(update.reason)) throw new Error(`condition ${update.type}: reason '${update.reason}' must match ${REASON.source}`);
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === update.type);
  const old = i >= 0 ? list[i] : undefined;
  const next: Condition = {
    type: update.type,
    status: update.status,
    reason: update.reason,
    message: update.message ?? '',
    lastTransitionTime: old && old.status === update.status ? old.lastTransitionTime : rfc3339(now),
    ...(update.observedGeneration !== undefined ? { observedGeneration: update.observedGeneration } : {}),
  };
  if (old && sameCondition(old, next)) return list;
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

function sameCondition(a: Condition, b: Condition): boolean {
  return (
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.lastTransitionTime === b.lastTransitionTime &&
    a.observedGeneration === b.observedGeneration
  );
}
