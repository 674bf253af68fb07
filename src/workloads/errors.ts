/**
 * A Service spec the builders cannot turn into objects although it passed the schema (a mount of
 * an unknown volume, a GPU without a vendor, …). Bad input: retrying will not help, so the
 * controller reports it as a Degraded condition and applies nothing of the service.
 */
import type { SchemaIssue } from '../api/validate.ts';

export class WorkloadSpecError extends Error {
  override name = 'WorkloadSpecError';
  readonly issues: SchemaIssue[];
  constructor(what: string, issues: SchemaIssue[]) {
    super(`${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** Collects issues while a spec is walked; `throwIfAny` raises them all at once. */
export class IssueList {
  readonly issues: SchemaIssue[] = [];
  add(path: string, message: string): void {
    this.issues.push({ path, message });
  }
  throwIfAny(what: string): void {
    if (this.issues.length > 0) throw new WorkloadSpecError(what, this.issues);
  }
}
