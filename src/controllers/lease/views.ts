/**
 * What each outcome of a reconcile says in the Lease status: phase, conditions and their messages
 * (`kubectl describe alease` shows them: they must say why something is not ready).
 */
import type { Lease } from '../../api/lease.ts';
import type { Manifest } from '../../api/manifest.ts';
import { errorMessage } from '../../runtime/index.ts';
import { summarize, type ServiceReport } from './readiness.ts';
import type { LeaseView } from './status.ts';
import { receivedMessage, type Target } from './target.ts';

const notDegraded = { status: 'False', reason: 'AsExpected', message: '' } as const;

/** Nothing new applied (waiting, or refused input): the services are whatever runs. */
export function heldView(lease: Lease, target: Target & { ok: false }, running: ServiceReport[]): LeaseView {
  const sum = summarize(running);
  return { phase: target.phase, conditions: target.conditions, manifestHash: lease.status?.manifestHash, services: sum.services, servicesReady: sum.ready, succeeded: true };
}

export function deployedView(manifest: Manifest, reports: ServiceReport[]): LeaseView {
  const sum = summarize(reports);
  const base = { manifestHash: manifest.spec.hash, services: sum.services, servicesReady: sum.ready, succeeded: true };
  const received = { status: 'True', reason: 'Received', message: receivedMessage(manifest) } as const;
  if (sum.degraded) {
    return {
      ...base,
      phase: 'Degraded',
      conditions: { ManifestReceived: received, Degraded: { status: 'True', reason: 'ServiceDegraded', message: sum.degraded }, Ready: { status: 'False', reason: 'ServicesNotReady', message: sum.notReady } },
    };
  }
  if (sum.ready === reports.length) {
    return { ...base, phase: 'Ready', conditions: { ManifestReceived: received, Degraded: notDegraded, Ready: { status: 'True', reason: 'AllServicesReady', message: `${sum.ready}/${reports.length} services ready` } } };
  }
  return { ...base, phase: 'Deploying', conditions: { ManifestReceived: received, Degraded: notDegraded, Ready: { status: 'False', reason: 'ServicesNotReady', message: sum.notReady } } };
}

/** The namespace of a closed or deleted earlier incarnation is still going away. */
export function namespaceTerminatingView(lease: Lease, namespace: string, requeueAfterMs: number): LeaseView {
  const message = `namespace ${namespace} is still terminating; deploying when it is gone`;
  return { phase: 'Deploying', conditions: { Degraded: notDegraded, Ready: { status: 'False', reason: 'NamespaceTerminating', message } }, manifestHash: lease.status?.manifestHash, services: [], servicesReady: 0, succeeded: true, requeueAfterMs };
}

/** An API error while applying: retried with backoff; the status says what failed meanwhile. */
export function applyFailedView(lease: Lease, err: unknown): LeaseView {
  const message = `applying the lease's objects failed (retrying): ${errorMessage(err)}`;
  return {
    phase: 'Degraded',
    conditions: { Degraded: { status: 'True', reason: 'ApplyFailed', message }, Ready: { status: 'False', reason: 'Degraded', message } },
    manifestHash: lease.status?.manifestHash,
    services: lease.status?.services ?? [],
    servicesReady: (lease.status?.services ?? []).filter((s) => s.ready >= s.total).length,
    succeeded: false,
  };
}

export function closingView(lease: Lease, namespace: string, requeueAfterMs: number): LeaseView {
  const why = lease.metadata.deletionTimestamp ? 'the Lease is being deleted' : 'the lease is closed';
  return {
    phase: 'Closing',
    conditions: { Ready: { status: 'False', reason: 'Closing', message: `${why}; deleting namespace ${namespace}` } },
    manifestHash: lease.status?.manifestHash,
    services: [],
    servicesReady: 0,
    succeeded: false,
    requeueAfterMs,
  };
}

export function closedView(namespace: string, namespaceKept: boolean): LeaseView {
  const message = namespaceKept ? `the lease is closed; namespace ${namespace} is not labelled as this lease's and was left in place` : `the lease is closed; namespace ${namespace} is gone`;
  return { phase: 'Closed', conditions: { Degraded: notDegraded, Ready: { status: 'False', reason: 'Closed', message } }, manifestHash: undefined, services: [], servicesReady: 0, succeeded: true };
}
