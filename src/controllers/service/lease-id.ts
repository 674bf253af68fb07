/**
 * The lease a Service CR belongs to, recovered from its `akash.network/lease.id.*` labels (the Lease
 * controller sets them, as the Go provider does on its objects: `recover_lease_id_from_labels.go`).
 */
import type { LeaseId } from '../../api/lease.ts';
import { LeaseId as LeaseIdSchema } from '../../api/lease.ts';
import { schemaIssues } from '../../api/validate.ts';
import { LABEL_LEASE_DSEQ, LABEL_LEASE_GSEQ, LABEL_LEASE_OSEQ, LABEL_LEASE_OWNER, LABEL_LEASE_PROVIDER } from '../../workloads/labels.ts';

const FIELD_LABELS = {
  owner: LABEL_LEASE_OWNER,
  dseq: LABEL_LEASE_DSEQ,
  gseq: LABEL_LEASE_GSEQ,
  oseq: LABEL_LEASE_OSEQ,
  provider: LABEL_LEASE_PROVIDER,
} as const;

export type LeaseIdResult = { ok: true; id: LeaseId } | { ok: false; problems: string[] };

/** The lease id, or every missing or malformed label named by its key. */
export function leaseIdFromLabels(labels: Record<string, string> | undefined): LeaseIdResult {
  const have = labels ?? {};
  const problems: string[] = [];
  for (const key of Object.values(FIELD_LABELS)) if (!have[key]) problems.push(`label ${key} is missing`);
  if (problems.length > 0) return { ok: false, problems };

  const seq = (key: string): number => (/^[0-9]{1,10}$/.test(have[key] ?? '') ? Number(have[key]) : Number.NaN);
  const id: LeaseId = {
    owner: have[LABEL_LEASE_OWNER] ?? '',
    dseq: have[LABEL_LEASE_DSEQ] ?? '',
    gseq: seq(LABEL_LEASE_GSEQ),
    oseq: seq(LABEL_LEASE_OSEQ),
    provider: have[LABEL_LEASE_PROVIDER] ?? '',
  };
  for (const issue of schemaIssues(LeaseIdSchema, id)) {
    const field = issue.path.split(/[.[]/, 1)[0] as keyof typeof FIELD_LABELS;
    const key = FIELD_LABELS[field] ?? issue.path;
    problems.push(`label ${key}=${JSON.stringify(have[key] ?? '')}: ${issue.message}`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, id };
}
