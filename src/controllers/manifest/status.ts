/** The Manifest's status: one `Accepted` condition saying whether leases may deploy it, and why not. */
import type { ManifestStatus } from '../../api/manifest.ts';
import type { SchemaIssue } from '../../api/validate.ts';
import { setCondition } from '../../runtime/index.ts';
import { formatIssues } from './validate.ts';

export const ACCEPTED = 'Accepted';
export const REASON_VALID = 'Valid';
export const REASON_INVALID = 'Invalid';

/** The status `issues` call for. Unchanged conditions keep their lastTransitionTime. */
export function manifestStatus(live: ManifestStatus | undefined, issues: readonly SchemaIssue[], generation: number | undefined, now = new Date()): ManifestStatus {
  const update =
    issues.length === 0
      ? { type: ACCEPTED, status: 'True' as const, reason: REASON_VALID, message: 'the manifest can be deployed' }
      : { type: ACCEPTED, status: 'False' as const, reason: REASON_INVALID, message: formatIssues(issues) };
  return {
    conditions: setCondition(live?.conditions, { ...update, observedGeneration: generation }, now),
    ...(generation !== undefined ? { observedGeneration: generation } : {}),
  };
}
