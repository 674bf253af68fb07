/**
 * The CRD gate: this replica neither leads nor reconciles until the cluster's CRDs are the ones this
 * version generates. Helm installs `crds/` once and never upgrades it, so after `helm upgrade` the
 * new operator can run on old CRDs: the API server then prunes every field the old schema lacks
 * from what the operator writes (a status field, a spec field it reads back), and the operator
 * writes it again on every reconcile, in vain. Waiting instead keeps the old replicas serving (the
 * new pod never turns Ready, so the rollout stops) until someone applies the new CRDs; the gate
 * sees that within one check period and lets the replica go on, without a restart.
 *
 * Each CRD carries `provider.akash.network/schema-digest` (`api/crd-files.ts`); the gate compares it
 * with the digest of the CRD this build would generate. It only reads (`get` on our CRDs by name).
 * A ServiceAccount without that right (a chart older than the gate) skips the check with a warning.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Gauge, type Registry } from 'prom-client';
import { generatedCrds } from '../api/crd-files.ts';
import { SCHEMA_DIGEST_ANNOTATION } from '../api/crds.ts';
import type { KubeClient, KubeObject, Logger } from '../runtime/index.ts';
import { errorMessage, isForbidden } from '../runtime/index.ts';
import { CustomResourceDefinitionRef } from './refs.ts';

/** What is wrong with one CRD of ours in the cluster. */
export interface CrdProblem {
  name: string;
  /** `missing`: not installed. `stale`: installed with another (or no) schema digest. */
  problem: 'missing' | 'stale';
  installed?: string;
  expected: string;
}

/** The CRDs this build generates: name → schema digest. */
export function expectedDigests(): Map<string, string> {
  return new Map(generatedCrds().map((c) => [c.metadata.name, c.metadata.annotations![SCHEMA_DIGEST_ANNOTATION]!]));
}

/** Compares the CRDs found (undefined: not installed) with the expected digests. */
export function crdProblems(expected: Map<string, string>, found: Map<string, KubeObject | undefined>): CrdProblem[] {
  const out: CrdProblem[] = [];
  for (const [name, digest] of expected) {
    const crd = found.get(name);
    if (!crd) {
      out.push({ name, problem: 'missing', expected: digest });
      continue;
    }
    const installed = crd.metadata.annotations?.[SCHEMA_DIGEST_ANNOTATION];
    if (installed !== digest) out.push({ name, problem: 'stale', ...(installed ? { installed } : {}), expected: digest });
  }
  return out;
}

/** One line an admin can act on. */
export function describeProblems(problems: CrdProblem[]): string {
  const missing = problems.filter((p) => p.problem === 'missing').map((p) => p.name);
  const stale = problems.filter((p) => p.problem === 'stale').map((p) => p.name);
  const parts = [
    ...(missing.length ? [`not installed: ${missing.join(', ')}`] : []),
    ...(stale.length ? [`installed from another operator version (annotation ${SCHEMA_DIGEST_ANNOTATION} differs): ${stale.join(', ')}`] : []),
  ];
  return `CRDs ${parts.join('; ')}. Apply this version's CRDs (kubectl apply --server-side -f the chart's crds/, or \`akash-operator crds | kubectl apply --server-side -f -\`); this replica waits and goes on once they match.`;
}

export interface CrdGateOptions {
  client: KubeClient;
  log: Logger;
  registry?: Registry;
  prefix?: string;
  /** Between checks while the CRDs do not match. Default 10 s. */
  intervalMs?: number;
  /** How often the same problem is logged again while waiting. Default 5 min. */
  repeatLogMs?: number;
  expected?: Map<string, string>;
}

export class CrdGate {
  private passed = false;
  private readonly gauge: Gauge<'crd'> | undefined;
  private readonly expected: Map<string, string>;
  private readonly opts: CrdGateOptions;

  constructor(opts: CrdGateOptions) {
    this.opts = opts;
    this.expected = opts.expected ?? expectedDigests();
    this.gauge = opts.registry
      ? new Gauge({
          name: `${opts.prefix ?? 'akash_operator'}_crd_schema_current`,
          help: 'Whether the installed CRD carries the schema digest this operator version generates (1) or is missing or from another version (0)',
          labelNames: ['crd'],
          registers: [opts.registry],
        })
      : undefined;
  }

  /** True once the CRDs matched (or could not be read for lack of the right): readiness. */
  ready(): boolean {
    return this.passed;
  }

  /** Resolves when the CRDs match; rejects only when `signal` aborts. */
  async wait(signal: AbortSignal): Promise<void> {
    const interval = this.opts.intervalMs ?? 10_000;
    const repeat = this.opts.repeatLogMs ?? 300_000;
    let lastText = '';
    let lastLogged = 0;
    for (;;) {
      signal.throwIfAborted();
      const result = await this.check().catch((err: unknown) => err);
      if (Array.isArray(result) && result.length === 0) {
        this.passed = true;
        if (lastText) this.opts.log.info('CRDs match this operator version now; going on');
        return;
      }
      if (isForbidden(result)) {
        this.passed = true;
        this.opts.log.warn({ err: errorMessage(result) }, 'cannot read our CRDs (no get on customresourcedefinitions): the CRD schema check is skipped');
        return;
      }
      const text = Array.isArray(result) ? describeProblems(result as CrdProblem[]) : `cannot read our CRDs, retrying: ${errorMessage(result)}`;
      if (text !== lastText || Date.now() - lastLogged >= repeat) {
        this.opts.log.error({ crds: Array.isArray(result) ? result : undefined }, text);
        lastText = text;
        lastLogged = Date.now();
      }
      await sleep(interval, undefined, { signal });
    }
  }

  private async check(): Promise<CrdProblem[]> {
    const found = new Map<string, KubeObject | undefined>();
    await Promise.all([...this.expected.keys()].map(async (name) => found.set(name, await this.opts.client.get<KubeObject>(CustomResourceDefinitionRef, { name }))));
    const problems = crdProblems(this.expected, found);
    const bad = new Set(problems.map((p) => p.name));
    for (const name of this.expected.keys()) this.gauge?.set({ crd: name }, bad.has(name) ? 0 : 1);
    return problems;
  }
}
