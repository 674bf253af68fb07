/**
 * How far each service of a lease is, read from its Service CR's status (the service controller
 * writes it): replicas ready out of `spec.count`, the URIs, and the reason when it is not ready.
 */
import type { Condition } from '../../api/common.ts';
import { findCondition } from '../../runtime/index.ts';
import type { ServiceObject } from './informers.ts';

export interface LeaseServiceStatus {
  name: string;
  ready: number;
  total: number;
  uris?: string[];
}

export interface ServiceReport {
  status: LeaseServiceStatus;
  ready: boolean;
  /** `Reason: message` of the Service CR's Degraded condition, when it is True for this spec. */
  degraded: string | undefined;
  /** Why it is not ready, for the Lease's Ready message. */
  detail: string | undefined;
}

/** Why a service whose spec the service controller has not yet acted on is not ready. */
export const WAITING_FOR_SERVICE_CONTROLLER = 'waiting for the service controller';

/** A condition computed from this spec (conditions without observedGeneration count as current). */
function current(c: Condition | undefined, generation: number): c is Condition {
  return c !== undefined && (c.observedGeneration === undefined || c.observedGeneration >= generation);
}

/** `total`: the replicas wanted (the desired CR's count, or the live one's). */
export function serviceReport(name: string, cr: ServiceObject | undefined, total: number): ServiceReport {
  if (!cr) return { status: { name, ready: 0, total }, ready: false, degraded: undefined, detail: 'Service not created yet' };
  const generation = cr.metadata.generation ?? 0;
  const st = cr.status;
  const ready = st?.readyReplicas ?? 0;
  const uris = st?.uris && st.uris.length > 0 ? { uris: [...st.uris] } : {};
  const status = { name, ready, total, ...uris };
  const observed = st !== undefined && (st.observedGeneration === undefined || st.observedGeneration >= generation);
  const degradedCond = findCondition(st?.conditions, 'Degraded');
  const degraded = current(degradedCond, generation) && degradedCond.status === 'True' ? `${degradedCond.reason}: ${degradedCond.message}` : undefined;
  const readyCond = findCondition(st?.conditions, 'Ready');
  const isReady = observed && !degraded && ready >= total && readyCond?.status !== 'False';
  let detail: string | undefined;
  if (!isReady) {
    if (degraded) detail = degraded;
    else if (!observed) detail = WAITING_FOR_SERVICE_CONTROLLER;
    else if (readyCond?.status === 'False' && readyCond.message) detail = readyCond.message;
  }
  return { status, ready: isReady, degraded, detail };
}

export interface ServicesSummary {
  services: LeaseServiceStatus[];
  ready: number;
  /** `web: Reason: message; …` of degraded services ('' when none). */
  degraded: string;
  /** `web 0/2 (why); …` of services not ready ('' when all are). */
  notReady: string;
}

export function summarize(reports: ServiceReport[]): ServicesSummary {
  return {
    services: reports.map((r) => r.status),
    ready: reports.filter((r) => r.ready).length,
    degraded: reports
      .filter((r) => r.degraded)
      .map((r) => `${r.status.name}: ${r.degraded}`)
      .join('; '),
    notReady: reports
      .filter((r) => !r.ready)
      .map((r) => `${r.status.name} ${r.status.ready}/${r.status.total}${r.detail ? ` (${r.detail})` : ''}`)
      .join('; '),
  };
}
