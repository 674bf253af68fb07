/**
 * Phases 3–4 of a Lease reconcile: which Manifest and which of its groups the lease runs, or why
 * it cannot run anything new yet. Pure: reads the cached Manifest, decides, never writes.
 */
import { leaseNamespace } from '../../akash/namespace.ts';
import type { Lease } from '../../api/lease.ts';
import { manifestName, type Manifest } from '../../api/manifest.ts';
import type { ManifestGroup } from '../../api/wire.ts';
import { findCondition } from '../../runtime/index.ts';
import type { ProviderPolicy } from '../../workloads/policy.ts';
import { ACCEPTED } from '../manifest/status.ts';
import { formatIssues, manifestIssues } from '../manifest/validate.ts';
import type { ConditionSet } from './status.ts';

export type Target =
  | { ok: true; manifest: Manifest; group: ManifestGroup }
  | { ok: false; phase: 'WaitingForManifest' | 'Degraded'; conditions: ConditionSet };

const notDegraded = { status: 'False', reason: 'AsExpected', message: '' } as const;

function waiting(reason: string, message: string): Target {
  return {
    ok: false,
    phase: 'WaitingForManifest',
    conditions: {
      ManifestReceived: { status: 'False', reason, message },
      Degraded: notDegraded,
      Ready: { status: 'False', reason: 'WaitingForManifest', message },
    },
  };
}

export function degraded(reason: string, message: string, manifestReceived?: string): Target & { ok: false } {
  return {
    ok: false,
    phase: 'Degraded',
    conditions: {
      ...(manifestReceived !== undefined ? { ManifestReceived: { status: 'True', reason: 'Received', message: manifestReceived } } : {}),
      Degraded: { status: 'True', reason, message },
      Ready: { status: 'False', reason: 'Degraded', message },
    },
  };
}

/** `Manifest <name> (hash <hash>)`: what ManifestReceived says when all is well. */
export function receivedMessage(manifest: Manifest): string {
  return `Manifest ${manifest.metadata.name} (hash ${manifest.spec.hash})`;
}

export function resolveTarget(lease: Lease, manifests: { get(name: string): Manifest | undefined }, policy: ProviderPolicy): Target {
  const id = lease.spec.id;
  const namespace = leaseNamespace(id);
  // Two Leases with the same id under different names would fight over one namespace.
  if (lease.metadata.name !== namespace) {
    return degraded('LeaseNameMismatch', `metadata.name must be the lease namespace ${namespace} (derived from spec.id), got ${lease.metadata.name}`);
  }

  const name = manifestName(id.owner, id.dseq);
  const manifest = manifests.get(name);
  if (!manifest || manifest.metadata.deletionTimestamp) return waiting('ManifestNotFound', `waiting for Manifest ${name}`);
  if (lease.spec.deploymentHash && lease.spec.deploymentHash !== manifest.spec.hash) {
    return waiting('ManifestHashMismatch', `Manifest ${name} has hash ${manifest.spec.hash}; the lease expects ${lease.spec.deploymentHash}`);
  }
  const received = receivedMessage(manifest);

  const verdict = findCondition(manifest.status?.conditions, ACCEPTED);
  const current = verdict?.observedGeneration === undefined || verdict.observedGeneration === manifest.metadata.generation;
  if (verdict?.status === 'False' && current) return degraded('ManifestRejected', `Manifest ${name} is not accepted: ${verdict.message}`, received);
  // The Manifest controller may not have judged this generation yet: judge it here with the same
  // rules, so that nothing of a bad manifest is ever applied, whatever the order of reconciles.
  const issues = manifestIssues(manifest, policy);
  if (issues.length > 0) return degraded('ManifestRejected', `Manifest ${name} is not accepted: ${formatIssues(issues)}`, received);

  // A lease names its group by sequence number only. The chain numbers a deployment's group specs
  // 1, 2, … in the order they were submitted, and the SDL tooling emits the group specs and the
  // manifest's groups from the same placement list in the same order, so group gseq is
  // groups[gseq - 1]. (Matching by name is impossible: the Lease does not carry the group name.)
  const group = manifest.spec.groups[id.gseq - 1];
  if (!group) {
    return degraded('GroupNotFound', `Manifest ${name} has ${manifest.spec.groups.length} group(s); the lease's group sequence ${id.gseq} needs groups[${id.gseq - 1}]`, received);
  }
  return { ok: true, manifest, group };
}
